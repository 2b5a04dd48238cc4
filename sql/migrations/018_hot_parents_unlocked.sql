-- 018_hot_parents_unlocked.sql - a booking no longer locks its concert's
-- row and its tier's row (issue 15).
--
-- A foreign key checks each new row's parent with SELECT ... FOR KEY SHARE.
-- Three of the rows a booking writes pointed at a parent that every booking
-- of the concert shares: bookings and fan_quotas at the concert, and
-- booking_items at the tier.  So every booking in flight locked the same
-- two rows, and a row locked by more than one transaction keeps its lockers
-- in a MultiXact, which PostgreSQL writes anew each time a locker joins:
-- the more bookings in flight, the more each one costs.  Measured with
-- deploy/bench, the trees alternating, three runs each, medians (ranges):
--
--                            with the keys          without
--   rush, 256 clients        1,107/s (1,074-1,116)  1,178/s (1,146-1,231)
--   payment 100 ms, 64       567/s (546-572)        588/s (583-596)
--     its p99                163 ms                 134 ms
--   sell-out of 10,000       3.92 s                 3.44 s
--   PostgreSQL CPU per booking, 256 / 100 ms / sell-out
--                            1.35 / 1.73 / 1.00 ms  1.25 / 1.57 / 0.86 ms
--
-- What the three keys guaranteed still holds, without a lock per booking:
--  * a concert or a tier is never deleted, never given another id, and a
--    tier never moves to another concert (the triggers below, which bind
--    the tables' owner too; the daemon has no DELETE on them anyway).  A
--    concert that will not take place is cancelled.
--  * whoever writes these rows has read the parent: ticketd checks the
--    concert and its tiers before the payment (booking_check); the one
--    statement (017) confirms only after reading both again; book() takes
--    a tier's buckets before it writes its line, and its quota row is
--    inserted from the concert's row.
--  * reference_violations lists any row whose concert or tier does not
--    exist, or a line whose tier is of another concert (which no key ever
--    checked); deploy/check-invariants and the tests read it.
-- The other keys of these tables stay: they point at the booking's own row
-- or at the fan's, which no other booking shares.

ALTER TABLE bookings DROP CONSTRAINT bookings_concert_id_fkey;
ALTER TABLE fan_quotas DROP CONSTRAINT fan_quotas_concert_id_fkey;
ALTER TABLE booking_items DROP CONSTRAINT booking_items_tier_id_fkey;

CREATE FUNCTION referenced_rows_kept() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted, given another id or moved to another concert', TG_TABLE_NAME
        USING ERRCODE = 'restrict_violation',
              HINT = 'A concert that will not take place is cancelled.';
END;
$$;

CREATE TRIGGER concerts_never_deleted
    BEFORE DELETE OR TRUNCATE ON concerts
    FOR EACH STATEMENT EXECUTE FUNCTION referenced_rows_kept();
CREATE TRIGGER concerts_id_fixed
    BEFORE UPDATE ON concerts
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
    EXECUTE FUNCTION referenced_rows_kept();
CREATE TRIGGER ticket_tiers_never_deleted
    BEFORE DELETE OR TRUNCATE ON ticket_tiers
    FOR EACH STATEMENT EXECUTE FUNCTION referenced_rows_kept();
CREATE TRIGGER ticket_tiers_id_and_concert_fixed
    BEFORE UPDATE ON ticket_tiers
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id
                       OR OLD.concert_id IS DISTINCT FROM NEW.concert_id)
    EXECUTE FUNCTION referenced_rows_kept();

-- Rows appear here only when a reference the dropped keys kept is broken.
CREATE VIEW reference_violations AS
SELECT 'bookings'::text AS table_name, b.id AS row_key,
       'concert ' || b.concert_id AS problem
FROM bookings b
WHERE NOT EXISTS (SELECT FROM concerts c WHERE c.id = b.concert_id)
UNION ALL
SELECT 'fan_quotas', q.concert_id || ' ' || q.user_id, 'concert ' || q.concert_id
FROM fan_quotas q
WHERE NOT EXISTS (SELECT FROM concerts c WHERE c.id = q.concert_id)
UNION ALL
SELECT 'booking_items', i.booking_id || ' ' || i.tier_id,
       CASE WHEN t.id IS NULL THEN 'tier ' || i.tier_id
            ELSE 'tier ' || i.tier_id || ' of concert ' || t.concert_id || ', not ' || b.concert_id END
FROM booking_items i
JOIN bookings b ON b.id = i.booking_id
LEFT JOIN ticket_tiers t ON t.id = i.tier_id
WHERE t.id IS NULL OR t.concert_id <> b.concert_id;

-- The daemon reads the view (deploy/check-invariants runs as it); it never writes through it.
DO $$
DECLARE
    app constant text := 'ticketd';
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    EXECUTE format('REVOKE INSERT, UPDATE ON reference_violations FROM %I', app);
END
$$;
