-- ours.sql - ticketd's booking transaction as pgbench runs it: the one
-- statement a worker sends after the payment, book(), with a fresh key, as
-- one of the run's fans picked at random (tests/bench/run makes them: fan n
-- is u_ and n in 32 digits), so that no fan's quota row is what is measured.
-- Run with -M prepared -D concert=ID -D tier=ID -D buckets=N -D fans=N.
\set q random(1, 4)
\set f random(1, :fans)
SELECT outcome FROM book(gen_random_uuid(), 'pgb_' || replace(gen_random_uuid()::text, '-', ''), :concert::text, 'u_' || lpad(:f::text, 32, '0'), 'pgbench', 'card', 1000 * :q::integer, ARRAY[:tier::text], ARRAY[:q::integer], ARRAY[:buckets::integer], true, 'auth_pgbench', 'pgbench');
