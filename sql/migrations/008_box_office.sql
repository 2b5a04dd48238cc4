-- 008_box_office.sql - the box office: concerts have a venue time zone, a
-- sales window and a state; admins change tiers while a sale runs; every
-- change of a booking records who made it and why.
--
-- Rules the database keeps whatever the application does:
--   * a booking is confirmed only while its concert is published, its
--     sales window is open and the event has not started, at the prices
--     the fan was charged (book() checks all of it after it holds the
--     tickets, so an admin's change either precedes the booking or waits
--     for it);
--   * a tier's capacity never goes below what it has sold, and its buckets
--     always add up to it (inventory_violations stays empty);
--   * a tier is repriced only before its first sale.

ALTER TABLE concerts
    ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'
        CHECK (time_zone ~ '^[A-Za-z0-9_+/-]{1,64}$'),
    ADD COLUMN doors_at timestamptz,
    ADD COLUMN description text NOT NULL DEFAULT ''
        CHECK (length(description) <= 2000),
    ADD COLUMN sales_start timestamptz,
    ADD COLUMN sales_end timestamptz,
    ADD COLUMN status text NOT NULL DEFAULT 'draft'
        CHECK (status IN ('draft', 'published', 'cancelled')),
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

-- What existed was on sale from its creation until it started.
UPDATE concerts
SET status = 'published',
    sales_start = least(created_at, event_date - interval '1 second'),
    sales_end = event_date;
UPDATE concerts SET time_zone = 'America/New_York'
WHERE id IN ('concert_001', 'concert_002');
UPDATE concerts SET time_zone = 'America/Los_Angeles' WHERE id = 'concert_003';

ALTER TABLE concerts
    ALTER COLUMN sales_start SET NOT NULL,
    ALTER COLUMN sales_end SET NOT NULL,
    ADD CONSTRAINT concerts_sales_window
        CHECK (sales_start < sales_end AND sales_end <= event_date),
    ADD CONSTRAINT concerts_doors CHECK (doors_at IS NULL OR doors_at <= event_date);

-- The public listing: published concerts by start.
CREATE INDEX concerts_published ON concerts (event_date, id) WHERE status = 'published';

-- The instant ts as local time in zone tz with its offset:
-- iso8601_at('2027-06-16T00:00:00Z', 'America/New_York') = '2027-06-15T20:00:00-04:00'.
CREATE FUNCTION iso8601_at(ts timestamptz, tz text) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT to_char(ts AT TIME ZONE tz, 'YYYY-MM-DD"T"HH24:MI:SS')
        || CASE WHEN off < 0 THEN '-' ELSE '+' END
        || to_char(abs(off) / 3600, 'FM00') || ':'
        || to_char(abs(off) % 3600 / 60, 'FM00')
    FROM (SELECT extract(epoch FROM (ts AT TIME ZONE tz) - (ts AT TIME ZONE 'UTC'))::integer
          AS off) o;
$$;

-- Whether tz is a time zone PostgreSQL knows by its IANA name (not an
-- abbreviation such as 'EST' or a POSIX rule such as 'UTC+3').
CREATE FUNCTION time_zone_known(tz text) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT (tz = 'UTC' OR tz ~ '^[A-Za-z]+/[A-Za-z0-9_+/-]+$')
       AND EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = tz);
$$;

-- The audit trail names who changed a booking (NULL: the system) and why.
ALTER TABLE booking_events
    ADD COLUMN actor_id text REFERENCES users (id),
    ADD COLUMN reason text CHECK (length(reason) <= 500);

-- The dashboard's per-minute rate and the CSV read a concert's bookings
-- by time; this index replaces the one on concert_id alone, so the hot
-- insert keeps the same number of indexes.
CREATE INDEX bookings_concert_created ON bookings (concert_id, created_at);
DROP INDEX bookings_concert;

-- The dashboard's refunds read only the cancelled bookings.
CREATE INDEX bookings_cancelled ON bookings (concert_id) WHERE status = 'cancelled';

-- Why a key was rejected, now also: the sale was closed or had not
-- started when the booking committed, or the tier was repriced between
-- the fan's check and the commit.
ALTER TABLE bookings DROP CONSTRAINT bookings_reject_reason_check;
ALTER TABLE bookings ADD CONSTRAINT bookings_reject_reason_check
    CHECK (reject_reason IN ('inventory', 'fan_limit', 'sales_closed',
                             'sales_not_started', 'price_changed'));

-- Gives back the tickets a booking took in this transaction, into the
-- very rows it holds locks on (no new lock, so no deadlock).
CREATE FUNCTION put_back_tickets(p_tiers text[], p_buckets integer[], p_qty integer[])
RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    FOR j IN 1 .. coalesce(array_length(p_tiers, 1), 0) LOOP
        UPDATE tier_buckets SET available = available + p_qty[j]
        WHERE tier_id = p_tiers[j] AND bucket = p_buckets[j];
    END LOOP;
END;
$$;

-- book() as in 006, and after it holds the tickets it checks the concert
-- again: published, in its sales window, not started, and the prices the
-- fan was charged (p_total_cents).  An admin's change that commits first
-- is seen here (each statement reads the latest commit), and one that
-- comes later waits for this booking's bucket locks.  New outcomes, each
-- recorded on the key as rejected with that reason, nothing taken:
--   sales_closed       cancelled, unpublished, past its sales end or started
--   sales_not_started  its sales start was moved later
--   price_changed      a tier was repriced since the fan's check
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
    v_got integer;
    v_row record;
    v_wanted integer;
    v_booked integer;
    v_concert record;
    v_refused text;
BEGIN
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
        INSERT INTO booking_events (booking_id, from_status, to_status, request_id, actor_id)
        VALUES (p_booking_id, NULL, 'payment_failed', p_request_id, p_user_id);
        outcome := 'payment_failed';
        RETURN;
    END IF;

    SELECT sum(q)::integer INTO v_wanted FROM unnest(p_quantities) AS q;
    SELECT c.max_tickets_per_fan INTO o_limit FROM concerts c
    WHERE c.id = p_concert_id;
    IF v_wanted <= o_limit THEN
        INSERT INTO fan_quotas AS f (concert_id, user_id, booked)
        VALUES (p_concert_id, p_user_id, v_wanted)
        ON CONFLICT (concert_id, user_id) DO UPDATE
            SET booked = f.booked + EXCLUDED.booked
            WHERE f.booked + EXCLUDED.booked <= o_limit
        RETURNING f.booked INTO v_booked;
    END IF;
    IF v_booked IS NULL THEN
        SELECT coalesce((SELECT f.booked FROM fan_quotas f
                         WHERE f.concert_id = p_concert_id
                           AND f.user_id = p_user_id), 0)
        INTO o_available;
        o_requested := v_wanted;
        UPDATE bookings
        SET status = 'rejected', reject_reason = 'fan_limit',
            reject_requested = o_requested, reject_available = o_available,
            reject_limit = o_limit
        WHERE id = p_booking_id;
        INSERT INTO booking_events (booking_id, from_status, to_status, request_id, actor_id)
        VALUES (p_booking_id, NULL, 'rejected', p_request_id, p_user_id);
        outcome := 'fan_limit';
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
            PERFORM put_back_tickets(v_taken_tier, v_taken_bucket, v_taken_qty);
            SELECT coalesce(sum(b.available), 0)::integer INTO o_available
            FROM tier_buckets b WHERE b.tier_id = p_tier_ids[i];
            o_tier_id := p_tier_ids[i];
            o_requested := p_quantities[i];
            UPDATE fan_quotas SET booked = booked - v_wanted
            WHERE concert_id = p_concert_id AND user_id = p_user_id;
            UPDATE bookings
            SET status = 'rejected', reject_reason = 'inventory',
                reject_tier_id = o_tier_id, reject_requested = o_requested,
                reject_available = o_available
            WHERE id = p_booking_id;
            INSERT INTO booking_events (booking_id, from_status, to_status, request_id, actor_id)
            VALUES (p_booking_id, NULL, 'rejected', p_request_id, p_user_id);
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
        UPDATE fan_quotas SET booked = booked - v_wanted
        WHERE concert_id = p_concert_id AND user_id = p_user_id;
        UPDATE bookings SET status = 'rejected', reject_reason = v_refused
        WHERE id = p_booking_id;
        INSERT INTO booking_events (booking_id, from_status, to_status, request_id, actor_id)
        VALUES (p_booking_id, NULL, 'rejected', p_request_id, p_user_id);
        outcome := v_refused;
        RETURN;
    END IF;

    INSERT INTO booking_items (booking_id, tier_id, quantity, price_cents)
    SELECT p_booking_id, q.tier_id, q.quantity, t.price_cents
    FROM unnest(p_tier_ids, p_quantities) AS q(tier_id, quantity)
    JOIN ticket_tiers t ON t.id = q.tier_id;
    INSERT INTO booking_events (booking_id, from_status, to_status, request_id, actor_id)
    VALUES (p_booking_id, NULL, 'confirmed', p_request_id, p_user_id);
    outcome := 'confirmed';
END;
$$;

-- cancel_booking() of 006 with the actor (p_user_id: the fan or the
-- admin) and a reason in the audit trail.  A fan may cancel only before
-- the concert starts (outcome closed); an admin may at any time.
DROP FUNCTION cancel_booking(text, text, text, boolean);
CREATE FUNCTION cancel_booking(p_booking_id text, p_request_id text,
                               p_user_id text, p_is_admin boolean,
                               p_reason text,
                               OUT outcome text, OUT o_status text,
                               OUT o_refunded_cents bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_item record;
    v_booking record;
BEGIN
    SELECT b.status, b.total_cents, b.concert_id, b.user_id, c.event_date
    INTO v_booking
    FROM bookings b JOIN concerts c ON c.id = b.concert_id
    WHERE b.id = p_booking_id AND (p_is_admin OR b.user_id = p_user_id)
    FOR UPDATE OF b;
    IF NOT FOUND THEN
        outcome := 'not_found';
        RETURN;
    END IF;
    o_status := v_booking.status;
    o_refunded_cents := 0;
    IF o_status <> 'confirmed' THEN
        outcome := 'not_cancellable';
        RETURN;
    END IF;
    IF NOT p_is_admin AND now() >= v_booking.event_date THEN
        outcome := 'closed';
        RETURN;
    END IF;

    UPDATE fan_quotas f
    SET booked = greatest(f.booked - (SELECT sum(i.quantity) FROM booking_items i
                                      WHERE i.booking_id = p_booking_id), 0)
    WHERE f.concert_id = v_booking.concert_id AND f.user_id = v_booking.user_id;
    FOR v_item IN SELECT i.tier_id, i.quantity FROM booking_items i
                  WHERE i.booking_id = p_booking_id ORDER BY i.tier_id LOOP
        PERFORM return_tickets(v_item.tier_id, v_item.quantity);
    END LOOP;
    UPDATE bookings SET status = 'cancelled', updated_at = now()
    WHERE id = p_booking_id;
    INSERT INTO booking_events (booking_id, from_status, to_status, request_id,
                                actor_id, reason)
    VALUES (p_booking_id, 'confirmed', 'cancelled', p_request_id, p_user_id, p_reason);
    outcome := 'cancelled';
    o_status := 'cancelled';
    o_refunded_cents := v_booking.total_cents;
END;
$$;

-- Creates a concert and its tiers; ticketd has validated every value
-- (deploy/add-concert goes through ticketd too).  p_starts and p_doors
-- are local times in p_tz.  Outcomes: created, duplicate_tier_name
-- (o_detail names it), unknown_time_zone.
CREATE FUNCTION create_concert(p_id text, p_name text, p_venue text, p_tz text,
                               p_starts timestamp, p_doors timestamp,
                               p_description text, p_sales_start timestamptz,
                               p_sales_end timestamptz, p_max_per_fan integer,
                               p_status text, p_tier_ids text[],
                               p_tier_names text[], p_prices bigint[],
                               p_capacities integer[],
                               OUT outcome text, OUT o_detail text)
LANGUAGE plpgsql AS $$
DECLARE
    v_starts timestamptz;
BEGIN
    IF NOT time_zone_known(p_tz) THEN
        outcome := 'unknown_time_zone';
        RETURN;
    END IF;
    SELECT min(n) INTO o_detail FROM unnest(p_tier_names) AS n
    GROUP BY lower(n) HAVING count(*) > 1 LIMIT 1;
    IF o_detail IS NOT NULL THEN
        outcome := 'duplicate_tier_name';
        RETURN;
    END IF;
    v_starts := p_starts AT TIME ZONE p_tz;
    INSERT INTO concerts (id, name, venue, event_date, time_zone, doors_at,
                          description, sales_start, sales_end,
                          max_tickets_per_fan, status)
    VALUES (p_id, p_name, p_venue, v_starts, p_tz, p_doors AT TIME ZONE p_tz,
            p_description, coalesce(p_sales_start, now()),
            coalesce(p_sales_end, v_starts), p_max_per_fan, p_status);
    FOR i IN 1 .. coalesce(array_length(p_tier_ids, 1), 0) LOOP
        PERFORM add_tier(p_tier_ids[i], p_id, p_tier_names[i], p_prices[i],
                         p_capacities[i]);
    END LOOP;
    outcome := 'created';
END;
$$;

-- Resolves local times in a zone the way create_concert() and
-- update_concert() will store them, so that ticketd can check the
-- instants (a start in the past, doors after the start) first.
-- No row for an unknown zone.
CREATE FUNCTION resolve_local_times(p_tz text, p_starts timestamp, p_doors timestamp,
                                    OUT o_starts_ms bigint, OUT o_doors_ms bigint,
                                    OUT o_now_ms bigint)
RETURNS SETOF record
LANGUAGE plpgsql STABLE AS $$
BEGIN
    -- AT TIME ZONE raises for an unknown zone: ask first.
    IF NOT time_zone_known(p_tz) THEN
        RETURN;
    END IF;
    o_starts_ms := (extract(epoch FROM p_starts AT TIME ZONE p_tz) * 1000)::bigint;
    o_doors_ms := (extract(epoch FROM p_doors AT TIME ZONE p_tz) * 1000)::bigint;
    o_now_ms := (extract(epoch FROM now()) * 1000)::bigint;
    RETURN NEXT;
END;
$$;

-- Changes one tier's capacity (never below what it has sold), name or
-- price (only before its first sale), holding its buckets locked in
-- bucket order as take_tickets() does, so that no booking of the tier is
-- between its check and its commit.  Outcomes: changed, unknown_tier,
-- capacity_below_sold (o_sold), tier_has_sales, duplicate_tier_name.
CREATE FUNCTION change_tier(p_concert_id text, p_tier_id text, p_name text,
                            p_price_cents bigint, p_capacity integer,
                            OUT outcome text, OUT o_sold integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_tier record;
    v_available integer;
    v_delta integer;
    v_target integer;
    v_left integer;
    v_row record;
    v_cut integer;
BEGIN
    -- NO KEY UPDATE, not UPDATE: a booking that holds one of the buckets
    -- below takes a KEY SHARE lock on this row (booking_items' foreign
    -- key) before it commits; FOR UPDATE would make it wait for us while
    -- we wait for its bucket, a deadlock.
    SELECT t.* INTO v_tier FROM ticket_tiers t
    WHERE t.id = p_tier_id AND t.concert_id = p_concert_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        outcome := 'unknown_tier';
        RETURN;
    END IF;
    SELECT sum(s.available)::integer INTO v_available
    FROM (SELECT b.available FROM tier_buckets b WHERE b.tier_id = p_tier_id
          ORDER BY b.bucket FOR UPDATE) s;
    o_sold := v_tier.total_quantity - v_available;

    IF p_name IS NOT NULL AND p_name <> v_tier.tier_name AND EXISTS (
        SELECT 1 FROM ticket_tiers t WHERE t.concert_id = p_concert_id
        AND t.id <> p_tier_id AND lower(t.tier_name) = lower(p_name)) THEN
        outcome := 'duplicate_tier_name';
        RETURN;
    END IF;
    IF p_price_cents IS NOT NULL AND p_price_cents <> v_tier.price_cents AND EXISTS (
        SELECT 1 FROM booking_items i WHERE i.tier_id = p_tier_id) THEN
        outcome := 'tier_has_sales';
        RETURN;
    END IF;
    IF p_capacity IS NOT NULL AND p_capacity < o_sold THEN
        outcome := 'capacity_below_sold';
        RETURN;
    END IF;

    v_delta := coalesce(p_capacity, v_tier.total_quantity) - v_tier.total_quantity;
    IF v_delta > 0 THEN
        -- More tickets may need more counter rows (002's rule), added empty
        -- before the new tickets are spread over all of them.
        v_target := greatest(v_tier.bucket_count, tier_bucket_count(p_capacity));
        INSERT INTO tier_buckets (tier_id, bucket, capacity, available)
        SELECT p_tier_id, g, 0, 0 FROM generate_series(v_tier.bucket_count, v_target - 1) g;
        UPDATE tier_buckets b
        SET capacity = b.capacity + v_delta / v_target + (b.bucket < v_delta % v_target)::integer,
            available = b.available + v_delta / v_target + (b.bucket < v_delta % v_target)::integer
        WHERE b.tier_id = p_tier_id;
        UPDATE ticket_tiers SET bucket_count = v_target WHERE id = p_tier_id;
    ELSIF v_delta < 0 THEN
        -- Unsold tickets leave, fullest buckets first.
        v_left := -v_delta;
        FOR v_row IN SELECT b.bucket, b.available FROM tier_buckets b
                     WHERE b.tier_id = p_tier_id AND b.available > 0
                     ORDER BY b.available DESC, b.bucket LOOP
            v_cut := least(v_row.available, v_left);
            UPDATE tier_buckets b
            SET capacity = b.capacity - v_cut, available = b.available - v_cut
            WHERE b.tier_id = p_tier_id AND b.bucket = v_row.bucket;
            v_left := v_left - v_cut;
            EXIT WHEN v_left = 0;
        END LOOP;
    END IF;

    UPDATE ticket_tiers
    SET tier_name = coalesce(p_name, tier_name),
        price_cents = coalesce(p_price_cents, price_cents),
        total_quantity = coalesce(p_capacity, total_quantity)
    WHERE id = p_tier_id;
    outcome := 'changed';
END;
$$;

-- Cancels a concert and every confirmed booking of it (each refunded,
-- each with its event naming the admin and the reason).  Locks what
-- book() locks, in its order: the fans' quota rows, then every bucket;
-- a booking in flight either commits first (and is cancelled here) or
-- finds the concert cancelled and takes nothing.  Returns the bookings
-- cancelled.
CREATE FUNCTION cancel_concert(p_concert_id text, p_actor text, p_reason text,
                               p_request_id text)
RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    v_count integer;
BEGIN
    UPDATE concerts SET status = 'cancelled', updated_at = now()
    WHERE id = p_concert_id;
    PERFORM 1 FROM fan_quotas q WHERE q.concert_id = p_concert_id
    ORDER BY q.user_id FOR UPDATE;
    PERFORM 1 FROM tier_buckets b JOIN ticket_tiers t ON t.id = b.tier_id
    WHERE t.concert_id = p_concert_id ORDER BY b.tier_id, b.bucket FOR UPDATE OF b;

    WITH cancelled AS (
        UPDATE bookings SET status = 'cancelled', updated_at = now()
        WHERE concert_id = p_concert_id AND status = 'confirmed'
        RETURNING id
    ), events AS (
        INSERT INTO booking_events (booking_id, from_status, to_status,
                                    request_id, actor_id, reason)
        SELECT id, 'confirmed', 'cancelled', p_request_id, p_actor, p_reason
        FROM cancelled
    )
    SELECT count(*) INTO v_count FROM cancelled;
    UPDATE fan_quotas SET booked = 0 WHERE concert_id = p_concert_id;
    UPDATE tier_buckets b SET available = b.capacity
    FROM ticket_tiers t
    WHERE t.id = b.tier_id AND t.concert_id = p_concert_id;
    RETURN v_count;
END;
$$;

-- The admin's changes to a concert in one transaction: the concert's
-- fields (ticketd sends them all, merged and validated), then each tier
-- change (NULL elements: unchanged), then the new tiers, and for status
-- 'cancelled' every booking.  Outcomes: updated, not_found,
-- concert_cancelled, unpublish_with_sales, unknown_time_zone,
-- duplicate_tier_name (o_tier_id holds the name), and change_tier()'s
-- refusals (o_tier_id, o_sold).  A refusal after some writes undoes them
-- (the block's exception) and still answers with its outcome.
CREATE FUNCTION update_concert(p_id text, p_actor text, p_request_id text,
                               p_name text, p_venue text, p_tz text,
                               p_starts timestamp, p_doors timestamp,
                               p_description text, p_sales_start timestamptz,
                               p_sales_end timestamptz, p_max_per_fan integer,
                               p_status text, p_cancel_reason text,
                               p_change_ids text[], p_change_names text[],
                               p_change_prices bigint[], p_change_capacities integer[],
                               p_new_ids text[], p_new_names text[],
                               p_new_prices bigint[], p_new_capacities integer[],
                               OUT outcome text, OUT o_tier_id text,
                               OUT o_sold integer)
LANGUAGE plpgsql AS $$
DECLARE
    v_concert record;
    v_changed record;
BEGIN
    SELECT c.* INTO v_concert FROM concerts c WHERE c.id = p_id FOR NO KEY UPDATE;
    IF NOT FOUND THEN
        outcome := 'not_found';
        RETURN;
    END IF;
    IF v_concert.status = 'cancelled' THEN
        outcome := 'concert_cancelled';
        RETURN;
    END IF;
    IF NOT time_zone_known(p_tz) THEN
        outcome := 'unknown_time_zone';
        RETURN;
    END IF;
    IF p_status = 'draft' AND v_concert.status = 'published' THEN
        -- As cancel_concert(): every bucket first, so that a booking in
        -- flight has either committed (and is seen below) or waits and
        -- then finds the concert unpublished.
        PERFORM 1 FROM tier_buckets b JOIN ticket_tiers t ON t.id = b.tier_id
        WHERE t.concert_id = p_id ORDER BY b.tier_id, b.bucket FOR UPDATE OF b;
        IF EXISTS (SELECT 1 FROM bookings b
                   WHERE b.concert_id = p_id AND b.status = 'confirmed') THEN
            outcome := 'unpublish_with_sales';
            RETURN;
        END IF;
    END IF;
    SELECT min(n) INTO o_tier_id FROM (
        SELECT coalesce(c.name, t.tier_name) AS n FROM ticket_tiers t
        LEFT JOIN unnest(p_change_ids, p_change_names) AS c(id, name) ON c.id = t.id
        WHERE t.concert_id = p_id
        UNION ALL SELECT unnest(p_new_names)) names
    GROUP BY lower(n) HAVING count(*) > 1 LIMIT 1;
    IF o_tier_id IS NOT NULL THEN
        outcome := 'duplicate_tier_name';
        RETURN;
    END IF;

    BEGIN
        UPDATE concerts
        SET name = p_name, venue = p_venue, time_zone = p_tz,
            event_date = p_starts AT TIME ZONE p_tz,
            doors_at = p_doors AT TIME ZONE p_tz, description = p_description,
            sales_start = p_sales_start, sales_end = p_sales_end,
            max_tickets_per_fan = p_max_per_fan, updated_at = now(),
            status = CASE WHEN p_status = 'cancelled' THEN status ELSE p_status END
        WHERE id = p_id;

        FOR i IN 1 .. coalesce(array_length(p_change_ids, 1), 0) LOOP
            SELECT * INTO v_changed
            FROM change_tier(p_id, p_change_ids[i], p_change_names[i],
                             p_change_prices[i], p_change_capacities[i]);
            IF v_changed.outcome <> 'changed' THEN
                outcome := v_changed.outcome;
                o_tier_id := p_change_ids[i];
                o_sold := v_changed.o_sold;
                RAISE EXCEPTION USING ERRCODE = 'TD409';
            END IF;
        END LOOP;
        FOR i IN 1 .. coalesce(array_length(p_new_ids, 1), 0) LOOP
            PERFORM add_tier(p_new_ids[i], p_id, p_new_names[i], p_new_prices[i],
                             p_new_capacities[i]);
        END LOOP;
        IF p_status = 'cancelled' THEN
            PERFORM cancel_concert(p_id, p_actor, p_cancel_reason, p_request_id);
        END IF;
    EXCEPTION WHEN SQLSTATE 'TD409' THEN
        RETURN; -- outcome and its numbers were set before the raise
    END;
    outcome := 'updated';
END;
$$;

-- The SQL helpers of 002 and 006 (the tests' fixtures) make concerts that
-- are on sale now, in UTC, as everything made before this migration.
CREATE OR REPLACE FUNCTION add_concert(p_name text, p_venue text, p_event_date timestamptz,
                                       p_tiers text[])
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_id text := 'concert_' || substr(md5(random()::text || clock_timestamp()::text), 1, 10);
    v_spec text;
    v_parts text[];
BEGIN
    IF coalesce(array_length(p_tiers, 1), 0) = 0 THEN
        RAISE EXCEPTION 'a concert needs at least one tier (NAME:QUANTITY:PRICE)';
    END IF;
    INSERT INTO concerts (id, name, venue, event_date, status, sales_start, sales_end)
    VALUES (v_id, p_name, p_venue, p_event_date, 'published', now(), p_event_date);

    FOREACH v_spec IN ARRAY p_tiers LOOP
        v_parts := string_to_array(v_spec, ':');
        IF array_length(v_parts, 1) <> 3 OR v_parts[1] !~ '^[A-Za-z0-9_-]{1,32}$'
           OR v_parts[2] !~ '^[0-9]{1,9}$' OR v_parts[3] !~ '^[0-9]{1,8}(\.[0-9]{1,2})?$' THEN
            RAISE EXCEPTION 'tier "%" is not NAME:QUANTITY:PRICE (e.g. VIP:100:100.00)', v_spec;
        END IF;
        PERFORM add_tier(v_id || '_' || lower(v_parts[1]), v_id, v_parts[1],
                         round(v_parts[3]::numeric * 100)::bigint,
                         v_parts[2]::integer);
    END LOOP;
    RETURN v_id;
END;
$$;
