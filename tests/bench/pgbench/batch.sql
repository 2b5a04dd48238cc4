-- batch.sql - the batching lever as it was measured before it was built (issue 15): :n paid
-- bookings of one tier, each for its own fan with a fresh key, written by ONE statement and one
-- commit instead of :n. The candidate of that measurement, kept so that the bench's pg_batch rows
-- stay comparable: what ticketd's booking writer sends since is book_batch in
-- src/store/statements.c (019), the same writes with every booking's own parameters. Compare its
-- PostgreSQL CPU per booking with one_line.pl's, at the same number of bookings in flight.
--
-- It writes what book_one_line writes for each booking (the booking, the fan's quota, a bucket's
-- decrement, the line, the confirmation email) and reads the concert again after its locks as
-- that statement does (one_line_booking_outcome, once for the batch). Each booking takes its own
-- bucket: :n distinct buckets with enough for the largest, never waiting (SKIP LOCKED), from a
-- random start. A batch that cannot confirm every booking raises TDSLW and writes nothing, where
-- the daemon would give each booking back to the statement it sends today.
-- Run with -M prepared -D concert=ID -D tier=ID -D buckets=N -D fans=N -D n=BATCH (n ≤ buckets).
\set f random(1, :fans)
WITH req AS MATERIALIZED (SELECT 'pgb_' || replace(gen_random_uuid()::text, '-', '') AS id,
        gen_random_uuid() AS k,
        'u_' || lpad(((:f::integer + i - 1) % :fans::integer + 1)::text, 32, '0') AS u,
        1 + floor(random() * 4)::integer AS q, i AS n
    FROM generate_series(1, :n::integer) AS i),
 ins AS (INSERT INTO bookings (id, idempotency_key, concert_id, user_id, status, total_cents,
        payment_method, payment_ref, request, request_id)
    SELECT req.id, req.k, :concert, req.u, 'confirmed', 1000 * req.q, 'card', 'auth_pgbench',
        'pgbench', 'pgbench' FROM req
    ON CONFLICT (idempotency_key) DO NOTHING RETURNING id),
 quota AS (INSERT INTO fan_quotas AS f (concert_id, user_id, booked)
    SELECT c.id, req.u, req.q FROM req JOIN ins ON ins.id = req.id, concerts c
    WHERE c.id = :concert AND req.q <= c.max_tickets_per_fan
    ON CONFLICT (concert_id, user_id) DO UPDATE SET booked = f.booked + EXCLUDED.booked
    WHERE f.booked + EXCLUDED.booked <= (SELECT c.max_tickets_per_fan FROM concerts c
        WHERE c.id = EXCLUDED.concert_id)
    RETURNING f.user_id),
 start AS MATERIALIZED (SELECT floor(random() * greatest(:buckets::integer, 1))::integer AS bucket),
 picks AS MATERIALIZED (SELECT s.bucket, row_number() OVER () AS n
    FROM (SELECT x.bucket FROM tier_buckets x, start
        WHERE x.tier_id = :tier AND x.available >= (SELECT max(q) FROM req)
        ORDER BY (x.bucket + greatest(:buckets::integer, 1) - start.bucket)
            % greatest(:buckets::integer, 1), x.bucket
        LIMIT :n::integer FOR UPDATE OF x SKIP LOCKED) s),
 took AS (UPDATE tier_buckets b SET available = b.available - r.q
    FROM (SELECT p.bucket, req.id, req.u, req.q FROM picks p JOIN req ON req.n = p.n) r
    WHERE b.tier_id = :tier AND b.bucket = r.bucket AND b.available >= r.q
      AND r.u IN (SELECT user_id FROM quota)
    RETURNING r.id, r.q),
 line AS (INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents)
    SELECT took.id, :tier, took.q, 1000 FROM took),
 mail AS (INSERT INTO outbox (kind, booking_id) SELECT 'booking_confirmed', took.id FROM took)
SELECT one_line_booking_outcome((SELECT count(*) FROM took) = :n::integer, :concert, :tier, 1,
    1000::bigint) AS outcome;
