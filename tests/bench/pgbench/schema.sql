-- Tables of the benchmark's pgbench scripts, in their own schema (never the
-- application's tables, except through book() in ours.sql).
CREATE SCHEMA IF NOT EXISTS bench;

-- The durable insert ceiling: one row per transaction.
CREATE TABLE IF NOT EXISTS bench.inserts (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tier_id     text NOT NULL,
    quantity    integer NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- The seed's design: one counter row per tier, locked with FOR UPDATE.
CREATE TABLE IF NOT EXISTS bench.seed_tiers (
    id                  text PRIMARY KEY,
    available_quantity  integer NOT NULL CHECK (available_quantity >= 0),
    version             integer NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS bench.seed_bookings (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tier_id     text NOT NULL REFERENCES bench.seed_tiers (id),
    quantity    integer NOT NULL,
    status      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
