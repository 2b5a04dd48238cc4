-- seed_lock_pay.sql - seed_lock.sql with the seed's 100 ms payment inside
-- the transaction, while the tier row is locked.
\set q random(1, 4)
BEGIN;
SELECT id, available_quantity, version FROM bench.seed_tiers WHERE id = 'hot' FOR UPDATE;
UPDATE bench.seed_tiers SET available_quantity = available_quantity - :q, version = version + 1 WHERE id = 'hot';
INSERT INTO bench.seed_bookings (tier_id, quantity, status) VALUES ('hot', :q, 'pending') RETURNING id \gset
\sleep 100 ms
UPDATE bench.seed_bookings SET status = 'confirmed' WHERE id = :id;
COMMIT;
