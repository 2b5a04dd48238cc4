/*
 * statements.c - every SQL statement ticketd runs, in one place.
 *
 * A statement whose parts must agree reads them in one snapshot: on a
 * replica two statements can see two points of its replay.
 */
#include "config.h"

#include "store/statements.h"

#include "domain/booking.h"

#define BOOKING_COLUMNS                                                        \
	"SELECT b.id, b.concert_id, b.user_id, b.status, b.total_cents,"       \
	" b.request, iso8601(b.created_at) AS created_at,"                     \
	" iso8601(b.updated_at) AS updated_at,"                                \
	" b.reject_reason, b.reject_tier_id,"                                  \
	" rt.tier_name AS reject_tier_name, b.reject_requested,"               \
	" b.reject_available, b.reject_limit,"                                 \
	" i.tier_id AS item_tier_id, t.tier_name AS item_tier_name,"           \
	" i.quantity AS item_quantity, i.price_cents AS item_price_cents"

#define BOOKING_FROM                                                           \
	" FROM bookings b"                                                     \
	" LEFT JOIN booking_items i ON i.booking_id = b.id"                    \
	" LEFT JOIN ticket_tiers t ON t.id = i.tier_id"                        \
	" LEFT JOIN ticket_tiers rt ON rt.id = b.reject_tier_id"

#define BOOKING_SELECT BOOKING_COLUMNS BOOKING_FROM

#define TIERS_SELECT                                                           \
	"SELECT c.id AS concert_id, t.id AS tier_id, t.tier_name,"             \
	" t.price_cents, t.total_quantity, s.available, t.bucket_count"

#define TIERS_OF_CONCERT " LEFT JOIN ticket_tiers t ON t.concert_id = c.id"

#define TIERS_JOIN                                                             \
	TIERS_OF_CONCERT                                                       \
	" LEFT JOIN LATERAL (SELECT sum(b.available) AS available"             \
	"   FROM tier_buckets b WHERE b.tier_id = t.id) s ON true"

#define TIERS_ORDER " ORDER BY t.price_cents DESC, t.id"

#define STR_(x) #x
#define STR(x) STR_(x)
#define LINE_MOST STR(BOOKING_MAX_QUANTITY)

/*
 * The tiers as a booking's check needs them: available is exact below
 * BOOKING_MAX_QUANTITY, enough for any line, and at least that many
 * otherwise: that many when one bucket holds them, which answers without
 * the sum (a hot tier's buckets are what every booking is updating), the
 * sum when none does.  Measured in one pgbench run that interleaved both
 * forms while bookings updated the buckets: the check's mean 0.132 ms
 * summing, 0.110 ms with this (about 1 % of a booking).
 */
#define CHECK_TIERS_JOIN                                                       \
	TIERS_OF_CONCERT                                                       \
	" LEFT JOIN LATERAL (SELECT CASE WHEN EXISTS (SELECT FROM"             \
	"   tier_buckets e WHERE e.tier_id = t.id AND e.available "            \
	">= " LINE_MOST ") THEN " LINE_MOST                                    \
	"   ELSE (SELECT sum(b.available) FROM tier_buckets b"                 \
	"   WHERE b.tier_id = t.id) END AS available) s ON true"

/*
 * A session and its user as account_store_read_session() reads them, each
 * column's name prefixed by p (a string literal).
 */
#define SESSION_SELECT(p)                                                      \
	"SELECT u.id AS " p "id, u.email AS " p "email, u.name AS " p "name,"  \
	" u.role AS " p "role,"                                                \
	" u.email_verified_at IS NOT NULL AS " p "email_verified,"             \
	" extract(epoch FROM s.created_at)::bigint AS " p "created_s,"         \
	" extract(epoch FROM s.last_seen_at)::bigint AS " p "last_seen_s,"     \
	" extract(epoch FROM now())::bigint AS " p "now_s"                     \
	" FROM sessions s JOIN users u ON u.id = s.user_id"

/* A concert as struct concert reads it (store/concert_store.c). */
#define CONCERT_COLUMNS                                                        \
	"c.id, c.name, c.venue, iso8601(c.event_date) AS event_date,"          \
	" iso8601(c.created_at) AS created_at,"                                \
	" iso8601(c.updated_at) AS updated_at, c.time_zone,"                   \
	" iso8601_at(c.event_date, c.time_zone) AS starts_at,"                 \
	" iso8601_at(c.doors_at, c.time_zone) AS doors_at,"                    \
	" iso8601_at(c.sales_start, c.time_zone) AS sales_start,"              \
	" iso8601_at(c.sales_end, c.time_zone) AS sales_end,"                  \
	" c.status, c.max_tickets_per_fan"

/* A tier's row in the box office's views of a concert. */
#define ADMIN_TIER_COLUMNS                                                     \
	" t.id AS tier_id, t.tier_name, t.price_cents, t.total_quantity,"      \
	" s.available"

/* A booking with its fan, its concert's name and a row per item. */
#define ADMIN_BOOKING_SELECT                                                   \
	"SELECT b.id, b.concert_id, c.name AS concert_name, b.user_id,"        \
	" b.status, b.total_cents, iso8601(b.created_at) AS created_at,"       \
	" iso8601(b.updated_at) AS updated_at, b.guest_name,"                  \
	" u.email AS fan_email, u.name AS fan_name,"                           \
	" i.tier_id AS item_tier_id, t.tier_name AS item_tier_name,"           \
	" i.quantity AS item_quantity, i.price_cents AS item_price_cents"

#define ADMIN_BOOKING_JOINS                                                    \
	" JOIN users u ON u.id = b.user_id"                                    \
	" JOIN concerts c ON c.id = b.concert_id"                              \
	" LEFT JOIN booking_items i ON i.booking_id = b.id"                    \
	" LEFT JOIN ticket_tiers t ON t.id = i.tier_id"

/*
 * When a concert sells, by the database's clock (struct sales_window, with
 * the concert's status, which comes before these).
 */
#define SALES_COLUMNS                                                          \
	" (extract(epoch FROM now()) * 1000)::bigint AS now_ms,"               \
	" (extract(epoch FROM c.sales_start) * 1000)::bigint AS start_ms,"     \
	" (extract(epoch FROM c.sales_end) * 1000)::bigint AS end_ms,"         \
	" (extract(epoch FROM c.event_date) * 1000)::bigint AS starts_ms,"     \
	" iso8601_at(c.sales_start, c.time_zone) AS sales_start,"              \
	" iso8601_at(c.sales_end, c.time_zone) AS sales_end"

const struct db_query statements[Q_COUNT] = {
    [Q_PING] = {"ping", "SELECT 1", 0, true},

    /*
     * A page of $2 published concerts that are not over, by start, after
     * the concert $1 (the cursor; NULL for the first page): a concert is
     * listed until six hours after its start (its sales closed at the
     * start at the latest).  The page is chosen first, so the totals are
     * summed for its concerts only: the cost of a page does not grow with
     * the catalogue.  The totals come from the summary while its refresh is
     * within $3 ms of now (015_concert_totals.sql), so the hot buckets of the
     * concerts on sale are not read per page; else, and for a concert the
     * summary does not have yet, each tier's buckets are summed by its key, as
     * availability sums them: a join of all buckets to the concert's tiers
     * let a planner with stale statistics (after many concerts were added)
     * hash-join every bucket row for each concert, 100 times slower.
     */
    [Q_CONCERTS] = {"concerts",
        "WITH page AS ("
        "  SELECT c.* FROM concerts c"
        "  WHERE c.status = 'published'"
        "    AND c.event_date > now() - interval '6 hours'"
        "    AND ($1::text IS NULL OR (c.event_date, c.id) >"
        "        (SELECT x.event_date, x.id FROM concerts x WHERE x.id = $1))"
        "  ORDER BY c.event_date, c.id LIMIT $2),"
        " fresh AS (SELECT FROM concert_totals_refreshed"
        "  WHERE at BETWEEN now() - make_interval(secs => $3::integer / 1000.0)"
        "  AND now() + make_interval(secs => $3::integer / 1000.0))"
        " SELECT " CONCERT_COLUMNS ", s.min_price, s.total,"
        " least(coalesce(ct.available, s.available), s.total) AS available"
        " FROM page c"
        " LEFT JOIN concert_totals ct"
        "   ON ct.concert_id = c.id AND EXISTS (SELECT FROM fresh)"
        " LEFT JOIN LATERAL ("
        "   SELECT min(t.price_cents) AS min_price,"
        "          sum(t.total_quantity) AS total,"
        "          sum(CASE WHEN ct.available IS NULL THEN"
        "              (SELECT sum(b.available) FROM tier_buckets b"
        "               WHERE b.tier_id = t.id) END) AS available"
        "   FROM ticket_tiers t WHERE t.concert_id = c.id) s ON true"
        " ORDER BY c.event_date, c.id",
        3, true},

    /*
     * The listing's summary (015_concert_totals.sql), refreshed by a
     * worker once a TICKETD_LISTING_TOTALS_MS unless it is younger than
     * $1 ms: -1 when skipped, else how many totals changed.
     */
    [Q_REFRESH_TOTALS] = {"refresh_totals",
        "SELECT refresh_concert_totals($1) AS changed", 1, true},

    /* Drafts are the box office's own: not found for the public. */
    [Q_CONCERT] = {"concert",
        "SELECT " CONCERT_COLUMNS ", c.description,"
        " to_char(clock_timestamp() AT TIME ZONE 'UTC',"
        "   'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS server_time"
        " FROM concerts c WHERE c.id = $1 AND c.status <> 'draft'",
        1, true},

    /*
     * The concert and its tiers in one snapshot: no row is no concert;
     * one row with a NULL tier is a concert without tiers.
     */
    [Q_AVAILABILITY] = {"availability",
        TIERS_SELECT " FROM concerts c" TIERS_JOIN
                     " WHERE c.id = $1 AND c.status <> 'draft'" TIERS_ORDER,
        1, true},

    /*
     * A new request's check before its payment, with its session, in one
     * statement and one snapshot (a round trip fewer than a session read
     * first).  The session's columns (fan_*) head every row: one row with
     * none of them is no session.  Nothing else is read unless it is live
     * by its lifetimes ($4 since created, $5 since last seen, in seconds;
     * the account rules decide again on the columns).  Then whether the
     * key is known: a known key's record is read by Q_BOOKING_BY_KEY (a
     * replay is rare, and its record here cost every new request the
     * initialization of four more joins: the check took 0.139 ms, 0.112
     * without them, in one pgbench run alternating both).  A new key
     * writes nothing: the concert's tiers as Q_AVAILABILITY reads them
     * (but for available, CHECK_TIERS_JOIN's), with the session's fan's
     * quota and the sales window (a row with a NULL concert_id: no such
     * concert, one with a NULL tier: no tiers).
     */
    [Q_BOOKING_CHECK] = {"booking_check",
        "WITH f AS (" SESSION_SELECT("fan_") " WHERE s.token_hash = $3"
        " AND s.revoked_at IS NULL),"
        " live AS (SELECT fan_id FROM f"
        "  WHERE fan_now_s - fan_created_s < $4::bigint"
        "  AND fan_now_s - fan_last_seen_s < $5::bigint),"
        " k AS (SELECT EXISTS (SELECT FROM bookings b"
        "  WHERE b.idempotency_key = $1::uuid) AS known"
        "  WHERE EXISTS (SELECT FROM live)),"
        " x AS (SELECT c.id AS concert_id, c.status, t.id AS tier_id,"
        "  t.tier_name, t.price_cents, t.total_quantity, s.available,"
        "  t.bucket_count, c.max_tickets_per_fan,"
        "  coalesce(q.booked, 0) AS fan_booked," SALES_COLUMNS
        "  FROM concerts c LEFT JOIN fan_quotas q"
        "  ON q.concert_id = c.id AND q.user_id = (SELECT fan_id FROM live)"
        CHECK_TIERS_JOIN
        "  WHERE c.id = $2 AND EXISTS (SELECT FROM live))"
        " SELECT f.*, k.known, x.* FROM (SELECT) one LEFT JOIN f ON true"
        " LEFT JOIN k ON true LEFT JOIN x ON NOT k.known"
        " ORDER BY x.price_cents DESC, x.tier_id",
        5, true},

    /* Ownership is part of the WHERE: another fan's booking is not found. */
    [Q_BOOKING_BY_ID] = {"booking_by_id",
        BOOKING_SELECT " WHERE b.id = $1 AND ($2::boolean OR b.user_id = $3)"
                       " ORDER BY i.tier_id",
        3, true},

    /*
     * A key's record is answered again only once it is durable.  A primary
     * restarted in place after a crash shows the commits it wrote but never
     * answered (no synchronous standby had them), and a standby promoted
     * next would forget a booking a retry was told is confirmed.  So for
     * each row found (none when the key is new) the lookup writes a
     * transactional WAL message: its commit then waits, as a booking's
     * does, until a synchronous standby has the WAL up to here.  (A
     * transaction id alone would not: a commit that wrote nothing else
     * does not wait.)  Without standbys it is a local commit.  In this
     * statement, not a second one: behind a transaction pooler a second
     * statement may run on another server.
     */
    [Q_BOOKING_BY_KEY] = {"booking_by_key",
        BOOKING_COLUMNS ","
        " pg_logical_emit_message(true, 'ticketd', 'replay') AS durable_at"
        BOOKING_FROM
        " WHERE b.idempotency_key = $1::uuid ORDER BY i.tier_id",
        1, true},

    /*
     * A fan's bookings, newest first, a page of $3 after the booking $2
     * (the cursor; NULL for the first page).  Keys that lost a race are
     * no bookings and are left out.
     */
    [Q_BOOKINGS_OF_USER] = {"bookings_of_user",
        "WITH page AS ("
        "  SELECT b.id, b.created_at FROM bookings b"
        "  WHERE b.user_id = $1 AND b.status <> 'rejected'"
        "    AND ($2::text IS NULL OR (b.created_at, b.id) <"
        "        (SELECT c.created_at, c.id FROM bookings c"
        "         WHERE c.id = $2 AND c.user_id = $1))"
        "  ORDER BY b.created_at DESC, b.id DESC LIMIT $3)"
        " SELECT b.id, b.concert_id, b.user_id, b.status, b.total_cents,"
        " iso8601(b.created_at) AS created_at,"
        " iso8601(b.updated_at) AS updated_at,"
        " i.tier_id AS item_tier_id, t.tier_name AS item_tier_name,"
        " i.quantity AS item_quantity, i.price_cents AS item_price_cents"
        " FROM page p JOIN bookings b ON b.id = p.id"
        " LEFT JOIN booking_items i ON i.booking_id = b.id"
        " LEFT JOIN ticket_tiers t ON t.id = i.tier_id"
        " ORDER BY p.created_at DESC, p.id DESC, i.tier_id",
        3, true},

    [Q_BOOK] = {"book",
        "SELECT outcome, o_booking_id, o_created_at, o_tier_id, o_requested,"
        " o_available, o_limit FROM book(p_key => $1::uuid, p_booking_id => $2,"
        " p_concert_id => $3, p_user_id => $4, p_request => $5,"
        " p_method => $6, p_total_cents => $7::bigint,"
        " p_tier_ids => $8::text[], p_quantities => $9::integer[],"
        " p_bucket_counts => $10::integer[], p_paid => $11::boolean,"
        " p_payment_ref => $12, p_request_id => $13)",
        13, false},

    /*
     * A paid booking of one tier, whole, in one statement (017 says why
     * it is safe): the key, the quota, then a bucket (the random one, else
     * the next with enough, both never waiting), the line, the outbox row.
     * Uncorrelated EXISTS run first, as a one-time filter: no bucket is
     * locked before the quota is.  Whatever it cannot confirm raises
     * TDSLW, undoing it all, and book() is run instead.  The columns are
     * book()'s.  Named in a comment first: pg_stat_activity shows only the
     * first kilobyte of a statement.
     */
    [Q_BOOK_ONE_LINE] = {"book_one_line",
        "/* book_one_line */"
        " WITH ins AS (INSERT INTO bookings (id, idempotency_key, concert_id,"
        "  user_id, status, total_cents, payment_method, payment_ref, request,"
        "  request_id)"
        "  VALUES ($2, $1::uuid, $3, $4, 'confirmed', $7::bigint, $6, $11, $5,"
        "  $12)"
        "  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at),"
        " quota AS (INSERT INTO fan_quotas AS f (concert_id, user_id, booked)"
        "  SELECT c.id, $4, $9::integer FROM concerts c, ins"
        "  WHERE c.id = $3 AND $9::integer <= c.max_tickets_per_fan"
        "  ON CONFLICT (concert_id, user_id) DO UPDATE"
        "  SET booked = f.booked + EXCLUDED.booked"
        "  WHERE f.booked + EXCLUDED.booked <= (SELECT c.max_tickets_per_fan"
        "   FROM concerts c WHERE c.id = EXCLUDED.concert_id)"
        "  RETURNING f.booked),"
        /* Drawn once: random() in a WHERE clause is drawn per row. */
        " start AS MATERIALIZED (SELECT"
        "  floor(random() * greatest($10::integer, 1))::integer AS bucket),"
        /* Each bucket a scalar subquery, run once whatever the plan
         * (020 says why). */
        " near AS (UPDATE tier_buckets b"
        "  SET available = b.available - $9::integer"
        "  WHERE b.tier_id = $8 AND b.available >= $9::integer"
        "  AND EXISTS (SELECT FROM quota)"
        "  AND b.bucket = (SELECT x.bucket FROM tier_buckets x, start"
        "   WHERE x.tier_id = $8 AND x.bucket = start.bucket"
        "   AND x.available >= $9::integer FOR UPDATE OF x SKIP LOCKED)"
        "  RETURNING b.bucket),"
        " far AS (UPDATE tier_buckets b"
        "  SET available = b.available - $9::integer"
        "  WHERE b.tier_id = $8 AND b.available >= $9::integer"
        "  AND EXISTS (SELECT FROM quota) AND NOT EXISTS (SELECT FROM near)"
        "  AND b.bucket = (SELECT x.bucket FROM tier_buckets x, start"
        "   WHERE x.tier_id = $8 AND x.available >= $9::integer"
        "   ORDER BY (x.bucket + greatest($10::integer, 1) - start.bucket)"
        "   % greatest($10::integer, 1), x.bucket"
        "   LIMIT 1 FOR UPDATE OF x SKIP LOCKED)"
        "  RETURNING b.bucket),"
        " took AS (SELECT bucket FROM near UNION ALL SELECT bucket FROM far),"
        /* The price as the last step read it after the locks: total
         * = price x quantity, or nothing is written at all. */
        " line AS (INSERT INTO booking_items (booking_id, tier_id, quantity,"
        "  price_cents)"
        "  SELECT ins.id, $8, $9::integer, $7::bigint / $9::integer"
        "  FROM ins, took),"
        " mail AS (INSERT INTO outbox (kind, booking_id)"
        "  SELECT 'booking_confirmed', ins.id FROM ins, took)"
        " SELECT CASE WHEN ins.id IS NULL THEN 'duplicate'"
        "  ELSE one_line_booking_outcome(EXISTS (SELECT FROM took), $3, $8,"
        "  $9::integer, $7::bigint) END AS outcome,"
        " ins.id AS o_booking_id, iso8601(ins.created_at) AS o_created_at,"
        " NULL AS o_tier_id, NULL::integer AS o_requested,"
        " NULL::integer AS o_available, NULL::integer AS o_limit"
        " FROM (VALUES (1)) one LEFT JOIN ins ON true",
        12, false},

    /*
     * Paid bookings of one tier, one per fan and per key, whole, in one
     * statement (019 says why it is safe; the booking writer sends it,
     * src/daemon/writer.c): the arrays hold one element per booking.  Every
     * fan's quota first, in the order of their ids, then a bucket no one
     * holds for each new booking, the lines and the outbox rows.  A row per
     * booking, in the arrays' order (n from 1): 'confirmed' or, for a key
     * already used, 'duplicate'.  Whatever it cannot confirm raises TDSLW,
     * undoing it all, and each booking is sent on its own instead.
     */
    [Q_BOOK_BATCH] = {"book_batch",
        "/* book_batch */"
        " WITH req AS MATERIALIZED (SELECT * FROM unnest($1::uuid[],"
        "  $2::text[], $4::text[], $5::text[], $6::text[], $7::bigint[],"
        "  $9::integer[], $11::text[], $12::text[])"
        "  WITH ORDINALITY AS r(k, id, fan, request, method, total, qty, ref,"
        "  request_id, n)),"
        " ins AS (INSERT INTO bookings (id, idempotency_key, concert_id,"
        "  user_id, status, total_cents, payment_method, payment_ref, request,"
        "  request_id)"
        "  SELECT id, k, $3, fan, 'confirmed', total, method, ref, request,"
        "  request_id FROM req ORDER BY fan"
        "  ON CONFLICT (idempotency_key) DO NOTHING RETURNING id, created_at),"
        /* The new bookings, numbered: the nth takes the nth bucket. */
        " want AS MATERIALIZED (SELECT req.id, req.fan, req.qty, req.total,"
        "  row_number() OVER (ORDER BY req.n) AS slot"
        "  FROM req JOIN ins ON ins.id = req.id),"
        " quota AS (INSERT INTO fan_quotas AS f (concert_id, user_id, booked)"
        "  SELECT c.id, want.fan, want.qty FROM want, concerts c"
        "  WHERE c.id = $3 AND want.qty <= c.max_tickets_per_fan"
        "  ORDER BY want.fan"
        "  ON CONFLICT (concert_id, user_id) DO UPDATE"
        "  SET booked = f.booked + EXCLUDED.booked"
        "  WHERE f.booked + EXCLUDED.booked <= (SELECT c.max_tickets_per_fan"
        "   FROM concerts c WHERE c.id = EXCLUDED.concert_id)"
        "  RETURNING f.user_id),"
        /* Counted whole, so every quota row is locked before a bucket;
         * a fan at the limit takes no bucket for anyone. */
        " quotas AS MATERIALIZED (SELECT count(*) AS n FROM quota),"
        " start AS MATERIALIZED (SELECT"
        "  floor(random() * greatest($10::integer, 1))::integer AS bucket),"
        " picks AS MATERIALIZED (SELECT s.bucket,"
        "  row_number() OVER (ORDER BY s.bucket) AS slot"
        "  FROM (SELECT x.bucket FROM tier_buckets x, start"
        "   WHERE x.tier_id = $8"
        "   AND x.available >= (SELECT max(qty) FROM want)"
        "   AND (SELECT n FROM quotas) = (SELECT count(*) FROM want)"
        "   ORDER BY (x.bucket + greatest($10::integer, 1) - start.bucket)"
        "   % greatest($10::integer, 1), x.bucket"
        "   LIMIT (SELECT count(*) FROM want)"
        "   FOR UPDATE OF x SKIP LOCKED) s),"
        " took AS (UPDATE tier_buckets b"
        "  SET available = b.available - w.qty"
        "  FROM (SELECT picks.bucket, want.id, want.qty FROM picks"
        "   JOIN want ON want.slot = picks.slot) w"
        "  WHERE b.tier_id = $8 AND b.bucket = w.bucket"
        "  AND b.available >= w.qty"
        "  RETURNING w.id, w.qty),"
        /* The price as the last step read it after the locks: each total
         * = price x quantity, or nothing is written at all. */
        " line AS (INSERT INTO booking_items (booking_id, tier_id, quantity,"
        "  price_cents)"
        "  SELECT took.id, $8, took.qty, want.total / took.qty"
        "  FROM took JOIN want ON want.id = took.id),"
        " mail AS (INSERT INTO outbox (kind, booking_id)"
        "  SELECT 'booking_confirmed', took.id FROM took),"
        " verdict AS MATERIALIZED (SELECT batch_booking_outcome("
        "  (SELECT count(*) FROM took) = (SELECT count(*) FROM want), $3, $8,"
        "  (SELECT array_agg(qty ORDER BY slot) FROM want),"
        "  (SELECT array_agg(total ORDER BY slot) FROM want)) AS v)"
        " SELECT req.n, CASE WHEN ins.id IS NULL THEN 'duplicate'"
        "  ELSE verdict.v END AS outcome,"
        " iso8601(ins.created_at) AS o_created_at"
        " FROM verdict, req LEFT JOIN ins ON ins.id = req.id ORDER BY req.n",
        12, false},

    [Q_CANCEL] = {"cancel",
        "SELECT outcome, o_status, o_refunded_cents"
        " FROM cancel_booking(p_booking_id => $1, p_request_id => $2,"
        " p_user_id => $3, p_is_admin => $4::boolean, p_reason => $5)",
        5, false},

    /* The account and its first session in one statement. */
    /* The account, its first session and its verification email at once. */
    [Q_USER_CREATE] = {"user_create",
        "WITH u AS (INSERT INTO users (id, email, name, password_hash)"
        "  VALUES ($1, $2, $3, $4) RETURNING id),"
        " mail AS (INSERT INTO outbox (kind, user_id)"
        "  SELECT 'verify_email', id FROM u)"
        " INSERT INTO sessions (token_hash, user_id) SELECT $5, id FROM u",
        5, false},

    /*
     * Always one row: the email's account (if any), this address's recent
     * failures on it and everyone's ($3: the window in seconds).
     */
    [Q_LOGIN_LOOKUP] = {"login_lookup",
        "SELECT u.id, u.email, u.name, u.role, u.password_hash,"
        " u.email_verified_at IS NOT NULL AS email_verified,"
        " coalesce(mine.failures, 0) AS failures,"
        " coalesce(extract(epoch FROM mine.last_failed_at)::bigint, 0)"
        "   AS last_failed_s,"
        " coalesce(all_.failures, 0) AS email_failures,"
        " coalesce(extract(epoch FROM all_.last_failed_at)::bigint, 0)"
        "   AS email_last_failed_s,"
        " extract(epoch FROM now())::bigint AS now_s"
        " FROM (SELECT $1::text AS email) e"
        " LEFT JOIN users u ON u.email = e.email"
        " LEFT JOIN login_failures mine"
        "   ON mine.email = e.email AND mine.address = $2"
        " LEFT JOIN LATERAL (SELECT sum(f.failures)::integer AS failures,"
        "   max(f.last_failed_at) AS last_failed_at FROM login_failures f"
        "   WHERE f.email = e.email AND f.last_failed_at >"
        "   now() - make_interval(secs => $3::integer)) all_ ON true",
        3, true},

    /*
     * Failures older than the window ($3 s) start the count again, and
     * rows that old of any email are pruned.
     */
    [Q_LOGIN_FAILED] = {"login_failed",
        "WITH pruned AS (DELETE FROM login_failures"
        "   WHERE last_failed_at < now() - make_interval(secs => $3::integer)"
        "   AND NOT (email = $1 AND address = $2))"
        " INSERT INTO login_failures AS f"
        " (email, address, failures, last_failed_at)"
        " VALUES ($1, $2, 1, now())"
        " ON CONFLICT (email, address) DO UPDATE SET"
        " failures = CASE WHEN f.last_failed_at < now() - make_interval("
        "   secs => $3::integer) THEN 1 ELSE f.failures + 1 END,"
        " last_failed_at = now()",
        3, false},

    /*
     * A sign-in clears the email's failures from this address and drops
     * the fan's sessions that can no longer be used ($4: the absolute
     * lifetime in seconds).
     */
    /*
     * ... only while the account still has the password hash $6 that was
     * verified: the share lock orders it against a password reset (which
     * updates the row, then revokes every session in a later statement),
     * so a sign-in racing a reset never outlives it.  No row: no session.
     */
    [Q_SESSION_START] = {"session_start",
        "WITH ok AS (SELECT id FROM users WHERE id = $3 AND password_hash = $6"
        "   FOR SHARE),"
        " cleared AS (DELETE FROM login_failures"
        "   WHERE email = $1 AND address = $4),"
        " pruned AS (DELETE FROM sessions WHERE user_id = $3"
        "   AND (revoked_at IS NOT NULL OR created_at <"
        "   now() - make_interval(secs => $5::integer)))"
        " INSERT INTO sessions (token_hash, user_id) SELECT $2, id FROM ok",
        6, false},

    [Q_SESSION_FIND] = {"session_find",
        SESSION_SELECT("") " WHERE s.token_hash = $1"
        " AND s.revoked_at IS NULL",
        1, true},

    [Q_SESSION_TOUCH] = {"session_touch",
        "UPDATE sessions SET last_seen_at = now()"
        " WHERE token_hash = $1 AND revoked_at IS NULL",
        1, true},

    [Q_SESSION_REVOKE] = {"session_revoke",
        "UPDATE sessions SET revoked_at = now()"
        " WHERE token_hash = $1 AND revoked_at IS NULL",
        1, true},

    /* The box office (store/concert_admin_store.c, admin_booking_store.c). */
    [Q_RESOLVE_TIMES] = {"resolve_times",
        "SELECT o_starts_ms, o_doors_ms, o_now_ms"
        " FROM resolve_local_times($1, $2::timestamp, $3::timestamp)",
        3, true},

    /* Every concert in any state, a row per tier, by start. */
    [Q_ADMIN_CONCERTS] = {"admin_concerts",
        "SELECT " CONCERT_COLUMNS ", c.description," ADMIN_TIER_COLUMNS
        " FROM concerts c" TIERS_JOIN
        " ORDER BY c.event_date, c.id, t.price_cents DESC, t.id",
        0, true},

    [Q_ADMIN_CONCERT] = {"admin_concert",
        "SELECT " CONCERT_COLUMNS ", c.description," ADMIN_TIER_COLUMNS
        " FROM concerts c" TIERS_JOIN " WHERE c.id = $1"
        " ORDER BY t.price_cents DESC, t.id",
        1, true},

    [Q_CREATE_CONCERT] = {"create_concert",
        "SELECT outcome, o_detail FROM create_concert(p_id => $1,"
        " p_name => $2, p_venue => $3, p_tz => $4, p_starts => $5::timestamp,"
        " p_doors => $6::timestamp, p_description => $7,"
        " p_sales_start => $8::timestamptz, p_sales_end => $9::timestamptz,"
        " p_max_per_fan => $10::integer, p_status => $11,"
        " p_tier_ids => $12::text[], p_tier_names => $13::text[],"
        " p_prices => $14::bigint[], p_capacities => $15::integer[])",
        15, false},

    [Q_UPDATE_CONCERT] = {"update_concert",
        "SELECT outcome, o_tier_id, o_sold FROM update_concert(p_id => $1,"
        " p_actor => $2, p_request_id => $3, p_name => $4, p_venue => $5,"
        " p_tz => $6, p_starts => $7::timestamp, p_doors => $8::timestamp,"
        " p_description => $9, p_sales_start => $10::timestamptz,"
        " p_sales_end => coalesce($11::timestamptz,"
        "   $7::timestamp AT TIME ZONE $6),"
        " p_max_per_fan => $12::integer, p_status => $13,"
        " p_cancel_reason => $14, p_change_ids => $15::text[],"
        " p_change_names => $16::text[], p_change_prices => $17::bigint[],"
        " p_change_capacities => $18::integer[], p_new_ids => $19::text[],"
        " p_new_names => $20::text[], p_new_prices => $21::bigint[],"
        " p_new_capacities => $22::integer[])",
        22, false},

    /*
     * A concert's sales per tier: what is sold now comes from the
     * counters, refunds from its few cancelled bookings (a tier is never
     * repriced after a sale, so gross = sold x price + refunded).  No row:
     * no such concert; a NULL tier: no tiers.
     */
    /*
     * The dashboard in one statement, so one snapshot: what is sold,
     * refunded and counted agrees even while a rush commits.  Per tier
     * (a NULL tier: none; no row: no concert), with the concert's keys by
     * outcome and, as "n,n,...", its bookings confirmed in each of the
     * last 60 minutes from first_minute (later cancelled ones count in the
     * minute they were confirmed).
     */
    [Q_SALES] = {"sales",
        "WITH o AS (SELECT"
        "   count(*) FILTER (WHERE status = 'confirmed') AS confirmed,"
        "   count(*) FILTER (WHERE status = 'payment_failed') AS declined,"
        "   count(*) FILTER (WHERE status = 'rejected') AS rejected,"
        "   count(*) FILTER (WHERE status = 'cancelled') AS cancelled"
        "   FROM bookings WHERE concert_id = $1),"
        " m AS (SELECT iso8601(min(g.minute)) AS first_minute,"
        "   string_agg(coalesce(x.n, 0)::text, ',' ORDER BY g.minute)"
        "     AS per_minute"
        "   FROM generate_series(date_trunc('minute', now())"
        "     - interval '59 minutes', date_trunc('minute', now()),"
        "     interval '1 minute') AS g(minute)"
        "   LEFT JOIN (SELECT date_trunc('minute', b.created_at) AS minute,"
        "     count(*) AS n FROM bookings b WHERE b.concert_id = $1"
        "     AND b.created_at >= date_trunc('minute', now())"
        "       - interval '59 minutes'"
        "     AND b.status IN ('confirmed', 'cancelled') GROUP BY 1) x"
        "   ON x.minute = g.minute)"
        " SELECT t.id AS tier_id, t.tier_name, t.price_cents,"
        " t.total_quantity, s.available,"
        " coalesce(r.refunded, 0) AS refunded_cents,"
        " iso8601(now()) AS generated_at, o.confirmed, o.declined,"
        " o.rejected, o.cancelled, m.first_minute, m.per_minute"
        " FROM concerts c" TIERS_JOIN
        " LEFT JOIN LATERAL (SELECT sum(i.quantity * i.price_cents)"
        "   AS refunded FROM bookings bk"
        "   JOIN booking_items i ON i.booking_id = bk.id AND i.tier_id = t.id"
        "   WHERE bk.concert_id = c.id AND bk.status = 'cancelled') r ON true,"
        " o, m"
        " WHERE c.id = $1 ORDER BY t.price_cents DESC, t.id",
        1, true},

    /*
     * Bookings by concert, status and a search ($2: a reference, an email,
     * or part of a fan's name), newest first, a page of $5 after the
     * booking $4.  Keys that lost a race are left out unless asked for.
     */
    [Q_ADMIN_BOOKINGS] = {"admin_bookings",
        "WITH q AS (SELECT lower($2) AS text, '%' || replace(replace("
        "   replace(lower($2), '\\', '\\\\'), '%', '\\%'), '_', '\\_')"
        "   || '%' AS pattern),"
        " page AS (SELECT b.id, b.created_at FROM bookings b"
        "   JOIN users u ON u.id = b.user_id, q"
        "   WHERE ($1::text IS NULL OR b.concert_id = $1)"
        "   AND ($3::text IS NULL AND b.status <> 'rejected'"
        "        OR b.status = $3)"
        "   AND (q.text IS NULL OR b.id = $2 OR u.email = q.text"
        "        OR u.email LIKE q.pattern OR lower(u.name) LIKE q.pattern"
        "        OR lower(b.guest_name) LIKE q.pattern)"
        "   AND ($4::text IS NULL OR (b.created_at, b.id) <"
        "       (SELECT c.created_at, c.id FROM bookings c WHERE c.id = $4))"
        "   ORDER BY b.created_at DESC, b.id DESC LIMIT $5)"
        " " ADMIN_BOOKING_SELECT
        " FROM page p JOIN bookings b ON b.id = p.id" ADMIN_BOOKING_JOINS
        " ORDER BY p.created_at DESC, p.id DESC, i.tier_id",
        5, true},

    [Q_ADMIN_BOOKING] = {"admin_booking",
        ADMIN_BOOKING_SELECT " FROM bookings b" ADMIN_BOOKING_JOINS
                             " WHERE b.id = $1 ORDER BY i.tier_id",
        1, true},

    [Q_BOOKING_EVENTS] = {"booking_events",
        "SELECT iso8601(e.at) AS at, e.from_status, e.to_status, e.reason,"
        " a.id AS actor_id, a.email AS actor_email, a.name AS actor_name"
        " FROM booking_history e LEFT JOIN users a ON a.id = e.actor_id"
        " WHERE e.booking_id = $1 ORDER BY e.seq",
        1, true},

    /*
     * A page of a concert's bookings for the CSV, oldest first, after the
     * booking ($2, $3: its exact created_at as text, and its id).  The
     * page is chosen first, along bookings_concert_created, and only its
     * rows are joined and summed: grouping the whole concert before the
     * LIMIT cost every page the rest of the concert (seconds a page at
     * 100,000 bookings, then the statement timeout).  The first page's
     * cursor is -infinity, so one plan fits every page.
     */
    [Q_BOOKINGS_CSV] = {"bookings_csv",
        "SELECT b.id, b.status, iso8601(b.created_at) AS created_at,"
        " b.created_at::text AS cursor_at, u.email, u.name, b.guest_name,"
        " b.total_cents, x.tickets, x.items"
        " FROM (SELECT p.id, p.status, p.created_at, p.user_id,"
        "   p.guest_name, p.total_cents FROM bookings p"
        "   WHERE p.concert_id = $1"
        "   AND p.status IN ('confirmed', 'cancelled')"
        "   AND p.created_at >= coalesce($2::timestamptz, '-infinity')"
        "   AND (p.created_at, p.id) >"
        "     (coalesce($2::timestamptz, '-infinity'), coalesce($3, ''))"
        "   ORDER BY p.created_at, p.id LIMIT $4) b"
        " JOIN users u ON u.id = b.user_id"
        " LEFT JOIN LATERAL (SELECT sum(i.quantity) AS tickets,"
        "   string_agg(t.tier_name || ' x' || i.quantity, '; '"
        "     ORDER BY t.tier_name) AS items"
        "   FROM booking_items i JOIN ticket_tiers t ON t.id = i.tier_id"
        "   WHERE i.booking_id = b.id) x ON true"
        " ORDER BY b.created_at, b.id",
        4, true},

    /* Tickets sold and available of each listed concert (/metrics). */
    [Q_CONCERT_GAUGES] = {"concert_gauges",
        "SELECT c.id, sum(t.total_quantity - s.available) AS sold,"
        " sum(s.available) AS available"
        " FROM concerts c" TIERS_JOIN " WHERE c.status = 'published'"
        "   AND c.event_date > now() - interval '6 hours'"
        " GROUP BY c.id ORDER BY c.id",
        0, true},

    /*
     * The mailer (src/mail): up to $2 emails that are due and not leased,
     * leased for $1 seconds to this mailer (SKIP LOCKED: two mailers, say
     * during a reload, never claim the same row at once).
     */
    [Q_OUTBOX_CLAIM] = {"outbox_claim",
        "UPDATE outbox o SET attempts = o.attempts + 1,"
        " leased_until = now() + make_interval(secs => $1::integer)"
        " WHERE o.id IN (SELECT p.id FROM outbox p"
        "   WHERE p.sent_at IS NULL AND p.failed_at IS NULL"
        "   AND p.attempts < $3::integer AND p.next_attempt_at <= now()"
        "   AND (p.leased_until IS NULL OR p.leased_until < now())"
        "   ORDER BY p.next_attempt_at, p.id LIMIT $2 FOR UPDATE SKIP LOCKED)"
        " RETURNING o.id, o.kind, o.booking_id, o.user_id, o.attempts",
        3, false},

    /*
     * Rows that used up their attempts without being settled (a mailer
     * that died on them each time): given up, so none is claimed forever.
     */
    [Q_OUTBOX_GIVE_UP] = {"outbox_give_up",
        "UPDATE outbox SET failed_at = now(), leased_until = NULL,"
        " last_error = left(coalesce(last_error || '; ', '')"
        "   || 'given up after ' || attempts || ' attempts', 500)"
        " WHERE sent_at IS NULL AND failed_at IS NULL"
        " AND attempts >= $1::integer"
        " AND (leased_until IS NULL OR leased_until < now())",
        1, true},

    [Q_OUTBOX_SENT] = {"outbox_sent",
        "UPDATE outbox SET sent_at = now(), leased_until = NULL,"
        " last_error = NULL WHERE id = $1::bigint AND sent_at IS NULL",
        1, true},

    /* Not sent: again in $3 seconds, or never ($4). */
    [Q_OUTBOX_RETRY] = {"outbox_retry",
        "UPDATE outbox SET leased_until = NULL, last_error = left($2, 500),"
        " next_attempt_at = now() + make_interval(secs => $3::integer),"
        " failed_at = CASE WHEN $4::boolean THEN now() END"
        " WHERE id = $1::bigint AND sent_at IS NULL",
        4, true},

    /* What a booking's email says: the booking, its fan, its concert. */
    [Q_MAIL_BOOKING] = {"mail_booking",
        "SELECT b.id, b.concert_id, b.user_id, b.status, b.total_cents,"
        " iso8601(b.created_at) AS created_at,"
        " iso8601(b.updated_at) AS updated_at,"
        " u.email AS fan_email, u.name AS fan_name,"
        " u.email_verified_at IS NOT NULL AS fan_verified,"
        " c.name AS concert_name, c.venue, c.time_zone,"
        " iso8601(c.event_date) AS event_date,"
        " iso8601_at(c.event_date, c.time_zone) AS starts_at,"
        " iso8601_at(c.doors_at, c.time_zone) AS doors_at,"
        " i.tier_id AS item_tier_id, t.tier_name AS item_tier_name,"
        " i.quantity AS item_quantity, i.price_cents AS item_price_cents"
        " FROM bookings b JOIN users u ON u.id = b.user_id"
        " JOIN concerts c ON c.id = b.concert_id"
        " LEFT JOIN booking_items i ON i.booking_id = b.id"
        " LEFT JOIN ticket_tiers t ON t.id = i.tier_id"
        " WHERE b.id = $1 ORDER BY i.tier_id",
        1, true},

    /*
     * Account emails (store/account_mail_store.c).  A verification holds
     * while the account still has the address the link was made for.
     */
    [Q_VERIFY_EMAIL] = {"verify_email",
        "UPDATE users SET email_verified_at ="
        " coalesce(email_verified_at, now())"
        " WHERE id = $1 AND left(encode(sha256(convert_to(email, 'UTF8')),"
        "   'hex'), 32) = $2"
        " RETURNING id, email, name, role, true AS email_verified",
        2, true},

    /*
     * A reset email for the account of $1, if it has a password, at most
     * one every five minutes (nothing says whether it exists).
     */
    [Q_RESET_REQUEST] = {"reset_request",
        "INSERT INTO outbox (kind, user_id)"
        " SELECT 'password_reset', u.id FROM users u"
        " WHERE u.email = $1 AND u.password_hash LIKE '$argon2id$%'"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.user_id = u.id"
        "   AND o.kind = 'password_reset'"
        "   AND o.created_at > now() - interval '5 minutes')"
        " ON CONFLICT (user_id, kind) WHERE user_id IS NOT NULL"
        "   AND sent_at IS NULL AND failed_at IS NULL DO NOTHING",
        1, false},

    [Q_VERIFY_RESEND] = {"verify_resend",
        "INSERT INTO outbox (kind, user_id)"
        " SELECT 'verify_email', u.id FROM users u"
        " WHERE u.id = $1 AND u.email_verified_at IS NULL"
        " AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.user_id = u.id"
        "   AND o.kind = 'verify_email'"
        "   AND o.created_at > now() - interval '1 minute')"
        " ON CONFLICT (user_id, kind) WHERE user_id IS NOT NULL"
        "   AND sent_at IS NULL AND failed_at IS NULL DO NOTHING",
        1, false},

    [Q_RESET_STATE] = {"reset_state",
        "SELECT CASE WHEN used_at IS NOT NULL THEN 'used'"
        " WHEN expires_at <= now() THEN 'expired' ELSE 'valid' END AS state"
        " FROM password_resets WHERE token_hash = $1",
        1, true},

    /* The token used once, the password set, every session revoked (011). */
    [Q_RESET_CONFIRM] = {"reset_confirm",
        "SELECT state FROM reset_password(p_token_hash => $1,"
        " p_password_hash => $2)",
        2, false},

    /* The mailer: an account's address, and a reset token it made. */
    [Q_MAIL_USER] = {"mail_user",
        "SELECT id, email, name, email_verified_at IS NOT NULL AS verified"
        " FROM users WHERE id = $1",
        1, true},

    [Q_RESET_STORE] = {"reset_store",
        "INSERT INTO password_resets (token_hash, user_id, expires_at)"
        " VALUES ($1, $2, now() + make_interval(secs => $3::integer))",
        3, false},

    /*
     * Check-in: the ticket's one admission, or the first one's time and
     * door (store/checkin_store.c).  Not idempotent: after a lost
     * connection the door scans again and learns which.
     */
    [Q_ADMIT_TICKET] = {"admit_ticket",
        "SELECT outcome, o_admitted_at, o_door, o_tier_name, o_fan_name"
        " FROM admit_ticket(p_booking_id => $1, p_index => $2::integer,"
        " p_concert_id => $3, p_door => $4, p_staff_id => $5)",
        5, false},
};
