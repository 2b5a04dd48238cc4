-- seed_lock.sql - the seed's booking transaction on one hot tier, one
-- statement per round trip as its Node code sends them: lock the tier row,
-- check, decrement, insert the booking, mark it confirmed, commit.
-- (The seed also held the lock across its 100 ms payment; seed_lock_pay.sql
-- adds that.)
\set q random(1, 4)
BEGIN;
SELECT id, available_quantity, version FROM bench.seed_tiers WHERE id = 'hot' FOR UPDATE;
UPDATE bench.seed_tiers SET available_quantity = available_quantity - :q, version = version + 1 WHERE id = 'hot';
INSERT INTO bench.seed_bookings (tier_id, quantity, status) VALUES ('hot', :q, 'pending') RETURNING id \gset
UPDATE bench.seed_bookings SET status = 'confirmed' WHERE id = :id;
COMMIT;
