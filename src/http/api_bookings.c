/*
 * api_bookings.c - the booking endpoints.
 */
#include "config.h"

#include <string.h>

#include "base/errors.h"
#include "base/metrics.h"
#include "http/api_bookings.h"
#include "http/auth.h"
#include "http/booking_json.h"
#include "http/booking_request.h"
#include "http/replies.h"

/*
 * The body as a booking request (its fan not known yet), or the answer
 * to a bad one: after the session's, since a fan signed out is told that
 * first.
 */
static int
parse_or_reply(struct api_context *ctx, const struct request *req,
    struct booking_request *br, struct user_claim *claim, struct response *res)
{
	struct response bad;
	struct user user;

	response_init(&bad);
	if (booking_request_parse(req->body, req->body_len, br, claim, &bad) ==
	    0) {
		if (ctx->payment->test_methods ||
		    strcmp(br->payment_method, "test_decline") != 0) {
			response_free(&bad);
			return 0;
		}
		response_invalid(&bad, "paymentMethod",
		    "test payments are off: paymentMethod must be \"card\"");
	}
	if (auth_user_or_reply(ctx, req, &user, res) == 0) {
		response_free(res);
		*res = bad;
	} else {
		response_free(&bad);
	}
	return -1;
}

/*
 * The session is read with the booking's check, in one round trip
 * (booking_begin): the request is parsed first, and bound to its fan
 * once the session says who that is.
 */
void
api_bookings_create(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct booking_request br;
	struct booking_result result;
	struct booking_start start;
	struct account_result auth;
	struct user_claim claim;
	struct user user;
	const char *token;
	size_t len;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    parse_or_reply(ctx, req, &br, &claim, res) != 0) {
		return;
	}
	/* No usable cookie: 401 without asking the database. */
	if (auth_session_token(ctx, req, &token, &len) != 0) {
		auth_user_or_reply(ctx, req, &user, res);
		return;
	}
	booking_begin(
	    &ctx->bookings, &ctx->accounts, token, len, &br, &start, &auth);
	if (auth_result_or_reply(&auth, &user, res) != 0 ||
	    booking_request_bind(&br, &claim, user.id, res) != 0) {
		return;
	}
	br.request_id = req->request_id;
	booking_complete(&ctx->bookings, ctx->payment, &br, &start, &result);
	if (result.sold_out_mark) {
		metrics_sold_out(METRIC_SOLD_OUT_ANSWER);
	}
	reply_booking_result(res, &result);
}

static void
reply_not_found(struct response *res)
{
	response_error(
	    res, 404, "BOOKING_NOT_FOUND", "Booking not found", NULL);
}

void
api_bookings_get(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct viewer v;
	struct booking b;
	struct user user;
	int err;

	if (auth_user_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	v = auth_viewer(&user);
	err = booking_find(&ctx->bookings, id, &v, &b);
	if (err == TD_ERR_NOT_FOUND) {
		reply_not_found(res);
	} else if (err != 0) {
		reply_error(res, err);
	} else {
		response_data(res, 200, booking_json(&b), NULL);
	}
}

void
api_bookings_cancel(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res)
{
	struct cancel_result cr;
	struct booking b;
	struct viewer v;
	struct user user;
	int err;

	if (auth_csrf_or_reply(ctx, req, res) != 0 ||
	    auth_user_or_reply(ctx, req, &user, res) != 0) {
		return;
	}
	v = auth_viewer(&user);
	err = booking_cancel(
	    &ctx->bookings, id, req->request_id, &v, NULL, &cr, &b);
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
		response_data(res, 200, booking_json(&b), NULL);
		return;
	}
}
