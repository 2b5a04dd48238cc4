-- 005_outcomes_not_json.sql - the database answers with outcomes and
-- numbers, never JSON: a rejected key keeps its shortage in three columns
-- (the tier's name is joined when it is replayed), and cancel_booking()
-- returns the amount it refunds, so nobody reads the booking twice.

ALTER TABLE bookings
    ADD COLUMN reject_tier_id text REFERENCES ticket_tiers (id),
    ADD COLUMN reject_requested integer,
    ADD COLUMN reject_available integer;

UPDATE bookings
SET reject_tier_id = reject_detail ->> 'tierId',
    reject_requested = (reject_detail ->> 'requested')::integer,
    reject_available = (reject_detail ->> 'available')::integer
WHERE reject_detail IS NOT NULL;

ALTER TABLE bookings DROP COLUMN reject_detail;

-- The same signature as in 003; only the rejected branch changed.
CREATE OR REPLACE FUNCTION book(p_key uuid, p_booking_id text, p_concert_id text,
                     p_user_id text, p_request text, p_method text,
                     p_total_cents bigint, p_tier_ids text[],
                     p_quantities integer[], p_bucket_counts integer[],
                     p_paid boolean, p_payment_ref text, p_request_id text,
                     OUT outcome text, OUT o_booking_id text,
                     OUT o_created_at text, OUT o_tier_id text,
                     OUT o_requested integer, OUT o_available integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_status text := CASE WHEN p_paid THEN 'confirmed' ELSE 'payment_failed' END;
    v_taken_tier text[] := '{}';
    v_taken_bucket integer[] := '{}';
    v_taken_qty integer[] := '{}';
    v_got integer;
    v_row record;
BEGIN
    -- Claim the key.  A concurrent request with the same key waits here
    -- for the first to commit, then finds the key taken.
    INSERT INTO bookings (id, idempotency_key, concert_id, user_id, status,
                          total_cents, payment_method, payment_ref, request)
    VALUES (p_booking_id, p_key, p_concert_id, p_user_id, v_status,
            p_total_cents, p_method, p_payment_ref, p_request)
    ON CONFLICT (idempotency_key) DO NOTHING;
    IF NOT FOUND THEN
        outcome := 'duplicate';
        RETURN;
    END IF;
    o_booking_id := p_booking_id;
    o_created_at := iso8601(now());

    IF NOT p_paid THEN
        INSERT INTO booking_events (booking_id, from_status, to_status, request_id)
        VALUES (p_booking_id, NULL, 'payment_failed', p_request_id);
        outcome := 'payment_failed';
        RETURN;
    END IF;

    FOR i IN 1 .. array_length(p_tier_ids, 1) LOOP
        v_got := 0;
        FOR v_row IN SELECT * FROM take_tickets(p_tier_ids[i], p_quantities[i],
                                                p_bucket_counts[i]) LOOP
            v_taken_tier := v_taken_tier || p_tier_ids[i];
            v_taken_bucket := v_taken_bucket || v_row.o_bucket;
            v_taken_qty := v_taken_qty || v_row.o_taken;
            v_got := v_got + v_row.o_taken;
        END LOOP;

        IF v_got < p_quantities[i] THEN
            -- Put back what earlier tiers took, into the very rows we
            -- already hold locks on (no new lock, so no deadlock).
            FOR j IN 1 .. coalesce(array_length(v_taken_tier, 1), 0) LOOP
                UPDATE tier_buckets SET available = available + v_taken_qty[j]
                WHERE tier_id = v_taken_tier[j] AND bucket = v_taken_bucket[j];
            END LOOP;
            SELECT coalesce(sum(b.available), 0)::integer INTO o_available
            FROM tier_buckets b WHERE b.tier_id = p_tier_ids[i];
            o_tier_id := p_tier_ids[i];
            o_requested := p_quantities[i];
            UPDATE bookings
            SET status = 'rejected', reject_tier_id = o_tier_id,
                reject_requested = o_requested, reject_available = o_available
            WHERE id = p_booking_id;
            INSERT INTO booking_events (booking_id, from_status, to_status, request_id)
            VALUES (p_booking_id, NULL, 'rejected', p_request_id);
            outcome := 'rejected';
            RETURN;
        END IF;
    END LOOP;

    INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents)
    SELECT p_booking_id, q.tier_id, q.quantity, t.price_cents
    FROM unnest(p_tier_ids, p_quantities) AS q(tier_id, quantity)
    JOIN ticket_tiers t ON t.id = q.tier_id;
    INSERT INTO booking_events (booking_id, from_status, to_status, request_id)
    VALUES (p_booking_id, NULL, 'confirmed', p_request_id);
    outcome := 'confirmed';
END;
$$;

-- Outcomes: cancelled, not_found, not_cancellable (o_status says why).
-- o_refunded_cents is what the cancelled booking had paid.
DROP FUNCTION cancel_booking(text, text);
CREATE FUNCTION cancel_booking(p_booking_id text, p_request_id text,
                               OUT outcome text, OUT o_status text,
                               OUT o_refunded_cents bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_item record;
BEGIN
    SELECT b.status, b.total_cents INTO o_status, o_refunded_cents
    FROM bookings b WHERE b.id = p_booking_id FOR UPDATE;
    IF NOT FOUND THEN
        outcome := 'not_found';
        RETURN;
    END IF;
    IF o_status <> 'confirmed' THEN
        outcome := 'not_cancellable';
        o_refunded_cents := 0;
        RETURN;
    END IF;

    FOR v_item IN SELECT i.tier_id, i.quantity FROM booking_items i
                  WHERE i.booking_id = p_booking_id ORDER BY i.tier_id LOOP
        PERFORM return_tickets(v_item.tier_id, v_item.quantity);
    END LOOP;
    UPDATE bookings SET status = 'cancelled', updated_at = now()
    WHERE id = p_booking_id;
    INSERT INTO booking_events (booking_id, from_status, to_status, request_id)
    VALUES (p_booking_id, 'confirmed', 'cancelled', p_request_id);
    outcome := 'cancelled';
    o_status := 'cancelled';
END;
$$;
