/*
 * booking_json.c - a booking as the API shows it.
 */
#include "config.h"

#include "http/booking_json.h"
#include "http/response.h"

static json_object *
item_json(const struct booking_item *it)
{
	json_object *o = json_object_new_object();

	json_object_object_add(
	    o, "tierId", json_object_new_string(it->tier_id));
	json_object_object_add(
	    o, "tierName", json_object_new_string(it->tier_name));
	json_object_object_add(
	    o, "quantity", json_object_new_int(it->quantity));
	json_object_object_add(
	    o, "pricePerTicket", json_money(it->price_cents));
	return o;
}

json_object *
booking_json(const struct booking *b)
{
	json_object *o = json_object_new_object();
	json_object *items = json_object_new_array_ext(b->nitems);

	for (int i = 0; i < b->nitems; i++) {
		json_object_array_add(items, item_json(&b->items[i]));
	}
	json_object_object_add(o, "id", json_object_new_string(b->id));
	json_object_object_add(
	    o, "concertId", json_object_new_string(b->concert_id));
	json_object_object_add(o, "userId", json_object_new_string(b->user_id));
	json_object_object_add(o, "status",
	    json_object_new_string(booking_status_name(b->status)));
	json_object_object_add(o, "totalAmount", json_money(b->total_cents));
	json_object_object_add(o, "items", items);
	json_object_object_add(
	    o, "createdAt", json_object_new_string(b->created_at));
	json_object_object_add(
	    o, "updatedAt", json_object_new_string(b->updated_at));
	return o;
}

json_object *
booking_json_shortage(const struct shortage *s)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "tierId", json_object_new_string(s->tier_id));
	json_object_object_add(
	    d, "tierName", json_object_new_string(s->tier_name));
	json_object_object_add(
	    d, "requested", json_object_new_int(s->requested));
	json_object_object_add(
	    d, "available", json_object_new_int(s->available));
	return d;
}
