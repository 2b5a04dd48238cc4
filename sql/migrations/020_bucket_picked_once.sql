-- 020_bucket_picked_once.sql - a booking's quick look at the buckets picks
-- one bucket, whatever plan PostgreSQL chooses (a fix).
--
-- book() took its bucket with UPDATE tier_buckets b ... FROM (SELECT ...
-- LIMIT 1 FOR UPDATE SKIP LOCKED) s WHERE b.bucket = s.bucket.  When the
-- planner put the subquery on the inner side of a nested loop, it ran once
-- per bucket row: the first run locked and updated a bucket, and the next,
-- skipping the row this statement had just updated, returned another, so
-- two buckets were taken for one line and PL/pgSQL raised P0003 ("query
-- returned more than one row"): a 500 in a rush.  It was seen on a slower
-- machine, in two test suites, on a tier of 3 buckets; which plan a session
-- gets depends on the table's statistics.  Here the bucket is a scalar
-- subquery compared with b.bucket: PostgreSQL runs an uncorrelated one once,
-- before the scan, so at most one row is taken.  The one statement of 017
-- (statements.c) is changed the same way; 019's batch picks its buckets in
-- a CTE, which runs once.
--
-- Nothing else in book() changes.

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
            WHERE b.tier_id = p_tier_ids[i] AND b.available >= p_quantities[i]
              AND b.bucket = (SELECT x.bucket FROM tier_buckets x
                              WHERE x.tier_id = p_tier_ids[i] AND x.bucket = v_start
                                AND x.available >= p_quantities[i]
                              FOR UPDATE SKIP LOCKED)
            RETURNING b.bucket INTO v_bucket;
            IF NOT FOUND THEN
                -- The next bucket with enough that no one holds, from v_start on.
                UPDATE tier_buckets b SET available = b.available - p_quantities[i]
                WHERE b.tier_id = p_tier_ids[i] AND b.available >= p_quantities[i]
                  AND b.bucket = (SELECT x.bucket FROM tier_buckets x
                                  WHERE x.tier_id = p_tier_ids[i]
                                    AND x.available >= p_quantities[i]
                                  ORDER BY (x.bucket + greatest(p_bucket_counts[i], 1) - v_start)
                                           % greatest(p_bucket_counts[i], 1), x.bucket
                                  LIMIT 1
                                  FOR UPDATE SKIP LOCKED)
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
