/*
 * booking_json.c - a booking as the API shows it.
 */
#include "config.h"

#include <stdlib.h>

#include "http/booking_json.h"
#include "store/queries.h"

static json_object *
item_json(const char *tier_id, const char *name, int quantity, int64_t price)
{
	json_object *it = json_object_new_object();

	json_object_object_add(it, "tierId", json_object_new_string(tier_id));
	json_object_object_add(it, "tierName", json_object_new_string(name));
	json_object_object_add(it, "quantity", json_object_new_int(quantity));
	json_object_object_add(it, "pricePerTicket", json_money(price));
	return it;
}

static json_object *
booking_head(const char *id, const char *concert, const char *user,
    const char *status, int64_t total_cents, json_object *items,
    const char *created, const char *updated)
{
	json_object *b = json_object_new_object();

	json_object_object_add(b, "id", json_object_new_string(id));
	json_object_object_add(b, "concertId", json_object_new_string(concert));
	json_object_object_add(b, "userId", json_object_new_string(user));
	json_object_object_add(b, "status", json_object_new_string(status));
	json_object_object_add(b, "totalAmount", json_money(total_cents));
	json_object_object_add(b, "items", items);
	json_object_object_add(b, "createdAt", json_object_new_string(created));
	json_object_object_add(b, "updatedAt", json_object_new_string(updated));
	return b;
}

json_object *
booking_json_from_rows(const PGresult *r)
{
	json_object *items = json_object_new_array();

	for (int i = 0; i < PQntuples(r); i++) {
		if (PQgetisnull(r, i, BK_ITEM_TIER)) {
			continue; /* a booking without items: declined or
			             rejected */
		}
		json_object_array_add(items,
		    item_json(PQgetvalue(r, i, BK_ITEM_TIER),
		        PQgetvalue(r, i, BK_ITEM_NAME),
		        atoi(PQgetvalue(r, i, BK_ITEM_QTY)),
		        strtoll(PQgetvalue(r, i, BK_ITEM_PRICE), NULL, 10)));
	}
	return booking_head(PQgetvalue(r, 0, BK_ID),
	    PQgetvalue(r, 0, BK_CONCERT), PQgetvalue(r, 0, BK_USER),
	    PQgetvalue(r, 0, BK_STATUS),
	    strtoll(PQgetvalue(r, 0, BK_TOTAL), NULL, 10), items,
	    PQgetvalue(r, 0, BK_CREATED), PQgetvalue(r, 0, BK_UPDATED));
}

json_object *
booking_json_confirmed(const struct booking_request *br, const char *booking_id,
    const char *created_at, const struct tier *tiers, int ntiers)
{
	json_object *items = json_object_new_array_ext(br->nlines);

	for (int i = 0; i < br->nlines; i++) {
		const struct tier *t =
		    concerts_find_tier(tiers, ntiers, br->lines[i].tier_id);

		json_object_array_add(
		    items, item_json(t->id, t->name, br->lines[i].quantity,
		               t->price_cents));
	}
	return booking_head(booking_id, br->concert_id, br->user_id,
	    "confirmed", br->total_cents, items, created_at, created_at);
}

json_object *
booking_json_shortage(const struct tier *tier, int requested, int available)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "tierId", json_object_new_string(tier->id));
	json_object_object_add(
	    d, "tierName", json_object_new_string(tier->name));
	json_object_object_add(d, "requested", json_object_new_int(requested));
	json_object_object_add(d, "available", json_object_new_int(available));
	return d;
}
