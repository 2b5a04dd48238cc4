-- 016_concert_totals_refresh.sql - 015's refresh, as a review of it asked:
--   * it wrote every listed concert's row each second: ON CONFLICT locks
--     (and so writes) every row it meets, even one its WHERE then leaves
--     alone; only the totals that changed reach the upsert now;
--   * with several nodes each claiming a refresh a second, the summary was
--     rebuilt once per node: a refresh younger than p_min_age_ms is kept;
--   * its EXECUTE is granted to the daemon alone explicitly, as 009 does
--     for its definer functions, not left to default privileges.
-- The summary is off by default (TICKETD_LISTING_TOTALS_MS=0): with the
-- nginx microcache, ticketd computes each page about once a second, which
-- costs less than the refresh's read of every listed concert's buckets.

DROP FUNCTION refresh_concert_totals();

-- Refreshes every listed concert's total, writing only the totals that
-- changed, and returns how many did; -1 when another refresher holds the
-- summary or refreshed it less than p_min_age_ms ago (several nodes each
-- claim a refresh a second: the summary needs one).  Its commit neither
-- waits for a standby nor for the disk: the summary is display data that
-- any refresh rebuilds, and a worker must not be held by it while a
-- standby is away.  Its cost is one read of every listed concert's
-- buckets a second, whatever the traffic; the listing's no longer is.
CREATE FUNCTION refresh_concert_totals(p_min_age_ms integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    v_changed integer;
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtext('ticketd.concert_totals'))
       OR EXISTS (SELECT FROM concert_totals_refreshed
                  WHERE at > now() - make_interval(secs => p_min_age_ms / 1000.0)) THEN
        RETURN -1;
    END IF;
    PERFORM set_config('synchronous_commit', 'off', true);
    -- Only the totals that changed reach the upsert: ON CONFLICT locks (and
    -- so writes) every row it meets, even one its WHERE then leaves alone.
    WITH sums AS (
        SELECT t.concert_id, coalesce(sum(b.available), 0) AS available
        FROM concerts c
        JOIN ticket_tiers t ON t.concert_id = c.id
        JOIN tier_buckets b ON b.tier_id = t.id
        WHERE c.status = 'published' AND c.event_date > now() - interval '6 hours'
        GROUP BY t.concert_id),
    changed AS (
        INSERT INTO concert_totals AS ct (concert_id, available)
        SELECT s.concert_id, s.available
        FROM sums s LEFT JOIN concert_totals o ON o.concert_id = s.concert_id
        WHERE o.available IS DISTINCT FROM s.available
        ORDER BY s.concert_id
        ON CONFLICT (concert_id) DO UPDATE SET available = EXCLUDED.available
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
    REVOKE ALL ON FUNCTION refresh_concert_totals(integer) FROM PUBLIC;
    EXECUTE format('GRANT EXECUTE ON FUNCTION refresh_concert_totals(integer) TO %I', app);
END
$$;
