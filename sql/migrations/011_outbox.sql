-- 011_outbox.sql - the emails ticketd owes, written in the transaction that
-- makes them owed: a confirmed booking always gets its email, an
-- uncommitted one never does.  The mailer (src/mail) sends them and marks
-- them; booking never waits on SMTP.
--
-- A row is claimed for a while (leased_until) before it is sent, and marked
-- sent after: a mailer killed in between leaves the lease to expire and the
-- email is sent again, with the same Message-ID (made from the row's id), so
-- a resend is recognisable.  At least once, never never.

CREATE TABLE outbox (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('booking_confirmed', 'booking_cancelled')),
    booking_id       text REFERENCES bookings (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    leased_until     timestamptz,
    last_error       text CHECK (length(last_error) <= 500),
    sent_at          timestamptz,
    -- Given up on (a permanent refusal, or too many attempts): an operator's.
    failed_at        timestamptz
);

-- What the mailer looks for: small, as sent rows leave it.
CREATE INDEX outbox_pending ON outbox (next_attempt_at, id)
    WHERE sent_at IS NULL AND failed_at IS NULL;

-- Every change a fan hears about is an event of the audit trail (book(),
-- cancel_booking(), cancel_concert() all write one): the email is owed by
-- the event, in its transaction, without a second copy of book().
CREATE FUNCTION enqueue_booking_mail() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO outbox (kind, booking_id)
    VALUES (CASE NEW.to_status WHEN 'confirmed' THEN 'booking_confirmed'
                               ELSE 'booking_cancelled' END,
            NEW.booking_id);
    RETURN NULL;
END;
$$;

CREATE TRIGGER booking_events_mail
    AFTER INSERT ON booking_events
    FOR EACH ROW WHEN (NEW.to_status IN ('confirmed', 'cancelled'))
    EXECUTE FUNCTION enqueue_booking_mail();

-- The invariant, checkable at any moment: every booking confirmed since
-- this migration owes (or has had) its confirmation, and every one
-- cancelled since, its cancellation.  Rows appear here only when broken.
CREATE VIEW outbox_violations AS
WITH since AS (SELECT applied_at FROM schema_migrations WHERE version = '011_outbox.sql')
SELECT e.booking_id, e.to_status
FROM booking_events e, since
WHERE e.to_status IN ('confirmed', 'cancelled') AND e.at >= since.applied_at
  AND NOT EXISTS (SELECT 1 FROM outbox o
                  WHERE o.booking_id = e.booking_id
                    AND o.kind = CASE e.to_status WHEN 'confirmed' THEN 'booking_confirmed'
                                                  ELSE 'booking_cancelled' END);
