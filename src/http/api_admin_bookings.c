/*
 * api_admin_bookings.c - the box office's bookings: search every fan's,
 * read one with its audit trail, and cancel one for a fan with a reason.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "base/metrics.h"
#include "http/api_admin_bookings.h"
#include "http/auth.h"
#include "http/booking_json.h"
#include "http/json_body.h"
#include "http/replies.h"
#include "domain/concert_admin.h"
#include "store/admin_booking_store.h"

#define SEARCH_TEXT_MAX 254
#define DEFAULT_PAGE 50

static json_object *
nullable_string(const char *s)
{
	return s[0] != '\0' ? json_object_new_string(s) : NULL;
}

static json_object *
person_json(const char *id, const char *email, const char *name)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", json_object_new_string(id));
	json_object_object_add(o, "email", json_object_new_string(email));
	json_object_object_add(o, "name", json_object_new_string(name));
	return o;
}

/* booking_json() with the concert's name, the fan and a legacy guest name. */
static json_object *
admin_booking_json(const struct admin_booking *a)
{
	json_object *o = booking_json(&a->b);

	json_object_object_add(
	    o, "concertName", json_object_new_string(a->concert_name));
	json_object_object_add(
	    o, "fan", person_json(a->b.user_id, a->fan_email, a->fan_name));
	json_object_object_add(o, "guestName", nullable_string(a->guest_name));
	return o;
}

static json_object *
event_json(const struct audit_event *e)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "at", json_object_new_string(e->at));
	json_object_object_add(
	    o, "fromStatus", nullable_string(e->from_status));
	json_object_object_add(
	    o, "toStatus", json_object_new_string(e->to_status));
	json_object_object_add(o, "actor",
	    e->actor_id[0] != '\0'
	        ? person_json(e->actor_id, e->actor_email, e->actor_name)
	        : NULL);
	json_object_object_add(o, "reason", nullable_string(e->reason));
	return o;
}

static void
reply_not_found(struct response *res)
{
	response_error(
	    res, 404, "BOOKING_NOT_FOUND", "Booking not found", NULL);
}

/* The booking and its audit trail, as they are now. */
static void
reply_detail(struct api_context *ctx, const char *id, struct response *res)
{
	struct audit_event *events = calloc(AUDIT_MAX_EVENTS, sizeof(*events));
	struct admin_booking a;
	json_object *o, *list;
	int n, err;

	if (events == NULL) {
		abort();
	}
	err = admin_booking_store_get(&ctx->store, id, &a, events, &n);
	if (err == TD_ERR_NOT_FOUND) {
		reply_not_found(res);
	} else if (err != 0) {
		reply_error(res, err);
	} else {
		o = admin_booking_json(&a);
		list = json_object_new_array_ext(n);
		for (int i = 0; i < n; i++) {
			json_object_array_add(list, event_json(&events[i]));
		}
		json_object_object_add(o, "events", list);
		response_data(res, 200, o, NULL);
	}
	free(events);
}

/* Reads one query parameter into out; "" when absent.  -1: answered. */
static int
query_or_reply(const struct request *req, const char *key, char *out,
    size_t len, struct response *res)
{
	char msg[96];
	int rc = request_query_text(req, key, out, len);

	if (rc == TD_ERR_NOT_FOUND) {
		out[0] = '\0';
		return 0;
	}
	if (rc != 0) {
		snprintf(msg, sizeof(msg), "%s is malformed or too long", key);
		response_invalid(res, key, msg);
		return -1;
	}
	return 0;
}

/* The search's parameters, checked.  -1: answered. */
static int
search_or_reply(const struct request *req, struct booking_search *q,
    char *concert, char *text, char *status, char *cursor, struct response *res)
{
	enum booking_status st;
	char limit[8];
	char *end;
	long n = DEFAULT_PAGE;

	if (query_or_reply(req, "concertId", concert, IDS_SLUG_MAX + 1, res) !=
	        0 ||
	    query_or_reply(req, "q", text, SEARCH_TEXT_MAX + 1, res) != 0 ||
	    query_or_reply(req, "status", status, 24, res) != 0 ||
	    query_or_reply(req, "cursor", cursor, IDS_SLUG_MAX + 1, res) != 0 ||
	    query_or_reply(req, "limit", limit, sizeof(limit), res) != 0) {
		return -1;
	}
	if (concert[0] != '\0' && !ids_is_slug(concert)) {
		response_invalid(
		    res, "concertId", "concertId is not a concert id");
		return -1;
	}
	if (status[0] != '\0' && booking_status_parse(status, &st) != 0) {
		response_invalid(res, "status",
		    "status is confirmed, cancelled, payment_failed or "
		    "rejected");
		return -1;
	}
	if (cursor[0] != '\0' && !ids_is_slug(cursor)) {
		response_invalid(
		    res, "cursor", "cursor is not one this API gave");
		return -1;
	}
	if (limit[0] != '\0' && ((n = strtol(limit, &end, 10)) < 1 ||
	                            n > ADMIN_PAGE_MAX || *end != '\0')) {
		response_invalid(res, "limit", "limit is from 1 to 100");
		return -1;
	}
	q->concert_id = concert[0] != '\0' ? concert : NULL;
	q->text = text[0] != '\0' ? text : NULL;
	q->status = status[0] != '\0' ? status : NULL;
	q->after = cursor[0] != '\0' ? cursor : NULL;
	q->limit = (int)n;
	return 0;
}

void
api_admin_bookings_search(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	char concert[IDS_SLUG_MAX + 1], text[SEARCH_TEXT_MAX + 1], status[24],
	    cursor[IDS_SLUG_MAX + 1];
	struct booking_search q;
	struct admin_booking *page;
	struct user user;
	json_object *data, *list;
	bool more;
	int n, err;

	if (auth_admin_or_reply(ctx, req, &user, res) != 0 ||
	    search_or_reply(req, &q, concert, text, status, cursor, res) != 0) {
		return;
	}
	if ((page = calloc(ADMIN_PAGE_MAX, sizeof(*page))) == NULL) {
		abort();
	}
	err = admin_booking_store_search(&ctx->store, &q, page, &n, &more);
	if (err != 0) {
		reply_error(res, err);
		free(page);
		return;
	}
	list = json_object_new_array_ext(n);
	for (int i = 0; i < n; i++) {
		json_object_array_add(list, admin_booking_json(&page[i]));
	}
	data = json_object_new_object();
	json_object_object_add(data, "bookings", list);
	json_object_object_add(data, "nextCursor",
	    more && n > 0 ? json_object_new_string(page[n - 1].b.id) : NULL);
	response_data(res, 200, data, NULL);
	free(page);
}

void
api_admin_bookings_get(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct user user;

	if (auth_admin_or_reply(ctx, req, &user, res) == 0) {
		reply_detail(ctx, id, res);
	}
}

/* {reason}: why the box office cancels, for the fan and the audit trail. */
static int
reason_or_reply(const struct request *req, char *reason, struct response *res)
{
	json_object *obj = json_body_parse(req->body, req->body_len, res);
	const char *s;
	int len = -1;

	if (obj == NULL) {
		return -1;
	}
	if ((len = json_body_string(obj, "reason", &s, 1, res)) >= 0) {
		size_t start = strspn(s, " \t\r\n");
		int chars = 0;

		/* Valid UTF-8 by now: count the bytes that start a character.
		 */
		for (const char *p = s; *p != '\0'; p++) {
			chars += ((unsigned char)*p & 0xC0) != 0x80;
		}
		if (s[start] == '\0' || chars > CANCEL_REASON_CHARS) {
			response_invalid(res, "reason",
			    "reason is 1 to 500 characters: the fan reads it");
			len = -1;
		} else {
			memcpy(reason, s, (size_t)len + 1);
		}
	}
	json_object_put(obj);
	return len < 0 ? -1 : 0;
}

void
api_admin_bookings_cancel(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	char reason[CANCEL_REASON_MAX + 1];
	struct cancel_result cr;
	struct booking b;
	struct viewer v;
	struct user user;
	int err;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    auth_admin_or_reply(ctx, req, &user, res) != 0 ||
	    reason_or_reply(req, reason, res) != 0) {
		return;
	}
	v = auth_viewer(&user);
	err = booking_cancel(
	    &ctx->bookings, id, req->request_id, &v, reason, &cr, &b);
	if (err != 0) {
		reply_error(res, err);
		return;
	}
	switch (cr.outcome) {
	case CANCEL_NOT_FOUND: reply_not_found(res); return;
	case CANCEL_CLOSED:
	case CANCEL_ADMITTED:
	case CANCEL_NOT_CANCELLABLE: reply_cancel_refusal(res, &cr); return;
	case CANCEL_DONE:
		metrics_booking(METRIC_CANCELLED);
		log_info("admin %s cancelled booking %s", user.id, id);
		reply_detail(ctx, id, res);
		return;
	}
}
