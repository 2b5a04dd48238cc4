-- 010_tickets_checkin.sql - signed tickets, checked in at the door by staff,
-- each ticket exactly once.
--
-- Nothing is written per ticket when a booking is made: the booking path
-- (book()) is untouched.  A ticket is (booking, index); ticketd signs its
-- code when it is shown (src/domain/ticket_code.c), and a row appears here
-- only when the ticket is admitted.  The primary key is what admits a
-- ticket once, however many doors scan it at the same moment: an insert
-- that meets it does nothing, and the row that won is read back.

-- Door staff: they check tickets in and may read any booking's tickets;
-- the box office's routes stay the admins' own.
ALTER TABLE users DROP CONSTRAINT IF EXISTS users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role
    CHECK (role IN ('fan', 'staff', 'admin'));

CREATE TABLE checkins (
    booking_id    text NOT NULL REFERENCES bookings (id),
    -- A booking has at most 10 tiers of at most 10 tickets.
    ticket_index  integer NOT NULL CHECK (ticket_index BETWEEN 0 AND 99),
    door          text NOT NULL CHECK (length(door) BETWEEN 1 AND 64),
    admitted_at   timestamptz NOT NULL DEFAULT now(),
    staff_id      text NOT NULL REFERENCES users (id),
    PRIMARY KEY (booking_id, ticket_index)
);

-- Admits ticket p_index of booking p_booking_id at door p_door.  Outcomes:
--   admitted          the first admission (o_admitted_at, o_door, o_tier_name,
--                     o_fan_name)
--   already_admitted  admitted before, by this or a concurrent scan
--                     (o_admitted_at, o_door: the first admission's)
--   cancelled         the booking is cancelled: its tickets are void
--   invalid           no such booking of p_concert_id, not a booking that
--                     ever had tickets, or no such index in it
-- The booking row is held FOR SHARE, so a cancellation (FOR UPDATE in
-- cancel_booking()) either precedes the admission or waits for it.
CREATE FUNCTION admit_ticket(p_booking_id text, p_index integer,
                             p_concert_id text, p_door text, p_staff_id text,
                             OUT outcome text, OUT o_admitted_at text,
                             OUT o_door text, OUT o_tier_name text,
                             OUT o_fan_name text)
LANGUAGE plpgsql AS $$
DECLARE
    v_booking record;
BEGIN
    SELECT b.status, b.concert_id,
           coalesce(b.guest_name, u.name) AS fan_name
    INTO v_booking
    FROM bookings b JOIN users u ON u.id = b.user_id
    WHERE b.id = p_booking_id
    FOR SHARE OF b;
    IF NOT FOUND OR v_booking.concert_id <> p_concert_id THEN
        outcome := 'invalid';
        RETURN;
    END IF;
    IF v_booking.status = 'cancelled' THEN
        outcome := 'cancelled';
        RETURN;
    END IF;
    IF v_booking.status <> 'confirmed' THEN
        outcome := 'invalid';
        RETURN;
    END IF;

    -- The booking's tickets in ticketd's order: its items by tier id in
    -- byte order, then by place within the item.
    SELECT t.tier_name INTO o_tier_name
    FROM (SELECT i.tier_id, i.quantity,
                 sum(i.quantity) OVER (ORDER BY i.tier_id COLLATE "C") AS upto
          FROM booking_items i WHERE i.booking_id = p_booking_id) x
    JOIN ticket_tiers t ON t.id = x.tier_id
    WHERE p_index >= x.upto - x.quantity AND p_index < x.upto;
    IF NOT FOUND THEN
        outcome := 'invalid';
        RETURN;
    END IF;

    INSERT INTO checkins (booking_id, ticket_index, door, staff_id)
    VALUES (p_booking_id, p_index, p_door, p_staff_id)
    ON CONFLICT (booking_id, ticket_index) DO NOTHING
    RETURNING iso8601(admitted_at), door INTO o_admitted_at, o_door;
    IF FOUND THEN
        outcome := 'admitted';
        o_fan_name := v_booking.fan_name;
        RETURN;
    END IF;

    -- The insert met the key: it waited for the scan that holds it to
    -- commit, and this statement's snapshot sees that scan's row.
    o_tier_name := NULL;
    SELECT iso8601(c.admitted_at), c.door INTO o_admitted_at, o_door
    FROM checkins c
    WHERE c.booking_id = p_booking_id AND c.ticket_index = p_index;
    outcome := 'already_admitted';
END;
$$;

-- cancel_booking() of 008, now that tickets are admitted: a booking whose ticket was admitted
-- at the door is never cancelled (outcome admitted) — by the fan or the box office — for its
-- refund would be a free entry and its tickets would go back on sale to a second holder. The
-- booking's row lock orders the two (admit_ticket() holds it FOR SHARE), and this statement,
-- run after the lock, sees every admission that committed before. A fan's own cancellation
-- also closes when the doors open (at the start if none are announced).
CREATE OR REPLACE FUNCTION cancel_booking(p_booking_id text, p_request_id text,
                                          p_user_id text, p_is_admin boolean,
                                          p_reason text,
                                          OUT outcome text, OUT o_status text,
                                          OUT o_refunded_cents bigint)
LANGUAGE plpgsql AS $$
DECLARE
    v_item record;
    v_booking record;
BEGIN
    SELECT b.status, b.total_cents, b.concert_id, b.user_id,
           coalesce(c.doors_at, c.event_date) AS closes_at
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
    IF EXISTS (SELECT 1 FROM checkins k WHERE k.booking_id = p_booking_id) THEN
        outcome := 'admitted';
        RETURN;
    END IF;
    IF NOT p_is_admin AND now() >= v_booking.closes_at THEN
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
