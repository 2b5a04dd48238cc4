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
--
-- Within a tier, only step 2 ever waits for a row lock, and it locks the
-- buckets in bucket order while holding none of them: step 1 uses SKIP
-- LOCKED, which never waits and locks only the bucket it takes from.  (A
-- guarded UPDATE that waits for a row and then fails its recheck keeps the
-- row locked; an UPDATE fast path therefore held a bucket out of order
-- while going on to lock others, and rushes deadlocked: 40P01, 55P03.)
CREATE FUNCTION take_tickets(p_tier_id text, p_qty integer, p_buckets integer,
                             OUT o_bucket integer, OUT o_taken integer)
RETURNS SETOF record
LANGUAGE plpgsql AS $$
DECLARE
    -- Drawn once here: random() inside a WHERE clause is drawn per row.
    v_start integer := floor(random() * greatest(p_buckets, 1))::integer;
    v_bucket integer;
    v_left integer;
    v_row record;
BEGIN
    -- 1. A bucket that has enough and that no one holds: the random one by
    --    its key (the rush's usual case, one index probe), else the next
    --    such bucket from there, so that concurrent bookings spread out.
    SELECT b.bucket INTO v_bucket FROM tier_buckets b
    WHERE b.tier_id = p_tier_id AND b.bucket = v_start AND b.available >= p_qty
    FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        SELECT b.bucket INTO v_bucket FROM tier_buckets b
        WHERE b.tier_id = p_tier_id AND b.available >= p_qty
        ORDER BY (b.bucket + greatest(p_buckets, 1) - v_start) % greatest(p_buckets, 1), b.bucket
        LIMIT 1
        FOR UPDATE SKIP LOCKED;
    END IF;
    IF FOUND THEN
        UPDATE tier_buckets b SET available = b.available - p_qty
        WHERE b.tier_id = p_tier_id AND b.bucket = v_bucket;
        o_bucket := v_bucket; o_taken := p_qty; RETURN NEXT; RETURN;
    END IF;

    -- 2. Nearly sold out, fragmented, or every bucket that fits is busy:
    --    lock all the tier's buckets in order (none is held by us yet),
    --    count exactly, and take across buckets.
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
