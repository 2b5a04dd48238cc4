/*
 * queries.c - every SQL statement ticketd runs, in one place.
 */
#include "config.h"

#include "store/queries.h"

#define BOOKING_SELECT                                                         \
	"SELECT b.id, b.concert_id, b.user_id, b.status, b.total_cents,"       \
	" b.request, b.reject_detail::text, iso8601(b.created_at),"            \
	" iso8601(b.updated_at), i.tier_id, t.tier_name, i.quantity,"          \
	" i.price_cents"                                                       \
	" FROM bookings b"                                                     \
	" LEFT JOIN booking_items i ON i.booking_id = b.id"                    \
	" LEFT JOIN ticket_tiers t ON t.id = i.tier_id"

const struct db_query queries[Q_COUNT] = {
    [Q_PING] = {"ping", "SELECT 1", 0, true},

    [Q_CONCERTS] = {"concerts",
        "SELECT c.id, c.name, c.venue, iso8601(c.event_date),"
        " iso8601(c.created_at), s.min_price, s.total, s.available"
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
        "SELECT id, name, venue, iso8601(event_date), iso8601(created_at)"
        " FROM concerts WHERE id = $1",
        1, true},

    [Q_AVAILABILITY] = {"availability",
        "SELECT t.id, t.tier_name, t.price_cents, t.total_quantity,"
        " sum(b.available), t.bucket_count"
        " FROM ticket_tiers t JOIN tier_buckets b ON b.tier_id = t.id"
        " WHERE t.concert_id = $1"
        " GROUP BY t.id ORDER BY t.price_cents DESC, t.id",
        1, true},

    [Q_BOOKING_BY_ID] = {"booking_by_id",
        BOOKING_SELECT " WHERE b.id = $1 ORDER BY i.tier_id", 1, true},

    [Q_BOOKING_BY_KEY] = {"booking_by_key",
        BOOKING_SELECT " WHERE b.idempotency_key = $1::uuid ORDER BY i.tier_id",
        1, true},

    [Q_BOOK] = {"book",
        "SELECT outcome, o_booking_id, o_created_at, o_tier_id, o_requested,"
        " o_available FROM book($1::uuid, $2, $3, $4, $5, $6, $7::bigint,"
        " $8::text[], $9::integer[], $10::integer[], $11::boolean, $12, $13)",
        13, false},

    [Q_CANCEL] = {"cancel",
        "SELECT outcome, o_status FROM cancel_booking($1, $2)", 2, false},
};
