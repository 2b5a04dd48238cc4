-- The daemon's role gets only what the daemon does; the tables belong to the role that runs the
-- migrations (deploy/stack: ticketd_owner, which has no password and reaches the database only
-- through the 0700 socket directory). A compromised worker can read the tables and write the
-- rows a booking, a sign-in or a cancellation writes, and nothing else: no DDL, no TRUNCATE, no
-- DELETE of bookings, no add_concert(), no COPY TO PROGRAM (it is no superuser either).
--
-- The daemon's role is `ticketd`. Where the migrations run as that same role (a database it
-- owns, as before this file), there is nobody to grant to and this file changes nothing.
DO $$
DECLARE
    app constant text := 'ticketd';
    operator_only constant text[] := ARRAY['add_concert', 'add_tier'];
    fn regprocedure;
BEGIN
    IF app = current_user OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = app) THEN
        RAISE NOTICE 'least privilege: the migrations run as %, no separate role % to grant to',
            current_user, app;
        RETURN;
    END IF;

    -- Nobody but the daemon (and the owner) connects; nobody else sees the schema.
    EXECUTE format('REVOKE ALL ON DATABASE %I FROM PUBLIC', current_database());
    EXECUTE format('GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I', current_database(), app);
    REVOKE ALL ON SCHEMA public FROM PUBLIC;
    EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', app);

    -- A clean slate, then what the statements (src/store/statements.c) and the PL/pgSQL
    -- functions they call need. FOR UPDATE needs UPDATE on the rows it locks.
    EXECUTE format('REVOKE ALL ON ALL TABLES IN SCHEMA public FROM %I', app);
    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', app);
    EXECUTE format('GRANT INSERT ON bookings, booking_items, booking_events, fan_quotas, users,'
        ' sessions, login_failures TO %I', app);
    EXECUTE format('GRANT UPDATE ON bookings, tier_buckets, fan_quotas, sessions, login_failures'
        ' TO %I', app);
    EXECUTE format('GRANT DELETE ON sessions, login_failures TO %I', app);
    EXECUTE format('REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM %I', app);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', app);

    -- Functions: EXECUTE is PUBLIC's by default; only the daemon's own ones stay callable.
    FOR fn IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
    LOOP
        EXECUTE format('REVOKE ALL ON FUNCTION %s FROM PUBLIC', fn);
        IF NOT (split_part(fn::text, '(', 1) = ANY (operator_only)) THEN
            EXECUTE format('GRANT EXECUTE ON FUNCTION %s TO %I', fn, app);
        END IF;
    END LOOP;

    -- The box office's writes (008) go through two functions that run as their owner, with a
    -- search path of their own: the daemon may call them, but not write concerts or tiers, nor
    -- resize a tier's buckets, itself.
    FOR fn IN
        SELECT p.oid::regprocedure FROM pg_proc p
        WHERE p.pronamespace = 'public'::regnamespace
          AND p.proname IN ('create_concert', 'update_concert')
    LOOP
        EXECUTE format('ALTER FUNCTION %s SECURITY DEFINER SET search_path = public, pg_temp', fn);
    END LOOP;

    -- What later migrations create: readable and writable row by row (a migration that needs
    -- DELETE for the daemon grants it itself), never DDL or TRUNCATE.
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE'
        ' ON TABLES TO %I', app);
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO %I', app);
    ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
    EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT EXECUTE ON FUNCTIONS TO %I', app);
END
$$;
