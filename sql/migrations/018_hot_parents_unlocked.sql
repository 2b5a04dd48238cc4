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
-- deploy/bench, the trees alternating, three runs each, medians (ranges),
-- before the refusal's key below went too and book() learnt to check its
-- tiers (tests/bench/results/2026-12-02-vm-hot-parents-ab.md):
--
--                            with the keys          without the first three
--   rush, 256 clients        1,107/s (1,074-1,116)  1,178/s (1,146-1,231)
--   payment 100 ms, 64       567/s (546-572)        588/s (583-596)
--     its p99                163 ms                 134 ms
--   sell-out of 10,000       3.92 s                 3.44 s
--   PostgreSQL CPU per booking, 256 / 100 ms / sell-out
--                            1.35 / 1.73 / 1.00 ms  1.25 / 1.57 / 0.86 ms
--
-- A fourth key went with them: a booking refused for want of tickets names
-- the tier (bookings.reject_tier_id), and its check locked the tier's row
-- while the booking held the tier's buckets, in a sell-out's busiest path.
--
-- What the keys guaranteed still holds, without a lock per booking:
--  * a concert or a tier is never deleted, never given another id, and a
--    tier never moves to another concert (the triggers below, which bind
--    the tables' owner too; the daemon has no DELETE on them anyway).  A
--    concert that will not take place is cancelled.
--  * the rows are written from their parents, read without a lock: book()
--    below inserts the booking from the concert's row and raises
--    foreign_key_violation, as the key did, for a concert or a tier that is
--    not there or not the concert's; its quota row comes from the concert's
--    row; the one statement (017) confirms only once it has read the
--    concert and the tier, the tier being the concert's; ticketd checks
--    both before the payment (booking_check).
--  * nothing can move a row to another concert afterwards: a booking's
--    concert joins what its creation fixes (012's trigger), and the daemon
--    may update only a quota's count.
--  * reference_violations lists any row whose concert or tier does not
--    exist, or a line whose tier is of another concert (which no key ever
--    checked); deploy/check-invariants and the tests read it, and this
--    migration refuses to finish on a database where it has a row.
-- The other keys of these tables stay: they point at the booking's own row
-- or at the fan's, which no other booking shares.

ALTER TABLE bookings DROP CONSTRAINT bookings_concert_id_fkey;
ALTER TABLE fan_quotas DROP CONSTRAINT fan_quotas_concert_id_fkey;
ALTER TABLE booking_items DROP CONSTRAINT booking_items_tier_id_fkey;
ALTER TABLE bookings DROP CONSTRAINT bookings_reject_tier_id_fkey;

CREATE OR REPLACE FUNCTION bookings_creation_fixed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'a booking''s creation (id, key, fan, concert, created_at, request_id) is never changed';
END;
$$;

DROP TRIGGER bookings_creation_fixed ON bookings;
CREATE TRIGGER bookings_creation_fixed
    BEFORE UPDATE ON bookings
    FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id
                       OR OLD.idempotency_key IS DISTINCT FROM NEW.idempotency_key
                       OR OLD.user_id IS DISTINCT FROM NEW.user_id
                       OR OLD.concert_id IS DISTINCT FROM NEW.concert_id
                       OR OLD.created_at IS DISTINCT FROM NEW.created_at
                       OR OLD.request_id IS DISTINCT FROM NEW.request_id)
    EXECUTE FUNCTION bookings_creation_fixed();

-- 013's book(), written from the concert's row and checking its tiers.
CREATE OR REPLACE FUNCTION book(p_key uuid, p_booking_id text, p_concert_id text,
                     p_user_id text, p_request text, p_method text,
                     p_total_cents bigint, p_tier_ids text[],
                     p_quantities integer[], p_bucket_counts integer[],
                     p_paid boolean, p_payment_ref text, p_request_id text,
                     OUT outcome text, OUT o_booking_id text,
                     OUT o_created_at text, OUT o_tier_id text,
                     OUT o_requested integer, OUT o_available integer,
                     OUT o_limit integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_status text := CASE WHEN p_paid THEN 'confirmed' ELSE 'payment_failed' END;
    v_taken_tier text[] := '{}';
    v_taken_bucket integer[] := '{}';
    v_taken_qty integer[] := '{}';
    v_start integer;
    v_bucket integer;
    v_got integer;
    v_row record;
    v_wanted integer;
    v_booked integer;
    v_concert record;
    v_refused text;
BEGIN
    -- From the concert's row (read, not locked): no key checks it any more.
    INSERT INTO bookings (id, idempotency_key, concert_id, user_id, status,
                          total_cents, payment_method, payment_ref, request,
                          request_id)
    SELECT p_booking_id, p_key, c.id, p_user_id, v_status,
           p_total_cents, p_method, p_payment_ref, p_request, p_request_id
    FROM concerts c WHERE c.id = p_concert_id
    ON CONFLICT (idempotency_key) DO NOTHING;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT FROM bookings b WHERE b.idempotency_key = p_key) THEN
            RAISE EXCEPTION 'no concert %', p_concert_id USING ERRCODE = 'foreign_key_violation';
        END IF;
        outcome := 'duplicate';
        RETURN;
    END IF;
    o_booking_id := p_booking_id;
    o_created_at := iso8601(now());

    IF NOT p_paid THEN
        outcome := 'payment_failed';
        RETURN;
    END IF;

    -- Every tier named is the concert's, before any is written down (a line, or a refusal's
    -- tier): no key checks it any more.
    IF EXISTS (SELECT FROM unnest(p_tier_ids) AS q(tier_id)
               WHERE NOT EXISTS (SELECT FROM ticket_tiers t
                                 WHERE t.id = q.tier_id AND t.concert_id = p_concert_id)) THEN
        RAISE EXCEPTION 'a tier of % is not of concert %', p_tier_ids, p_concert_id
            USING ERRCODE = 'foreign_key_violation';
    END IF;

    INSERT INTO fan_quotas AS f (concert_id, user_id, booked)
    SELECT c.id, p_user_id, w.n
    FROM concerts c, (SELECT sum(q)::integer AS n FROM unnest(p_quantities) AS q) w
    WHERE c.id = p_concert_id AND w.n <= c.max_tickets_per_fan
    ON CONFLICT (concert_id, user_id) DO UPDATE
        SET booked = f.booked + EXCLUDED.booked
        WHERE f.booked + EXCLUDED.booked <= (SELECT c.max_tickets_per_fan FROM concerts c
                                             WHERE c.id = EXCLUDED.concert_id)
    RETURNING f.booked INTO v_booked;
    IF v_booked IS NULL THEN
        SELECT c.max_tickets_per_fan INTO o_limit FROM concerts c WHERE c.id = p_concert_id;
        SELECT coalesce((SELECT f.booked FROM fan_quotas f
                         WHERE f.concert_id = p_concert_id
                           AND f.user_id = p_user_id), 0)
        INTO o_available;
        SELECT sum(q)::integer INTO o_requested FROM unnest(p_quantities) AS q;
        UPDATE bookings
        SET status = 'rejected', reject_reason = 'fan_limit',
            reject_requested = o_requested, reject_available = o_available,
            reject_limit = o_limit
        WHERE id = p_booking_id;
        outcome := 'fan_limit';
        RETURN;
    END IF;

    FOR i IN 1 .. array_length(p_tier_ids, 1) LOOP
        -- Drawn here: random() inside a WHERE clause is drawn per row.
        v_start := floor(random() * greatest(p_bucket_counts[i], 1))::integer;
        v_bucket := NULL;
        -- The block's subtransaction: see the top of 013_probes_hold_nothing.sql.
        BEGIN
            UPDATE tier_buckets b SET available = b.available - p_quantities[i]
            FROM (SELECT x.bucket FROM tier_buckets x
                  WHERE x.tier_id = p_tier_ids[i] AND x.bucket = v_start
                    AND x.available >= p_quantities[i]
                  FOR UPDATE SKIP LOCKED) s
            WHERE b.tier_id = p_tier_ids[i] AND b.bucket = s.bucket
              AND b.available >= p_quantities[i]
            RETURNING b.bucket INTO v_bucket;
            IF NOT FOUND THEN
                -- The next bucket with enough that no one holds, from v_start on.
                UPDATE tier_buckets b SET available = b.available - p_quantities[i]
                FROM (SELECT x.bucket FROM tier_buckets x
                      WHERE x.tier_id = p_tier_ids[i]
                        AND x.available >= p_quantities[i]
                      ORDER BY (x.bucket + greatest(p_bucket_counts[i], 1) - v_start)
                               % greatest(p_bucket_counts[i], 1), x.bucket
                      LIMIT 1
                      FOR UPDATE SKIP LOCKED) s
                WHERE b.tier_id = p_tier_ids[i] AND b.bucket = s.bucket
                  AND b.available >= p_quantities[i]
                RETURNING b.bucket INTO v_bucket;
            END IF;
            IF v_bucket IS NULL THEN
                RAISE SQLSTATE 'TDNOB';
            END IF;
        EXCEPTION WHEN SQLSTATE 'TDNOB' THEN
            v_bucket := NULL;
        END;
        IF v_bucket IS NOT NULL THEN
            v_taken_tier := v_taken_tier || p_tier_ids[i];
            v_taken_bucket := v_taken_bucket || v_bucket;
            v_taken_qty := v_taken_qty || p_quantities[i];
            CONTINUE;
        END IF;

        v_got := 0;
        FOR v_row IN SELECT * FROM take_tickets_in_order(p_tier_ids[i], p_quantities[i]) LOOP
            v_taken_tier := v_taken_tier || p_tier_ids[i];
            v_taken_bucket := v_taken_bucket || v_row.o_bucket;
            v_taken_qty := v_taken_qty || v_row.o_taken;
            v_got := v_got + v_row.o_taken;
        END LOOP;

        IF v_got < p_quantities[i] THEN
            PERFORM put_back_tickets(v_taken_tier, v_taken_bucket, v_taken_qty);
            SELECT coalesce(sum(b.available), 0)::integer INTO o_available
            FROM tier_buckets b WHERE b.tier_id = p_tier_ids[i];
            o_tier_id := p_tier_ids[i];
            o_requested := p_quantities[i];
            SELECT sum(q)::integer INTO v_wanted FROM unnest(p_quantities) AS q;
            UPDATE fan_quotas SET booked = booked - v_wanted
            WHERE concert_id = p_concert_id AND user_id = p_user_id;
            UPDATE bookings
            SET status = 'rejected', reject_reason = 'inventory',
                reject_tier_id = o_tier_id, reject_requested = o_requested,
                reject_available = o_available
            WHERE id = p_booking_id;
            outcome := 'rejected';
            RETURN;
        END IF;
    END LOOP;

    -- The concert as it is now that we hold the tickets.
    SELECT c.status, c.sales_start, c.sales_end, c.event_date,
           (SELECT sum(t.price_cents * q.quantity)
            FROM unnest(p_tier_ids, p_quantities) AS q(tier_id, quantity)
            JOIN ticket_tiers t ON t.id = q.tier_id) AS total_cents
    INTO v_concert
    FROM concerts c WHERE c.id = p_concert_id;
    v_refused := CASE
        WHEN v_concert.status <> 'published' OR now() >= v_concert.sales_end
             OR now() >= v_concert.event_date THEN 'sales_closed'
        WHEN now() < v_concert.sales_start THEN 'sales_not_started'
        WHEN v_concert.total_cents <> p_total_cents THEN 'price_changed'
    END;
    IF v_refused IS NOT NULL THEN
        PERFORM put_back_tickets(v_taken_tier, v_taken_bucket, v_taken_qty);
        SELECT sum(q)::integer INTO v_wanted FROM unnest(p_quantities) AS q;
        UPDATE fan_quotas SET booked = booked - v_wanted
        WHERE concert_id = p_concert_id AND user_id = p_user_id;
        UPDATE bookings SET status = 'rejected', reject_reason = v_refused
        WHERE id = p_booking_id;
        outcome := v_refused;
        RETURN;
    END IF;

    INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents)
    SELECT p_booking_id, q.tier_id, q.quantity, t.price_cents
    FROM unnest(p_tier_ids, p_quantities) AS q(tier_id, quantity)
    JOIN ticket_tiers t ON t.id = q.tier_id;
    INSERT INTO outbox (kind, booking_id) VALUES ('booking_confirmed', p_booking_id);
    outcome := 'confirmed';
END;
$$;


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
WHERE t.id IS NULL OR t.concert_id <> b.concert_id
UNION ALL
SELECT 'bookings', b.id, 'refused for tier ' || b.reject_tier_id
FROM bookings b
WHERE b.reject_tier_id IS NOT NULL
  AND NOT EXISTS (SELECT FROM ticket_tiers t WHERE t.id = b.reject_tier_id);

-- What the keys kept must hold already.
DO $$
DECLARE
    v_broken text;
BEGIN
    SELECT string_agg(table_name || ' ' || row_key || ': ' || problem, '; ') INTO v_broken
    FROM (SELECT * FROM reference_violations LIMIT 10) v;
    IF v_broken IS NOT NULL THEN
        RAISE EXCEPTION 'references are broken already: %', v_broken;
    END IF;
END
$$;

-- The daemon reads the view (deploy/check-invariants runs as it) and never writes through it;
-- of a quota it updates only the count.
DO $$
DECLARE
    app constant text := 'ticketd';
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    EXECUTE format('REVOKE INSERT, UPDATE ON reference_violations FROM %I', app);
    EXECUTE format('REVOKE UPDATE ON fan_quotas FROM %I', app);
    EXECUTE format('GRANT UPDATE (booked) ON fan_quotas TO %I', app);
END
$$;
