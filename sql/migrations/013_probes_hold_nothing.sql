-- 013_probes_hold_nothing.sql - a booking's quick look for a bucket keeps no
-- row lock it did not use, so bookings that lock a tier's buckets in order
-- cannot deadlock.
--
-- FOR UPDATE SKIP LOCKED locks a row before it checks the row's newest
-- version against the WHERE clause again: a bucket another booking emptied
-- after our statement began is locked, fails that second look, is skipped,
-- and stays locked until we commit.  A booking that then had to lock all the
-- tier's buckets in order (002's last resort) waited for bucket 0 while
-- holding bucket k out of order, and one holding 0..k-1 waited for k:
-- deadlock (40P01; the store ran it again, after deadlock_timeout).  The
-- benchmark saw 13 in one run.
--
-- Now both looks (the random bucket, then the next with enough) run in a
-- PL/pgSQL block, which is a subtransaction: when neither takes a bucket,
-- the block raises and its rollback gives back whatever the looks locked.
-- Only then are the buckets locked in order (take_tickets_in_order(), 002's
-- last step on its own).  A look that takes a bucket keeps only rows of this
-- tier, and later lines are later tiers (the lines are sorted), so no lock
-- is ever waited for out of order.  take_tickets() (002), whose looks had the
-- same hole and which nothing calls any more, is dropped.

-- 002's last resort: every bucket of the tier locked in bucket order, then
-- the tickets taken from the first buckets that have them.  Returns no row
-- when the tier has fewer than p_qty left.
CREATE FUNCTION take_tickets_in_order(p_tier_id text, p_qty integer,
                                      OUT o_bucket integer, OUT o_taken integer)
RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE
    v_left integer;
    v_row record;
BEGIN
    SELECT sum(s.available) INTO v_left
    FROM (SELECT x.available FROM tier_buckets x
          WHERE x.tier_id = p_tier_id ORDER BY x.bucket FOR UPDATE) s;
    IF coalesce(v_left, 0) < p_qty THEN
        RETURN;
    END IF;
    v_left := p_qty;
    FOR v_row IN SELECT x.bucket, x.available FROM tier_buckets x
                 WHERE x.tier_id = p_tier_id AND x.available > 0
                 ORDER BY x.bucket LOOP
        o_taken := least(v_row.available, v_left);
        UPDATE tier_buckets x SET available = x.available - o_taken
        WHERE x.tier_id = p_tier_id AND x.bucket = v_row.bucket;
        o_bucket := v_row.bucket;
        RETURN NEXT;
        v_left := v_left - o_taken;
        EXIT WHEN v_left = 0;
    END LOOP;
END;
$$;

-- book() of 012, its bucket taken as above; nothing else changes.
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
    INSERT INTO bookings (id, idempotency_key, concert_id, user_id, status,
                          total_cents, payment_method, payment_ref, request,
                          request_id)
    VALUES (p_booking_id, p_key, p_concert_id, p_user_id, v_status,
            p_total_cents, p_method, p_payment_ref, p_request, p_request_id)
    ON CONFLICT (idempotency_key) DO NOTHING;
    IF NOT FOUND THEN
        outcome := 'duplicate';
        RETURN;
    END IF;
    o_booking_id := p_booking_id;
    o_created_at := iso8601(now());

    IF NOT p_paid THEN
        outcome := 'payment_failed';
        RETURN;
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
        -- The block's subtransaction: see the top of this file.
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

DROP FUNCTION take_tickets(text, integer, integer);

-- 009 meant every function to be the daemon's to call and nobody else's, but
-- its ALTER DEFAULT PRIVILEGES ... IN SCHEMA cannot take away what is
-- granted to PUBLIC by default: functions made since (010 on) were PUBLIC's.
-- 009's views were granted like tables: the daemon only reads them.
DO $$
DECLARE
    app constant text := 'ticketd';
    fn regprocedure;
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RETURN;
    END IF;
    FOR fn IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND has_function_privilege('public', p.oid, 'EXECUTE')
    LOOP
        EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', fn);
        EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', fn, app);
    END LOOP;
    ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    EXECUTE format('REVOKE INSERT, UPDATE ON booking_history, outbox_violations FROM %I', app);
END
$$;
