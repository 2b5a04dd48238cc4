-- 019_batch_booking.sql - several paid bookings of one tier in one statement
-- (statements.c, Q_BOOK_BATCH), which a node's booking writer sends for the
-- one-tier bookings queued behind each other (src/daemon/writer.c; issue 15).
--
-- Measured before it was built (tests/bench/results/2026-12-02-vm-5.md,
-- PostgreSQL's CPU per booking with 16 bookings in flight): the one
-- statement of 017, one booking each, 1.29 ms; four at once 0.50 ms;
-- sixteen at once 0.29 ms.  A statement's executor start, its commit and
-- its round trip are paid once for the batch.
--
-- The statement writes for each booking what 017's writes (the booking,
-- the fan's quota, a bucket's decrement, the line, the outbox row), in the
-- same lock order: every fan's quota first (in the order of their ids, so
-- two batches never wait on each other in a circle), then one bucket per
-- booking, each one no one holds (SKIP LOCKED: it never waits for a
-- bucket).  Its snapshot is older than its locks, so, as 017 does, its
-- last step reads the concert and the tier again in a snapshot of its own
-- after every lock is held: this function.  Whenever the batch cannot
-- confirm every booking it holds (a fan at the limit, too few free buckets
-- with enough, the concert closed or changed, a total that is not the
-- price times the quantity) it raises TDSLW: everything is undone and each
-- booking is sent on its own again (017's statement, then book()).  A key
-- already used takes nothing and is answered 'duplicate' without raising.

CREATE FUNCTION batch_booking_outcome(p_all_took boolean, p_concert_id text,
                                      p_tier_id text, p_quantities integer[],
                                      p_totals bigint[])
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    -- Only keys already used: nothing was taken, nothing to check.
    IF p_quantities IS NULL THEN
        RETURN 'confirmed';
    END IF;
    IF p_all_took AND EXISTS (
            SELECT FROM concerts c JOIN ticket_tiers t ON t.concert_id = c.id
            WHERE c.id = p_concert_id AND t.id = p_tier_id
              AND c.status = 'published' AND now() >= c.sales_start
              AND now() < c.sales_end AND now() < c.event_date
              AND NOT EXISTS (
                  SELECT FROM unnest(p_quantities, p_totals) AS x(q, total)
                  WHERE t.price_cents * x.q IS DISTINCT FROM x.total)) THEN
        RETURN 'confirmed';
    END IF;
    RAISE SQLSTATE 'TDSLW' USING MESSAGE = 'a batch of bookings leaves its cases to one statement each';
END;
$$;

DO $$
DECLARE
    app constant text := 'ticketd';
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    REVOKE ALL ON FUNCTION batch_booking_outcome(boolean, text, text, integer[], bigint[]) FROM PUBLIC;
    EXECUTE format('GRANT EXECUTE ON FUNCTION batch_booking_outcome(boolean, text, text, integer[], bigint[]) TO %I', app);
END
$$;
