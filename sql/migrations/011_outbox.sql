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
    kind             text NOT NULL CHECK (kind IN ('booking_confirmed', 'booking_cancelled',
                                                   'verify_email', 'password_reset')),
    -- A booking's emails name the booking, an account's the account.
    booking_id       text REFERENCES bookings (id),
    user_id          text REFERENCES users (id),
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    leased_until     timestamptz,
    last_error       text CHECK (length(last_error) <= 500),
    sent_at          timestamptz,
    -- Given up on (a permanent refusal, or too many attempts): an operator's.
    failed_at        timestamptz
);

ALTER TABLE outbox ADD CONSTRAINT outbox_about CHECK (
    CASE WHEN kind LIKE 'booking\_%' THEN booking_id IS NOT NULL AND user_id IS NULL
         ELSE user_id IS NOT NULL AND booking_id IS NULL END);

-- A password reset may be asked for once in a while per account.
CREATE INDEX outbox_user ON outbox (user_id, created_at) WHERE user_id IS NOT NULL;

-- At most one account email of each kind waits per account, whatever arrives at once: a flood
-- of reset requests (or resends) for one address is one email, not one each (ON CONFLICT DO
-- NOTHING in the statements that owe them).
CREATE UNIQUE INDEX outbox_account_pending ON outbox (user_id, kind)
    WHERE user_id IS NOT NULL AND sent_at IS NULL AND failed_at IS NULL;

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

-- Accounts: an address is verified by a signed, expiring link (ticketd
-- checks the signature: nothing is stored for it); a sign-up owes that
-- email (Q_USER_CREATE writes the row with the account).  Fans who have not
-- verified may still book: see the README.
ALTER TABLE users ADD COLUMN email_verified_at timestamptz;

-- A password reset's token exists only in the email: the database keeps
-- its SHA-256, when it expires (an hour) and when it was used (once).  The
-- mailer makes it when it sends the email; a reset revokes every session.
CREATE TABLE password_resets (
    token_hash  text PRIMARY KEY CHECK (token_hash ~ '^[0-9a-f]{64}$'),
    user_id     text NOT NULL REFERENCES users (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);

CREATE INDEX password_resets_user ON password_resets (user_id);

-- A reset, in statements that each see what committed before them: the token taken (its row
-- lock: two resets with one token, one wins), every token of the account spent with it, the
-- password set (the users row lock orders it against a sign-in checking the old password, see
-- Q_SESSION_START), the address counted as verified (the email reached it), and only then
-- every session revoked, a sign-in that got in first included.  state: valid (done), unknown,
-- used or expired.
CREATE FUNCTION reset_password(p_token_hash text, p_password_hash text, OUT state text)
LANGUAGE plpgsql AS $$
DECLARE
    v_reset record;
BEGIN
    SELECT r.user_id, r.used_at, r.expires_at INTO v_reset
    FROM password_resets r WHERE r.token_hash = p_token_hash FOR UPDATE;
    IF NOT FOUND THEN
        state := 'unknown';
        RETURN;
    END IF;
    IF v_reset.used_at IS NOT NULL THEN
        state := 'used';
        RETURN;
    END IF;
    IF v_reset.expires_at <= now() THEN
        state := 'expired';
        RETURN;
    END IF;
    UPDATE password_resets SET used_at = now()
    WHERE user_id = v_reset.user_id AND used_at IS NULL;
    UPDATE users SET password_hash = p_password_hash,
                     email_verified_at = coalesce(email_verified_at, now())
    WHERE id = v_reset.user_id;
    UPDATE sessions SET revoked_at = now()
    WHERE user_id = v_reset.user_id AND revoked_at IS NULL;
    state := 'valid';
END;
$$;

-- The daemon's role (009) may write what the account emails change, and nothing else of users:
-- the address verified, the password a reset sets.
DO $$
BEGIN
    IF current_user <> 'ticketd' AND EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'ticketd') THEN
        GRANT UPDATE (email_verified_at, password_hash) ON users TO ticketd;
    END IF;
END
$$;
