-- 001_schema.sql - concerts, tiers, inventory buckets, bookings, audit.
--
-- Overselling is impossible at this level whatever the application does:
-- every counter row carries CHECK (0 <= available <= capacity), and a
-- tier's capacity is the sum of its buckets' capacities.

CREATE TABLE concerts (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    venue       text NOT NULL CHECK (length(venue) BETWEEN 1 AND 200),
    event_date  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX concerts_event_date ON concerts (event_date, id);

CREATE TABLE ticket_tiers (
    id              text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    concert_id      text NOT NULL REFERENCES concerts (id),
    tier_name       text NOT NULL CHECK (length(tier_name) BETWEEN 1 AND 64),
    price_cents     bigint NOT NULL CHECK (price_cents >= 0),
    total_quantity  integer NOT NULL CHECK (total_quantity >= 0),
    bucket_count    integer NOT NULL CHECK (bucket_count BETWEEN 1 AND 256),
    UNIQUE (concert_id, tier_name)
);

CREATE INDEX ticket_tiers_concert ON ticket_tiers (concert_id);

-- A tier's unsold tickets, spread over bucket_count counter rows so that
-- concurrent bookings of one hot tier do not all queue on one row lock.
-- A booking takes from one bucket when it can and from several (locked
-- in bucket order) when no single bucket has enough, so a request is
-- refused only when the tier as a whole cannot serve it.
CREATE TABLE tier_buckets (
    tier_id    text NOT NULL REFERENCES ticket_tiers (id),
    bucket     integer NOT NULL CHECK (bucket >= 0),
    capacity   integer NOT NULL CHECK (capacity >= 0),
    available  integer NOT NULL,
    PRIMARY KEY (tier_id, bucket),
    CONSTRAINT tier_buckets_available_range
        CHECK (available >= 0 AND available <= capacity)
) WITH (fillfactor = 50);  -- room for HOT updates of the hot rows

-- One row per idempotency key: the booking, or the recorded outcome of a
-- key whose booking failed (payment_failed, rejected).
CREATE TABLE bookings (
    id               text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    idempotency_key  uuid NOT NULL,
    concert_id       text NOT NULL REFERENCES concerts (id),
    user_id          text NOT NULL CHECK (length(user_id) BETWEEN 1 AND 64),
    status           text NOT NULL CHECK (status IN
                         ('confirmed', 'cancelled', 'payment_failed', 'rejected')),
    total_cents      bigint NOT NULL CHECK (total_cents >= 0),
    payment_method   text NOT NULL,
    payment_ref      text,
    -- The canonical request (sorted tiers, cents, user, method): a key
    -- reused with another body is detected by comparing this text.
    request          text NOT NULL,
    -- For a rejected key: {"tierId","requested","available"} at the time.
    reject_detail    jsonb,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT bookings_idempotency_key UNIQUE (idempotency_key)
);

CREATE INDEX bookings_concert ON bookings (concert_id);

CREATE TABLE booking_items (
    booking_id   text NOT NULL REFERENCES bookings (id),
    tier_id      text NOT NULL REFERENCES ticket_tiers (id),
    quantity     integer NOT NULL CHECK (quantity BETWEEN 1 AND 10),
    price_cents  bigint NOT NULL CHECK (price_cents >= 0),
    PRIMARY KEY (booking_id, tier_id)
);

CREATE INDEX booking_items_tier ON booking_items (tier_id);

-- Append-only history: one row per state change of a booking.
CREATE TABLE booking_events (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id   text NOT NULL REFERENCES bookings (id),
    from_status  text,
    to_status    text NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    request_id   text
);

CREATE INDEX booking_events_booking ON booking_events (booking_id, id);

CREATE FUNCTION booking_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'booking_events is append-only';
END;
$$;

CREATE TRIGGER booking_events_no_update
    BEFORE UPDATE OR DELETE ON booking_events
    FOR EACH ROW EXECUTE FUNCTION booking_events_append_only();

-- The invariant, checkable by anyone at any moment: every tier's tickets
-- are either unsold in its buckets or in a confirmed booking, and its
-- buckets add up to its size.  Rows appear here only when it is broken.
CREATE VIEW inventory_violations AS
WITH b AS (
    SELECT tier_id, sum(capacity) AS capacity, sum(available) AS available,
           min(available) AS lowest
    FROM tier_buckets GROUP BY tier_id
), sold AS (
    SELECT i.tier_id, sum(i.quantity) AS sold
    FROM booking_items i JOIN bookings bk ON bk.id = i.booking_id
    WHERE bk.status = 'confirmed'
    GROUP BY i.tier_id
)
SELECT t.id AS tier_id, t.total_quantity,
       coalesce(b.capacity, 0) AS bucket_capacity,
       coalesce(b.available, 0) AS available,
       coalesce(sold.sold, 0) AS sold
FROM ticket_tiers t
LEFT JOIN b ON b.tier_id = t.id
LEFT JOIN sold ON sold.tier_id = t.id
WHERE t.total_quantity <> coalesce(b.capacity, 0)
   OR t.total_quantity <> coalesce(b.available, 0) + coalesce(sold.sold, 0)
   OR coalesce(b.lowest, 0) < 0;
