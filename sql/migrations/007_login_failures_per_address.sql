-- 007_login_failures_per_address.sql - failed sign-ins are counted per
-- email and per client address: a stranger's guesses slow the stranger
-- down, not the fan signing in from elsewhere (ticketd also slows an email
-- down when all addresses together fail far more often).  Rows older than
-- the window are pruned as new failures come in, hence the index.
--
-- The counts of 006 are dropped: they are at most an hour's worth of
-- waiting, and they name no address.

DROP TABLE login_failures;

CREATE TABLE login_failures (
    email           text NOT NULL,
    address         text NOT NULL,
    failures        integer NOT NULL CHECK (failures > 0),
    last_failed_at  timestamptz NOT NULL,
    PRIMARY KEY (email, address)
);

CREATE INDEX login_failures_age ON login_failures (last_failed_at);
