-- 017_one_line_booking.sql - what a booking of one tier needs from the
-- database after its payment, in one statement that ticketd prepares
-- (statements.c, Q_BOOK_ONE_LINE) instead of book()'s seven (issue 15).
--
-- Measured with pgbench on this machine (32 clients, a fresh quota row
-- per booking, medians of 3): book() 1,164 confirmed/s at 1.46 ms of
-- PostgreSQL CPU per booking; a draft of the statement 1,578/s at 1.07 ms.
-- The writes are the same rows; what goes is PL/pgSQL's per-statement
-- executor start and end, its subtransaction, and six of seven plans.
-- ticketd sends it for paid one-tier bookings of tiers of 16 buckets or
-- more, when its statements are prepared (src/store/booking_store.c).
--
-- The statement writes the booking row, the fan's quota, one bucket (the
-- random one, else the next with enough: both SKIP LOCKED, never waiting),
-- the line and the outbox row, in book()'s lock order (the quota, then the
-- bucket).  It reads the concert only from its snapshot, taken before it
-- locked anything: a concert cancelled, unpublished or repriced by an
-- admin whose transaction committed while we waited for the fan's quota
-- row would not be seen.  So its last step is this function, which reads
-- the concert and the tier again in a snapshot of its own (a VOLATILE
-- function's statement takes a new one), after every lock is held, and
-- the line's price is the total divided by the quantity that this read
-- has just checked.  What locks order an admin's change against a
-- booking is as for book(): cancel_concert() takes the quotas then the
-- buckets, unpublishing and a capacity change the buckets, so either we
-- commit first (and they see our booking) or they committed before our
-- locks were granted and this read sees them; a change to the sales
-- window, the date or the limit per fan takes neither, and a booking in
-- flight may commit under the old one, as with book().
--
-- Whenever the statement cannot confirm by itself (no bucket free with
-- enough, the fan's limit, the concert closed or changed) this raises
-- TDSLW: everything the statement wrote is undone, and ticketd runs
-- book(), which works out the exact refusal.  A key already used takes
-- nothing and answers 'duplicate' without raising.
CREATE FUNCTION one_line_booking_outcome(p_took boolean, p_concert_id text,
                                         p_tier_id text, p_quantity integer,
                                         p_total_cents bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF p_took AND EXISTS (
            SELECT FROM concerts c JOIN ticket_tiers t ON t.concert_id = c.id
            WHERE c.id = p_concert_id AND t.id = p_tier_id
              AND c.status = 'published' AND now() >= c.sales_start
              AND now() < c.sales_end AND now() < c.event_date
              AND t.price_cents * p_quantity = p_total_cents) THEN
        RETURN 'confirmed';
    END IF;
    RAISE SQLSTATE 'TDSLW' USING MESSAGE = 'a one-line booking leaves its case to book()';
END;
$$;

DO $$
DECLARE
    app constant text := 'ticketd';
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    REVOKE ALL ON FUNCTION one_line_booking_outcome(boolean, text, text, integer, bigint) FROM PUBLIC;
    EXECUTE format('GRANT EXECUTE ON FUNCTION one_line_booking_outcome(boolean, text, text, integer, bigint) TO %I', app);
END
$$;
