/*
 * api_admin_concerts.c - the box office's concerts: list, read, create,
 * change (tiers and state too), the live sales dashboard and the CSV of
 * a concert's bookings.  Every route is an admin's (401 signed out, 403
 * for a fan).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "domain/money.h"
#include "http/api_admin_concerts.h"
#include "http/api_concerts.h"
#include "http/auth.h"
#include "http/concert_request.h"
#include "http/replies.h"
#include "store/admin_booking_store.h"
#include "store/concert_admin_store.h"

#define CSV_PAGE 500

static json_object *
admin_tier_json(const struct admin_tier *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(t->id));
	json_object_object_add(o, "tierName", json_object_new_string(t->name));
	json_object_object_add(o, "price", json_money(t->price_cents));
	json_object_object_add(o, "capacity", json_object_new_int(t->capacity));
	json_object_object_add(o, "sold", json_object_new_int(t->sold));
	json_object_object_add(
	    o, "available", json_object_new_int(t->available));
	return o;
}

static json_object *
admin_concert_json(const struct admin_concert *a)
{
	json_object *o = concert_json(&a->d.c);
	json_object *tiers = json_object_new_array_ext(a->ntiers);

	json_object_object_add(
	    o, "description", json_object_new_string(a->d.description));
	json_object_object_add(
	    o, "updatedAt", json_object_new_string(a->d.c.updated_at));
	for (int i = 0; i < a->ntiers; i++) {
		json_object_array_add(tiers, admin_tier_json(&a->tiers[i]));
	}
	json_object_object_add(o, "tiers", tiers);
	return o;
}

static void
reply_not_found(struct response *res)
{
	response_error(
	    res, 404, "CONCERT_NOT_FOUND", "Concert not found", NULL);
}

/* Answers the concert as it is now (after a write: from the primary). */
static void
reply_concert(
    struct api_context *ctx, const char *id, int status, struct response *res)
{
	struct admin_concert *a = malloc(sizeof(*a));
	int err;

	if (a == NULL) {
		abort();
	}
	err = concert_admin_store_get(&ctx->store, id, a);
	if (err == TD_ERR_NOT_FOUND) {
		reply_not_found(res);
	} else if (err != 0) {
		reply_error(res, err);
	} else {
		response_data(res, status, admin_concert_json(a), NULL);
	}
	free(a);
}

static json_object *
tier_details(const struct concert_admin_result *r)
{
	json_object *d = json_object_new_object();

	json_object_object_add(d, "tierId", json_object_new_string(r->tier_id));
	return d;
}

/* Answers a refused or failed change; ADMIN_DONE is the caller's. */
static void
reply_admin_refusal(struct response *res, const struct concert_admin_result *r)
{
	json_object *d;
	char msg[160];

	switch (r->outcome) {
	case ADMIN_DONE: return;
	case ADMIN_INVALID: response_invalid(res, r->field, r->message); return;
	case ADMIN_NOT_FOUND: reply_not_found(res); return;
	case ADMIN_DUPLICATE_TIER:
		d = json_object_new_object();
		json_object_object_add(
		    d, "tierName", json_object_new_string(r->tier_name));
		response_error(res, 409, "DUPLICATE_TIER_NAME",
		    "Two tiers of a concert cannot share a name", d);
		return;
	case ADMIN_CAPACITY_BELOW_SOLD:
		d = tier_details(r);
		json_object_object_add(d, "sold", json_object_new_int(r->sold));
		json_object_object_add(
		    d, "capacity", json_object_new_int(r->capacity));
		snprintf(msg, sizeof(msg),
		    "This tier has sold %d tickets: its capacity cannot go "
		    "below that",
		    r->sold);
		response_error(res, 409, "CAPACITY_BELOW_SOLD", msg, d);
		return;
	case ADMIN_TIER_HAS_SALES:
		response_error(res, 409, "TIER_HAS_SALES",
		    "A tier is repriced only before its first sale",
		    tier_details(r));
		return;
	case ADMIN_CONCERT_CANCELLED:
		response_error(res, 409, "CONCERT_CANCELLED",
		    "A cancelled concert cannot change", NULL);
		return;
	case ADMIN_UNPUBLISH_WITH_SALES:
		response_error(res, 409, "CONCERT_HAS_SALES",
		    "A concert with confirmed bookings stays published: cancel "
		    "it instead",
		    NULL);
		return;
	case ADMIN_FAILED: reply_error(res, r->error); return;
	}
}

void
api_admin_concerts_list(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct admin_concert *list;
	struct user user;
	json_object *data;
	int n, err;

	if (auth_admin_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	if ((err = concert_admin_store_list(&ctx->store, &list, &n)) != 0) {
		reply_error(res, err);
		return;
	}
	data = json_object_new_array_ext(n);
	for (int i = 0; i < n; i++) {
		json_object_array_add(data, admin_concert_json(&list[i]));
	}
	free(list);
	response_data(res, 200, data, NULL);
}

void
api_admin_concerts_get(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct user user;

	if (auth_admin_or_reply(ctx, req, &user, res) == 0) {
		reply_concert(ctx, id, 200, res);
	}
}

void
api_admin_concerts_create(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct concert_admin_result r;
	struct concert_draft *d;
	struct user user;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    auth_admin_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	if ((d = malloc(sizeof(*d))) == NULL) {
		abort();
	}
	if (concert_request_parse(req->body, req->body_len, d, res) == 0) {
		if (concert_admin_create(&ctx->concerts, d, &r) == ADMIN_DONE) {
			log_info("admin %s created concert %s", user.id,
			    r.concert_id);
			reply_concert(ctx, r.concert_id, 201, res);
		} else {
			reply_admin_refusal(res, &r);
		}
	}
	free(d);
}

void
api_admin_concerts_update(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct concert_admin_result r;
	struct concert_draft *d;
	struct admin_actor who;
	struct user user;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    auth_admin_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	if ((d = malloc(sizeof(*d))) == NULL) {
		abort();
	}
	who.user_id = user.id;
	who.request_id = req->request_id;
	if (concert_request_parse(req->body, req->body_len, d, res) == 0) {
		if (concert_admin_update(&ctx->concerts, id, &who, d, &r) ==
		    ADMIN_DONE) {
			log_info("admin %s changed concert %s", user.id, id);
			reply_concert(ctx, id, 200, res);
		} else {
			reply_admin_refusal(res, &r);
		}
	}
	free(d);
}

static json_object *
sales_tier_json(const struct sales_tier *t)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "tierId", json_object_new_string(t->id));
	json_object_object_add(o, "tierName", json_object_new_string(t->name));
	json_object_object_add(o, "price", json_money(t->price_cents));
	json_object_object_add(o, "capacity", json_object_new_int(t->capacity));
	json_object_object_add(o, "sold", json_object_new_int(t->sold));
	json_object_object_add(
	    o, "available", json_object_new_int(t->available));
	json_object_object_add(o, "grossAmount", json_money(t->gross_cents));
	json_object_object_add(
	    o, "refundedAmount", json_money(t->refunded_cents));
	return o;
}

static json_object *
sales_json(const char *id, const struct sales_report *s)
{
	json_object *o = json_object_new_object(), *tiers, *totals, *outcomes,
	            *minutes;
	int64_t capacity = 0, sold = 0, available = 0, gross = 0, refunded = 0;

	tiers = json_object_new_array_ext(s->ntiers);
	for (int i = 0; i < s->ntiers; i++) {
		json_object_array_add(tiers, sales_tier_json(&s->tiers[i]));
		capacity += s->tiers[i].capacity;
		sold += s->tiers[i].sold;
		available += s->tiers[i].available;
		gross += s->tiers[i].gross_cents;
		refunded += s->tiers[i].refunded_cents;
	}
	totals = json_object_new_object();
	json_object_object_add(
	    totals, "capacity", json_object_new_int64(capacity));
	json_object_object_add(totals, "sold", json_object_new_int64(sold));
	json_object_object_add(
	    totals, "available", json_object_new_int64(available));
	json_object_object_add(totals, "grossAmount", json_money(gross));
	json_object_object_add(totals, "refundedAmount", json_money(refunded));
	outcomes = json_object_new_object();
	json_object_object_add(
	    outcomes, "confirmed", json_object_new_int64(s->confirmed));
	json_object_object_add(
	    outcomes, "declined", json_object_new_int64(s->declined));
	json_object_object_add(
	    outcomes, "rejected", json_object_new_int64(s->rejected));
	json_object_object_add(
	    outcomes, "cancelled", json_object_new_int64(s->cancelled));
	minutes = json_object_new_array_ext(SALES_MINUTES);
	for (int i = 0; i < SALES_MINUTES && s->minutes[i].minute[0] != '\0';
	     i++) {
		json_object *m = json_object_new_object();

		json_object_object_add(
		    m, "minute", json_object_new_string(s->minutes[i].minute));
		json_object_object_add(m, "confirmed",
		    json_object_new_int64(s->minutes[i].confirmed));
		json_object_array_add(minutes, m);
	}
	json_object_object_add(o, "concertId", json_object_new_string(id));
	json_object_object_add(
	    o, "generatedAt", json_object_new_string(s->generated_at));
	json_object_object_add(o, "tiers", tiers);
	json_object_object_add(o, "totals", totals);
	json_object_object_add(o, "outcomes", outcomes);
	json_object_object_add(o, "perMinute", minutes);
	return o;
}

void
api_admin_concerts_sales(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct sales_report *s;
	struct user user;
	int err;

	if (auth_admin_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	if ((s = malloc(sizeof(*s))) == NULL) {
		abort();
	}
	err = concert_admin_store_sales(&ctx->store, id, s);
	if (err == TD_ERR_NOT_FOUND) {
		reply_not_found(res);
	} else if (err != 0) {
		reply_error(res, err);
	} else {
		response_data(res, 200, sales_json(id, s), NULL);
	}
	free(s);
}

/* What the CSV stream needs after the handler has returned. */
struct csv_export {
	struct store *store;
	char concert_id[IDS_SLUG_MAX + 1];
	struct csv_booking page[CSV_PAGE];
	struct csv_booking last;
};

/*
 * Writes s as a quoted CSV field, never starting with = + - @ (a
 * spreadsheet would run it as a formula: a fan's name is not code).
 */
static int
csv_field(struct response_sink *sink, const char *s, bool last)
{
	char buf[2 * sizeof(((struct csv_booking *)0)->items) + 8];
	size_t n = 0;

	buf[n++] = '"';
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL) {
		buf[n++] = '\'';
	}
	for (const char *p = s; *p != '\0' && n < sizeof(buf) - 4; p++) {
		if (*p == '"') {
			buf[n++] = '"';
		}
		buf[n++] = *p;
	}
	buf[n++] = '"';
	buf[n++] = last ? '\n' : ',';
	return sink->write(sink->ctx, buf, n);
}

static int
csv_line(struct response_sink *sink, const struct csv_booking *b)
{
	char total[24], tickets[16];

	money_format(b->total_cents, total, sizeof(total));
	snprintf(tickets, sizeof(tickets), "%d", b->tickets);
	if (csv_field(sink, b->id, false) != 0 ||
	    csv_field(sink, b->status, false) != 0 ||
	    csv_field(sink, b->created_at, false) != 0 ||
	    csv_field(sink, b->email, false) != 0 ||
	    csv_field(sink, b->name, false) != 0 ||
	    csv_field(sink, b->guest_name, false) != 0 ||
	    csv_field(sink, tickets, false) != 0 ||
	    csv_field(sink, b->items, false) != 0) {
		return -1;
	}
	return csv_field(sink, total, true);
}

/* Page after page, never the whole concert in memory. */
static void
stream_csv(void *arg, struct response_sink *sink)
{
	static const char header[] = "booking_id,status,created_at,email,name,"
	                             "guest_name,tickets,items,total\n";
	struct csv_export *x = arg;
	int n, err, lines = 0;

	if (sink->write(sink->ctx, header, sizeof(header) - 1) != 0) {
		return;
	}
	do {
		err = admin_booking_store_csv_page(
		    x->store, x->concert_id, &x->last, x->page, CSV_PAGE, &n);
		for (int i = 0; i < n && err == 0; i++) {
			if (csv_line(sink, &x->page[i]) != 0) {
				log_info(
				    "csv of %s: client gone after %d lines",
				    x->concert_id, lines);
				return;
			}
			lines++;
		}
		if (n > 0) {
			x->last = x->page[n - 1];
		}
	} while (err == 0 && n == CSV_PAGE);
	if (err != 0) {
		/* The head is sent: say so in the file itself. */
		static const char cut[] = "# export incomplete: the database "
		                          "failed, download it again\n";

		log_error("csv of %s stopped after %d lines: %s", x->concert_id,
		    lines, td_strerror(err));
		sink->write(sink->ctx, cut, sizeof(cut) - 1);
	}
}

void
api_admin_concerts_csv(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct admin_concert *a;
	struct csv_export *x;
	struct user user;
	int err;

	if (auth_admin_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	/* A concert that does not exist is a 404, not an empty file. */
	if ((a = malloc(sizeof(*a))) == NULL) {
		abort();
	}
	err = concert_admin_store_get(&ctx->store, id, a);
	free(a);
	if (err == TD_ERR_NOT_FOUND) {
		reply_not_found(res);
		return;
	}
	if (err != 0) {
		reply_error(res, err);
		return;
	}
	if ((x = calloc(1, sizeof(*x))) == NULL) {
		abort();
	}
	x->store = &ctx->store;
	snprintf(x->concert_id, sizeof(x->concert_id), "%s", id);
	response_stream(res, "text/csv; charset=utf-8", stream_csv, x);
	res->disposition = "attachment; filename=\"bookings.csv\"";
}
