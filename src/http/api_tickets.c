/*
 * api_tickets.c - tickets and check-in: parse, run the domain, answer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "http/api_tickets.h"
#include "http/auth.h"
#include "http/json_body.h"
#include "http/replies.h"

/* The signing key, or 503 when this server has none (no key file set). */
static const struct ticket_keys *
keys_or_reply(const struct api_context *ctx, struct response *res)
{
	if (ctx->ticket_keys == NULL) {
		response_unavailable(
		    res, "Tickets are not set up on this server");
	}
	return ctx->ticket_keys;
}

static json_object *
tickets_json(const struct ticket *t, int n)
{
	json_object *a = json_object_new_array_ext(n);

	for (int i = 0; i < n; i++) {
		json_object *o = json_object_new_object();

		json_object_object_add(
		    o, "index", json_object_new_int(t[i].index));
		json_object_object_add(
		    o, "tierId", json_object_new_string(t[i].item->tier_id));
		json_object_object_add(o, "tierName",
		    json_object_new_string(t[i].item->tier_name));
		json_object_object_add(
		    o, "code", json_object_new_string(t[i].code));
		json_object_array_add(a, o);
	}
	return a;
}

static void
reply_not_confirmed(struct response *res, const struct booking *b)
{
	json_object *details = json_object_new_object();

	json_object_object_add(details, "status",
	    json_object_new_string(booking_status_name(b->status)));
	response_error(res, 409, "BOOKING_NOT_CONFIRMED",
	    "Only a confirmed booking has tickets: a cancelled booking's "
	    "tickets are void",
	    details);
}

void
api_tickets_of_booking(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	const struct ticket_keys *keys;
	struct ticket *tickets = NULL;
	struct booking b;
	struct viewer v;
	struct user user;
	int err, n;

	if (auth_user_or_reply(ctx, req, &user, res) != 0 ||
	    (keys = keys_or_reply(ctx, res)) == NULL) {
		return;
	}
	v = auth_tickets_viewer(&user);
	err = booking_find(&ctx->bookings, id, &v, &b);
	if (err == TD_ERR_NOT_FOUND) {
		response_error(
		    res, 404, "BOOKING_NOT_FOUND", "Booking not found", NULL);
		return;
	}
	if (err != 0) {
		reply_error(res, err);
		return;
	}
	if ((tickets = calloc(TICKETS_MAX, sizeof(*tickets))) == NULL) {
		response_internal(res);
		return;
	}
	err = tickets_of_booking(&b, keys, tickets, TICKETS_MAX, &n);
	if (err == TD_ERR_CONFLICT) {
		reply_not_confirmed(res, &b);
	} else if (err != 0) {
		reply_error(res, err);
	} else {
		response_data(res, 200, tickets_json(tickets, n), NULL);
	}
	free(tickets);
}

void
api_checkin_key(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	char text[TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1];
	const struct ticket_keys *keys;
	json_object *o;

	if ((keys = keys_or_reply(ctx, res)) == NULL) {
		return;
	}
	if (ticket_code_public_key_text(keys->pk, text, sizeof(text)) != 0) {
		response_internal(res);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(
	    o, "algorithm", json_object_new_string("Ed25519"));
	json_object_object_add(o, "publicKey", json_object_new_string(text));
	json_object_object_add(
	    o, "codePrefix", json_object_new_string(TICKET_CODE_PREFIX));
	response_data(res, 200, o, NULL);
}

/*
 * {code, concertId, door} into c (pointing into *obj, which the caller
 * puts), or answers 400 INVALID_REQUEST naming the field.  Any string is
 * a code here: whether it is a ticket is the check-in's to say.
 */
static int
checkin_body_or_reply(const struct request *req, json_object **obj,
    struct checkin_request *c, struct response *res)
{
	int len;

	if ((*obj = json_body_parse(req->body, req->body_len, res)) == NULL) {
		return -1;
	}
	if ((len = json_body_string(*obj, "code", &c->code, 1, res)) < 0) {
		return -1;
	}
	c->code_len = (size_t)len;
	if (json_body_string(*obj, "concertId", &c->concert_id, 0, res) < 0) {
		return -1;
	}
	if (!ids_is_slug(c->concert_id)) {
		response_invalid(res, "concertId",
		    "concertId is a concert id: 1 to 64 of A-Z a-z 0-9 _ -");
		return -1;
	}
	if ((len = json_body_string(*obj, "door", &c->door, 0, res)) < 0) {
		return -1;
	}
	if (!checkin_door_is_valid(c->door, (size_t)len)) {
		response_invalid(
		    res, "door", "door names the door: 1 to 64 characters");
		return -1;
	}
	return 0;
}

static json_object *
admitted_json(const struct checkin_result *r)
{
	json_object *o = json_object_new_object(), *t, *fan;

	t = json_object_new_object();
	json_object_object_add(
	    t, "bookingId", json_object_new_string(r->claim.booking_id));
	json_object_object_add(t, "index", json_object_new_int(r->claim.index));
	json_object_object_add(
	    t, "tierName", json_object_new_string(r->admission.tier_name));
	fan = json_object_new_object();
	json_object_object_add(
	    fan, "name", json_object_new_string(r->admission.fan_name));
	json_object_object_add(o, "ticket", t);
	json_object_object_add(o, "fan", fan);
	json_object_object_add(
	    o, "concertId", json_object_new_string(r->claim.concert_id));
	json_object_object_add(
	    o, "door", json_object_new_string(r->admission.door));
	json_object_object_add(
	    o, "admittedAt", json_object_new_string(r->admission.admitted_at));
	return o;
}

static void
reply_checkin_result(struct response *res, const struct checkin_result *r)
{
	json_object *d;

	switch (r->outcome) {
	case CHECKIN_ADMITTED:
		response_data(res, 200, admitted_json(r), NULL);
		return;
	case CHECKIN_ALREADY_ADMITTED:
		d = json_object_new_object();
		json_object_object_add(d, "admittedAt",
		    json_object_new_string(r->admission.admitted_at));
		json_object_object_add(
		    d, "door", json_object_new_string(r->admission.door));
		response_error(res, 409, "ALREADY_ADMITTED",
		    "This ticket was admitted before", d);
		return;
	case CHECKIN_CANCELLED:
		response_error(res, 409, "TICKET_CANCELLED",
		    "This ticket's booking is cancelled: the ticket is void",
		    NULL);
		return;
	case CHECKIN_WRONG_CONCERT:
		d = json_object_new_object();
		json_object_object_add(d, "concertId",
		    json_object_new_string(r->claim.concert_id));
		response_error(res, 409, "WRONG_CONCERT",
		    "This ticket is for another concert", d);
		return;
	case CHECKIN_INVALID_TICKET:
		response_error(res, 400, "INVALID_TICKET",
		    "This is not a valid ticket", NULL);
		return;
	case CHECKIN_FAILED: reply_error(res, r->error); return;
	}
	response_internal(res);
}

void
api_checkin(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	struct checkin_request c = {0};
	struct checkin_result r;
	const struct ticket_keys *keys;
	json_object *obj = NULL;
	struct user user;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    auth_staff_or_reply(ctx, req, &user, res) != 0 ||
	    (keys = keys_or_reply(ctx, res)) == NULL ||
	    checkin_body_or_reply(req, &obj, &c, res) != 0) {
		json_object_put(obj);
		return;
	}
	c.staff_id = user.id;
	checkin_admit(&ctx->checkins, keys->pk, &c, &r);
	reply_checkin_result(res, &r);
	json_object_put(obj);
}
