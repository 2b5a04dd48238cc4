-- ours.sql - ticketd's booking transaction as pgbench runs it: the one
-- statement a worker sends after the payment, book(), with a fresh key.
-- Run with -M prepared -D concert=ID -D tier=ID -D buckets=N.
\set q random(1, 4)
SELECT outcome FROM book(gen_random_uuid(), 'pgb_' || replace(gen_random_uuid()::text, '-', ''), :concert::text, 'pgbench_fan', 'pgbench', 'card', 1000 * :q::integer, ARRAY[:tier::text], ARRAY[:q::integer], ARRAY[:buckets::integer], true, 'auth_pgbench', 'pgbench');
