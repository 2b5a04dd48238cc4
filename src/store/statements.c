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
	" b.reject_tier_id, rt.tier_name AS reject_tier_name,"                 \
	" b.reject_requested, b.reject_available,"                             \
	" i.tier_id AS item_tier_id, t.tier_name AS item_tier_name,"           \
	" i.quantity AS item_quantity, i.price_cents AS item_price_cents"      \
	" FROM bookings b"                                                     \
	" LEFT JOIN booking_items i ON i.booking_id = b.id"                    \
	" LEFT JOIN ticket_tiers t ON t.id = i.tier_id"                        \
	" LEFT JOIN ticket_tiers rt ON rt.id = b.reject_tier_id"

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
        "SELECT c.id AS concert_id, t.id AS tier_id, t.tier_name,"
        " t.price_cents, t.total_quantity, s.available, t.bucket_count"
        " FROM concerts c"
        " LEFT JOIN ticket_tiers t ON t.concert_id = c.id"
        " LEFT JOIN LATERAL (SELECT sum(b.available) AS available"
        "   FROM tier_buckets b WHERE b.tier_id = t.id) s ON true"
        " WHERE c.id = $1"
        " ORDER BY t.price_cents DESC, t.id",
        1, true},

    [Q_BOOKING_BY_ID] = {"booking_by_id",
        BOOKING_SELECT " WHERE b.id = $1 ORDER BY i.tier_id", 1, true},

    [Q_BOOKING_BY_KEY] = {"booking_by_key",
        BOOKING_SELECT " WHERE b.idempotency_key = $1::uuid ORDER BY i.tier_id",
        1, true},

    [Q_BOOK] = {"book",
        "SELECT outcome, o_booking_id, o_created_at, o_tier_id, o_requested,"
        " o_available FROM book(p_key => $1::uuid, p_booking_id => $2,"
        " p_concert_id => $3, p_user_id => $4, p_request => $5,"
        " p_method => $6, p_total_cents => $7::bigint,"
        " p_tier_ids => $8::text[], p_quantities => $9::integer[],"
        " p_bucket_counts => $10::integer[], p_paid => $11::boolean,"
        " p_payment_ref => $12, p_request_id => $13)",
        13, false},

    [Q_CANCEL] = {"cancel",
        "SELECT outcome, o_status, o_refunded_cents"
        " FROM cancel_booking(p_booking_id => $1, p_request_id => $2)",
        2, false},
};
