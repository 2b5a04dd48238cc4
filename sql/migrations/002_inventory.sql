-- 002_inventory.sql - creating tiers and taking or returning their tickets.

-- How many counter rows a tier of this size gets: one per 100 tickets,
-- at most 64 (measured: 64 rows turn ~490 commits/s on one hot row into
-- ~3,750/s at 32 clients).
CREATE FUNCTION tier_bucket_count(total integer) RETURNS integer
LANGUAGE sql IMMUTABLE AS $$
    SELECT greatest(1, least(64, total / 100));
$$;

CREATE FUNCTION add_tier(p_tier_id text, p_concert_id text, p_name text,
                         p_price_cents bigint, p_total integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    n integer := tier_bucket_count(p_total);
BEGIN
    INSERT INTO ticket_tiers (id, concert_id, tier_name, price_cents,
                              total_quantity, bucket_count)
    VALUES (p_tier_id, p_concert_id, p_name, p_price_cents, p_total, n);

    -- Spread the tickets evenly; the first (total mod n) buckets get one more.
    INSERT INTO tier_buckets (tier_id, bucket, capacity, available)
    SELECT p_tier_id, g, p_total / n + (g < p_total % n)::integer,
           p_total / n + (g < p_total % n)::integer
    FROM generate_series(0, n - 1) AS g;
    RETURN p_tier_id;
END;
$$;

-- add_concert('Name', 'Venue', '2027-05-01T20:00:00Z', ARRAY['VIP:100:100.00', ...])
-- Returns the new concert's id.  Used by deploy/add-concert and the tests.
CREATE FUNCTION add_concert(p_name text, p_venue text, p_event_date timestamptz,
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
    INSERT INTO concerts (id, name, venue, event_date)
    VALUES (v_id, p_name, p_venue, p_event_date);

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

-- Takes p_qty tickets of one tier; returns the buckets and counts taken,
-- or no rows (and takes nothing) when the tier has fewer than p_qty left.
-- Callers take tiers in sorted id order, so two bookings never wait on
-- each other in opposite orders.
CREATE FUNCTION take_tickets(p_tier_id text, p_qty integer, p_buckets integer,
                             OUT o_bucket integer, OUT o_taken integer)
RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE
    -- Drawn once here: random() inside the WHERE clause would be drawn
    -- again for every row and could match several buckets.
    v_pick integer := floor(random() * p_buckets)::integer;
    v_bucket integer;
    v_left integer;
    v_row record;
BEGIN
    -- 1. One random bucket: in a rush, concurrent bookings spread out.
    UPDATE tier_buckets b SET available = b.available - p_qty
    WHERE b.tier_id = p_tier_id
      AND b.bucket = v_pick
      AND b.available >= p_qty
    RETURNING b.bucket INTO v_bucket;
    IF FOUND THEN
        o_bucket := v_bucket; o_taken := p_qty; RETURN NEXT; RETURN;
    END IF;

    -- 2. Any single bucket that still has enough (read without a lock,
    --    then the guarded decrement decides).
    UPDATE tier_buckets b SET available = b.available - p_qty
    WHERE b.tier_id = p_tier_id
      AND b.bucket = (SELECT s.bucket FROM tier_buckets s
                      WHERE s.tier_id = p_tier_id AND s.available >= p_qty
                      ORDER BY s.available DESC LIMIT 1)
      AND b.available >= p_qty
    RETURNING b.bucket INTO v_bucket;
    IF FOUND THEN
        o_bucket := v_bucket; o_taken := p_qty; RETURN NEXT; RETURN;
    END IF;

    -- 3. The tier is nearly sold out or fragmented: lock all its buckets
    --    in order (no bucket of this tier is held by us yet), count
    --    exactly, and take across buckets.
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

-- Puts p_qty tickets of one tier back after a cancellation, filling
-- buckets that have room (in bucket order, as take_tickets locks them).
CREATE FUNCTION return_tickets(p_tier_id text, p_qty integer)
RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    v_left integer := p_qty;
    v_put integer;
    v_row record;
BEGIN
    FOR v_row IN SELECT x.bucket, x.capacity - x.available AS room
                 FROM tier_buckets x
                 WHERE x.tier_id = p_tier_id AND x.available < x.capacity
                 ORDER BY x.bucket FOR UPDATE LOOP
        v_put := least(v_row.room, v_left);
        UPDATE tier_buckets x SET available = x.available + v_put
        WHERE x.tier_id = p_tier_id AND x.bucket = v_row.bucket;
        v_left := v_left - v_put;
        EXIT WHEN v_left = 0;
    END LOOP;
    IF v_left > 0 THEN
        RAISE EXCEPTION 'tier % has no room for % returned tickets', p_tier_id, v_left
            USING ERRCODE = 'check_violation';
    END IF;
END;
$$;
