-- 015_concert_totals.sql - the home page's "tickets left" per concert from a
-- summary refreshed about once a second, not summed over the buckets on
-- every listing.
--
-- The concerts on sale are the ones a rush updates: summing their buckets
-- for each page cost most of the listing's PostgreSQL time (tests/bench,
-- scenario list).  The counts on the home page are for display (a booking
-- checks the buckets under its locks), so they may be a second old; they
-- are never kept in a row every booking updates, which would be the hot row
-- the buckets exist to avoid.  ticketd refreshes the summary from whichever
-- worker finishes a request when a second has passed
-- (TICKETD_LISTING_TOTALS_MS); the listing believes it only while the
-- last refresh is under two seconds old, and sums the buckets otherwise
-- (an idle site, the refresh off, a concert newer than the summary).

CREATE TABLE concert_totals (
    concert_id text PRIMARY KEY REFERENCES concerts (id) ON DELETE CASCADE,
    available  bigint NOT NULL
);

-- When the summary was last refreshed: one row, written once a refresh.
CREATE TABLE concert_totals_refreshed (
    one boolean PRIMARY KEY DEFAULT true CHECK (one),
    at  timestamptz NOT NULL
);

-- Refreshes every listed concert's total, writing only the totals that
-- changed, and returns how many did.  One refresher at a time across every
-- node (a transaction-level advisory lock; the others return -1 at once).
-- Its commit neither waits for a standby nor for the disk: the summary is
-- display data that any refresh rebuilds, and a worker must not be held by
-- it while a standby is away.
CREATE FUNCTION refresh_concert_totals() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_changed integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('ticketd.concert_totals')) THEN
        RETURN -1;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    WITH sums AS (
        SELECT t.concert_id, coalesce(sum(b.available), 0) AS available
        FROM concerts c
        JOIN ticket_tiers t ON t.concert_id = c.id
        JOIN tier_buckets b ON b.tier_id = t.id
        WHERE c.status = 'published' AND c.event_date > now() - interval '6 hours'
        GROUP BY t.concert_id
        ORDER BY t.concert_id),
    changed AS (
        INSERT INTO concert_totals AS ct (concert_id, available)
        SELECT concert_id, available FROM sums
        ON CONFLICT (concert_id) DO UPDATE SET available = EXCLUDED.available
            WHERE ct.available <> EXCLUDED.available
        RETURNING 1)
    SELECT count(*) INTO v_changed FROM changed;
    INSERT INTO concert_totals_refreshed AS r (one, at) VALUES (true, now())
    ON CONFLICT (one) DO UPDATE SET at = EXCLUDED.at;
    RETURN v_changed;
END;
$$;

-- The daemon reads the summary and refreshes it only through the function.
DO $$
DECLARE
    app constant text := 'ticketd';
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    EXECUTE format('REVOKE INSERT, UPDATE ON concert_totals, concert_totals_refreshed FROM %I', app);
END
$$;
