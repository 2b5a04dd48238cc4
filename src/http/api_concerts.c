/*
 * api_concerts.c - the read endpoints of concerts and their tiers.
 */
#include "config.h"

#include <stdlib.h>

#include "base/errors.h"
#include "http/api_concerts.h"
#include "http/paging.h"
#include "http/replies.h"
#include "store/concert_store.h"

static json_object *
string_or_null(const char *s)
{
	return s[0] != '\0' ? json_object_new_string(s) : NULL;
}

json_object *
concert_json(const struct concert *c)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(c->id));
	json_object_object_add(o, "name", json_object_new_string(c->name));
	json_object_object_add(o, "venue", json_object_new_string(c->venue));
	json_object_object_add(
	    o, "eventDate", json_object_new_string(c->event_date));
	json_object_object_add(
	    o, "timeZone", json_object_new_string(c->time_zone));
	json_object_object_add(
	    o, "startsAt", json_object_new_string(c->starts_at));
	json_object_object_add(o, "doorsAt", string_or_null(c->doors_at));
	json_object_object_add(
	    o, "salesStart", json_object_new_string(c->sales_start));
	json_object_object_add(
	    o, "salesEnd", json_object_new_string(c->sales_end));
	json_object_object_add(o, "status",
	    json_object_new_string(concert_status_name(c->status)));
	json_object_object_add(
	    o, "maxTicketsPerFan", json_object_new_int(c->max_per_fan));
	json_object_object_add(
	    o, "createdAt", json_object_new_string(c->created_at));
	return o;
}

/* Beyond the seed's contract: enough for a listing page in one call. */
static json_object *
listed_concert_json(const struct concert *c)
{
	json_object *o = concert_json(c);

	json_object_object_add(o, "minPrice",
	    c->has_tiers ? json_money(c->min_price_cents) : NULL);
	json_object_object_add(
	    o, "totalQuantity", json_object_new_int64(c->total));
	json_object_object_add(
	    o, "availableQuantity", json_object_new_int64(c->available));
	return o;
}

static json_object *
tier_json(const struct tier *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(t->id));
	json_object_object_add(o, "tierName", json_object_new_string(t->name));
	json_object_object_add(o, "price", json_money(t->price_cents));
	json_object_object_add(
	    o, "totalQuantity", json_object_new_int(t->total));
	json_object_object_add(
	    o, "availableQuantity", json_object_new_int(t->available));
	return o;
}

static void
reply_concert_error(struct response *res, int err)
{
	if (err == TD_ERR_NOT_FOUND) {
		response_error(
		    res, 404, "CONCERT_NOT_FOUND", "Concert not found", NULL);
	} else {
		reply_error(res, err);
	}
}

void
api_concerts_list(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	/* One more than a page: its presence says there is a next page. */
	struct concert page[CONCERTS_PAGE + 1];
	char after[IDS_SLUG_MAX + 1];
	const char *cursor;
	json_object *data;
	int n, err, shown;

	if (paging_cursor_or_reply(req, after, sizeof(after), &cursor, res) !=
	    0) {
		return;
	}
	err = concert_store_list(
	    &ctx->store, cursor, page, CONCERTS_PAGE + 1, &n);
	if (err != 0) {
		reply_error(res, err);
		return;
	}
	shown = n > CONCERTS_PAGE ? CONCERTS_PAGE : n;
	data = json_object_new_array_ext(shown);
	for (int i = 0; i < shown; i++) {
		json_object_array_add(data, listed_concert_json(&page[i]));
	}
	paging_reply(res, data, n > CONCERTS_PAGE ? page[shown - 1].id : NULL);
	res->cache_control = "no-cache";
}

void
api_concerts_get(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct concert_detail d;
	json_object *o;
	int err;

	if ((err = concert_store_get(&ctx->store, id, &d)) != 0) {
		reply_concert_error(res, err);
		return;
	}
	o = concert_json(&d.c);
	json_object_object_add(
	    o, "description", json_object_new_string(d.description));
	/* The clock the sale opens by: a countdown runs on it, not the
	 * browser's. */
	json_object_object_add(
	    o, "serverTime", json_object_new_string(d.server_time));
	response_data(res, 200, o, NULL);
	res->cache_control = "no-cache";
}

void
api_concerts_availability(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct tier_list tiers;
	json_object *data, *list;
	int err;

	if ((err = concert_store_tiers(&ctx->store, id, &tiers)) != 0) {
		reply_concert_error(res, err);
		return;
	}
	list = json_object_new_array_ext(tiers.n);
	for (int i = 0; i < tiers.n; i++) {
		json_object_array_add(list, tier_json(&tiers.tiers[i]));
	}
	data = json_object_new_object();
	json_object_object_add(data, "concertId", json_object_new_string(id));
	json_object_object_add(data, "tiers", list);
	response_data(res, 200, data, NULL);
	res->cache_control = "no-cache";
}
