/*
 * statements.c - every SQL statement ticketd runs, in one place.
 *
 * A statement whose parts must agree reads them in one snapshot: on a
 * replica two statements can see two points of its replay.
 */
#include "config.h"

#include "store/statements.h"

#define BOOKING_SELECT                                                         \
	"SELECT b.id, b.concert_id, b.user_id, b.status, b.total_cents,"       \
	" b.request, iso8601(b.created_at) AS created_at,"                     \
	" iso8601(b.updated_at) AS updated_at,"                                \
	" b.reject_reason, b.reject_tier_id,"                                  \
	" rt.tier_name AS reject_tier_name, b.reject_requested,"               \
	" b.reject_available, b.reject_limit,"                                 \
	" i.tier_id AS item_tier_id, t.tier_name AS item_tier_name,"           \
	" i.quantity AS item_quantity, i.price_cents AS item_price_cents"      \
	" FROM bookings b"                                                     \
	" LEFT JOIN booking_items i ON i.booking_id = b.id"                    \
	" LEFT JOIN ticket_tiers t ON t.id = i.tier_id"                        \
	" LEFT JOIN ticket_tiers rt ON rt.id = b.reject_tier_id"

#define TIERS_SELECT                                                           \
	"SELECT c.id AS concert_id, t.id AS tier_id, t.tier_name,"             \
	" t.price_cents, t.total_quantity, s.available, t.bucket_count"

#define TIERS_JOIN                                                             \
	" LEFT JOIN ticket_tiers t ON t.concert_id = c.id"                     \
	" LEFT JOIN LATERAL (SELECT sum(b.available) AS available"             \
	"   FROM tier_buckets b WHERE b.tier_id = t.id) s ON true"

#define TIERS_ORDER " ORDER BY t.price_cents DESC, t.id"

const struct db_query statements[Q_COUNT] = {
    [Q_PING] = {"ping", "SELECT 1", 0, true},

    [Q_CONCERTS] = {"concerts",
        "SELECT c.id, c.name, c.venue, iso8601(c.event_date) AS event_date,"
        " iso8601(c.created_at) AS created_at, s.min_price, s.total,"
        " s.available"
        " FROM concerts c"
        " LEFT JOIN LATERAL ("
        "   SELECT min(t.price_cents) AS min_price,"
        "          sum(t.total_quantity) AS total,"
        "          (SELECT sum(b.available) FROM tier_buckets b"
        "           JOIN ticket_tiers x ON x.id = b.tier_id"
        "           WHERE x.concert_id = c.id) AS available"
        "   FROM ticket_tiers t WHERE t.concert_id = c.id) s ON true"
        " ORDER BY c.event_date, c.id",
        0, true},

    [Q_CONCERT] = {"concert",
        "SELECT id, name, venue, iso8601(event_date) AS event_date,"
        " iso8601(created_at) AS created_at"
        " FROM concerts WHERE id = $1",
        1, true},

    /*
     * The concert and its tiers in one snapshot: no row is no concert;
     * one row with a NULL tier is a concert without tiers.
     */
    [Q_AVAILABILITY] = {"availability",
        TIERS_SELECT " FROM concerts c" TIERS_JOIN
                     " WHERE c.id = $1" TIERS_ORDER,
        1, true},

    /* The same for a booking's check, with the fan's quota. */
    [Q_BOOKING_TIERS] = {"booking_tiers",
        TIERS_SELECT ", c.max_tickets_per_fan,"
                     " coalesce(q.booked, 0) AS fan_booked"
                     " FROM concerts c"
                     " LEFT JOIN fan_quotas q ON q.concert_id = c.id AND "
                     "q.user_id = $2" TIERS_JOIN " WHERE c.id = $1" TIERS_ORDER,
        2, true},

    /* Ownership is part of the WHERE: another fan's booking is not found. */
    [Q_BOOKING_BY_ID] = {"booking_by_id",
        BOOKING_SELECT " WHERE b.id = $1 AND ($2::boolean OR b.user_id = $3)"
                       " ORDER BY i.tier_id",
        3, true},

    [Q_BOOKING_BY_KEY] = {"booking_by_key",
        BOOKING_SELECT " WHERE b.idempotency_key = $1::uuid ORDER BY i.tier_id",
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

    [Q_CANCEL] = {"cancel",
        "SELECT outcome, o_status, o_refunded_cents"
        " FROM cancel_booking(p_booking_id => $1, p_request_id => $2,"
        " p_user_id => $3, p_is_admin => $4::boolean)",
        4, false},

    /* The account and its first session in one statement. */
    [Q_USER_CREATE] = {"user_create",
        "WITH u AS (INSERT INTO users (id, email, name, password_hash)"
        "  VALUES ($1, $2, $3, $4) RETURNING id)"
        " INSERT INTO sessions (token_hash, user_id) SELECT $5, id FROM u",
        5, false},

    /*
     * Always one row: the email's account (if any), this address's recent
     * failures on it and everyone's ($3: the window in seconds).
     */
    [Q_LOGIN_LOOKUP] = {"login_lookup",
        "SELECT u.id, u.email, u.name, u.role, u.password_hash,"
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
    [Q_SESSION_START] = {"session_start",
        "WITH cleared AS (DELETE FROM login_failures"
        "   WHERE email = $1 AND address = $4),"
        " pruned AS (DELETE FROM sessions WHERE user_id = $3"
        "   AND (revoked_at IS NOT NULL OR created_at <"
        "   now() - make_interval(secs => $5::integer)))"
        " INSERT INTO sessions (token_hash, user_id) VALUES ($2, $3)",
        5, false},

    [Q_SESSION_FIND] = {"session_find",
        "SELECT u.id, u.email, u.name, u.role,"
        " extract(epoch FROM s.created_at)::bigint AS created_s,"
        " extract(epoch FROM s.last_seen_at)::bigint AS last_seen_s,"
        " extract(epoch FROM now())::bigint AS now_s"
        " FROM sessions s JOIN users u ON u.id = s.user_id"
        " WHERE s.token_hash = $1 AND s.revoked_at IS NULL",
        1, true},

    [Q_SESSION_TOUCH] = {"session_touch",
        "UPDATE sessions SET last_seen_at = now()"
        " WHERE token_hash = $1 AND revoked_at IS NULL",
        1, true},

    [Q_SESSION_REVOKE] = {"session_revoke",
        "UPDATE sessions SET revoked_at = now()"
        " WHERE token_hash = $1 AND revoked_at IS NULL",
        1, true},
};
