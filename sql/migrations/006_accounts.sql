-- 006_accounts.sql - fans have accounts: bookings belong to someone, and
-- each concert limits how many tickets one fan may hold.

CREATE TABLE users (
    id             text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    -- Normalised by ticketd (trimmed, lower-cased) before it gets here.
    email          text NOT NULL
                   CHECK (email = lower(btrim(email)) AND length(email) BETWEEN 3 AND 254),
    name           text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- Argon2id in libsodium's string form; '!' never verifies.
    password_hash  text NOT NULL,
    role           text NOT NULL DEFAULT 'fan' CHECK (role IN ('fan', 'admin')),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email UNIQUE (email)
);

-- A session is the SHA-256 of a random 256-bit token: the token itself
-- lives only in the fan's cookie.  Expiry (absolute and idle) is decided
-- by ticketd from created_at and last_seen_at; logout sets revoked_at.
CREATE TABLE sessions (
    token_hash    text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id       text NOT NULL REFERENCES users (id),
    created_at    timestamptz NOT NULL DEFAULT now(),
    last_seen_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at    timestamptz
);

CREATE INDEX sessions_user ON sessions (user_id) WHERE revoked_at IS NULL;

-- Failed sign-ins per email, known or not, so that slowing an account down
-- never tells whether it exists.  (007 counts them per client address too.)
CREATE TABLE login_failures (
    email           text PRIMARY KEY,
    failures        integer NOT NULL CHECK (failures > 0),
    last_failed_at  timestamptz NOT NULL
);

ALTER TABLE concerts
    ADD COLUMN max_tickets_per_fan integer NOT NULL DEFAULT 10
        CHECK (max_tickets_per_fan BETWEEN 1 AND 100);

-- Tickets each fan holds per concert: one small row per fan and concert,
-- taken with a guarded increment in book() and given back by a
-- cancellation, so the limit holds exactly under concurrency.
CREATE TABLE fan_quotas (
    concert_id  text NOT NULL REFERENCES concerts (id),
    user_id     text NOT NULL REFERENCES users (id),
    booked      integer NOT NULL CHECK (booked >= 0),
    PRIMARY KEY (concert_id, user_id)
);

-- Bookings made before accounts keep working: they belong to a placeholder
-- account that cannot sign in (an admin sees them), and the name typed at
-- checkout stays in guest_name.
INSERT INTO users (id, email, name, password_hash, role)
VALUES ('u_legacy', 'legacy@ticketd.invalid', 'Bookings made before accounts', '!', 'fan');

ALTER TABLE bookings ADD COLUMN guest_name text;
UPDATE bookings SET guest_name = user_id, user_id = 'u_legacy';
ALTER TABLE bookings
    ADD CONSTRAINT bookings_user FOREIGN KEY (user_id) REFERENCES users (id);

-- A fan's bookings, newest first (GET /api/me/bookings).
CREATE INDEX bookings_user_created ON bookings (user_id, created_at DESC, id DESC);

-- Why a key was rejected: another fan won the tickets (inventory) or the
-- fan would pass the concert's limit (fan_limit: reject_available holds
-- what the fan already had, reject_limit the limit).
ALTER TABLE bookings
    ADD COLUMN reject_reason text CHECK (reject_reason IN ('inventory', 'fan_limit')),
    ADD COLUMN reject_limit integer;
UPDATE bookings SET reject_reason = 'inventory' WHERE status = 'rejected';

-- book() gains the fan's quota; its outcomes are those of 005 plus
--   fan_limit   the fan would hold more than the concert allows: nothing
--               taken, the key recorded as rejected (o_requested, o_available
--               = what the fan already holds, o_limit)
DROP FUNCTION book(uuid, text, text, text, text, text, bigint, text[],
                   integer[], integer[], boolean, text, text);
CREATE FUNCTION book(p_key uuid, p_booking_id text, p_concert_id text,
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

    -- The fan's quota first (their own row: a fan's concurrent bookings
    -- queue here, other fans never wait on it), then the tickets: the
    -- order cancel_booking() locks in too.
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
        INSERT INTO booking_events (booking_id, from_status, to_status, request_id)
        VALUES (p_booking_id, NULL, 'rejected', p_request_id);
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
            UPDATE fan_quotas SET booked = booked - v_wanted
            WHERE concert_id = p_concert_id AND user_id = p_user_id;
            UPDATE bookings
            SET status = 'rejected', reject_reason = 'inventory',
                reject_tier_id = o_tier_id, reject_requested = o_requested,
                reject_available = o_available
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
-- Only the booking's owner or an admin finds it: for anyone else it is
-- not_found.  The fan's quota is given back before the tickets, the order
-- book() locks in.
DROP FUNCTION cancel_booking(text, text);
CREATE FUNCTION cancel_booking(p_booking_id text, p_request_id text,
                               p_user_id text, p_is_admin boolean,
                               OUT outcome text, OUT o_status text,
                               OUT o_refunded_cents bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_item record;
    v_booking record;
BEGIN
    SELECT b.status, b.total_cents, b.concert_id, b.user_id INTO v_booking
    FROM bookings b
    WHERE b.id = p_booking_id AND (p_is_admin OR b.user_id = p_user_id)
    FOR UPDATE;
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
    INSERT INTO booking_events (booking_id, from_status, to_status, request_id)
    VALUES (p_booking_id, 'confirmed', 'cancelled', p_request_id);
    outcome := 'cancelled';
    o_status := 'cancelled';
    o_refunded_cents := v_booking.total_cents;
END;
$$;

-- The fans' side of the invariant: what each fan holds per concert is the
-- sum of their confirmed bookings.  Rows appear here only when it is broken.
CREATE VIEW fan_quota_violations AS
WITH held AS (
    SELECT b.concert_id, b.user_id, sum(i.quantity) AS held
    FROM bookings b JOIN booking_items i ON i.booking_id = b.id
    WHERE b.status = 'confirmed' AND b.user_id <> 'u_legacy'
    GROUP BY b.concert_id, b.user_id
)
SELECT coalesce(q.concert_id, h.concert_id) AS concert_id,
       coalesce(q.user_id, h.user_id) AS user_id,
       coalesce(q.booked, 0) AS booked, coalesce(h.held, 0) AS held
FROM fan_quotas q
FULL JOIN held h ON h.concert_id = q.concert_id AND h.user_id = q.user_id
WHERE coalesce(q.booked, 0) <> coalesce(h.held, 0);

-- add_concert(..., max_tickets_per_fan): the same with the concert's limit
-- per fan (deploy/add-concert --max-per-fan N).
CREATE FUNCTION add_concert(p_name text, p_venue text, p_event_date timestamptz,
                            p_tiers text[], p_max_per_fan integer)
RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    v_id text := add_concert(p_name, p_venue, p_event_date, p_tiers);
BEGIN
    UPDATE concerts SET max_tickets_per_fan = p_max_per_fan WHERE id = v_id;
    RETURN v_id;
END;
$$;
