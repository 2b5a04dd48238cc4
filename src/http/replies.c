/*
 * replies.c - outcomes to statuses, codes and bodies, in two tables.
 */
#include "config.h"

#include <stdio.h>

#include "base/errors.h"
#include "base/metrics.h"
#include "domain/concert.h"
#include "domain/money.h"
#include "domain/utf8.h"
#include "http/booking_json.h"
#include "http/replies.h"

void
reply_error(struct response *res, int err)
{
	switch (err) {
	case TD_ERR_UNAVAILABLE:
		response_unavailable(
		    res, "The database is unavailable; retry shortly");
		return;
	case TD_ERR_BUSY:
	case TD_ERR_SERIALIZATION:
		response_unavailable(res, "The system is busy; retry shortly");
		return;
	case TD_ERR_CONFLICT:
		response_error(res, 409, "CONFLICT",
		    "The request conflicts with the current state", NULL);
		return;
	case TD_ERR_BAD_DATA:
		response_invalid(res, "body", "A value does not fit its field");
		return;
	case TD_ERR_INVALID:
		response_invalid(res, "body", "The request is not valid");
		return;
	case TD_ERR_TOO_LARGE:
		response_error(res, 413, "PAYLOAD_TOO_LARGE",
		    "The request body is too large", NULL);
		return;
	case TD_ERR_METHOD:
		response_error(res, 405, "METHOD_NOT_ALLOWED",
		    "Method not allowed on this route", NULL);
		return;
	case TD_ERR_NOT_FOUND:
		response_error(res, 404, "NOT_FOUND", "Not found", NULL);
		return;
	default: response_internal(res); return;
	}
}

/* Builds an error's details (NULL for none); may rewrite the message. */
typedef json_object *details_fn(
    const struct booking_result *r, char *msg, size_t msglen);

static json_object *
shortage_details(const struct booking_result *r, char *msg, size_t msglen)
{
	int n = snprintf(msg, msglen, "Insufficient tickets available for %s",
	    r->shortage.tier_name);

	/* A tier name is up to 64 characters of any width: never end the
	 * message inside one (JSON must stay UTF-8). */
	if (n >= 0 && (size_t)n >= msglen) {
		msg[utf8_whole_prefix(msg, msglen - 1)] = '\0';
	}
	return booking_json_shortage(&r->shortage);
}

static json_object *
fan_limit_details(const struct booking_result *r, char *msg, size_t msglen)
{
	json_object *d = json_object_new_object();

	snprintf(msg, msglen,
	    "A fan may hold at most %d tickets of this concert; you hold %d",
	    r->fan_limit.limit, r->fan_limit.already);
	json_object_object_add(
	    d, "limit", json_object_new_int(r->fan_limit.limit));
	json_object_object_add(
	    d, "alreadyBooked", json_object_new_int(r->fan_limit.already));
	json_object_object_add(
	    d, "requested", json_object_new_int(r->fan_limit.requested));
	return d;
}

static json_object *
declined_details(const struct booking_result *r, char *msg, size_t msglen)
{
	json_object *d = json_object_new_object();

	json_object_object_add(
	    d, "bookingId", json_object_new_string(r->booking.id));
	return d;
}

static json_object *
unknown_tier_details(const struct booking_result *r, char *msg, size_t msglen)
{
	char field[48];
	json_object *d = json_object_new_object();

	snprintf(field, sizeof(field), "tickets[%d].tierId", r->line_index);
	json_object_object_add(d, "field", json_object_new_string(field));
	return d;
}

static json_object *
wrong_total_details(const struct booking_result *r, char *msg, size_t msglen)
{
	char money[24];
	json_object *d = json_object_new_object();

	snprintf(msg, msglen, "totalAmount must be %s, the sum of the tickets",
	    money_format(r->expected_cents, money, sizeof(money)));
	json_object_object_add(
	    d, "field", json_object_new_string("totalAmount"));
	json_object_object_add(d, "expected", json_money(r->expected_cents));
	return d;
}

/* When the sale starts, from the window read at the check (none on a
 * replay). */
static json_object *
sales_start_details(const struct booking_result *r, char *msg, size_t msglen)
{
	json_object *d;

	if (r->sales.start[0] == '\0') {
		return NULL;
	}
	snprintf(msg, msglen, "Tickets go on sale at %s", r->sales.start);
	d = json_object_new_object();
	json_object_object_add(
	    d, "salesStart", json_object_new_string(r->sales.start));
	return d;
}

/* When it ended, if the check saw the window (not on a replay). */
static json_object *
sales_end_details(const struct booking_result *r, char *msg, size_t msglen)
{
	json_object *d;

	if (r->sales.end[0] == '\0') {
		return NULL;
	}
	d = json_object_new_object();
	json_object_object_add(
	    d, "salesEnd", json_object_new_string(r->sales.end));
	json_object_object_add(d, "concertStatus",
	    json_object_new_string(concert_status_name(r->sales.status)));
	return d;
}

struct outcome_reply {
	int status;
	const char *code; /* NULL: a success */
	const char *message;
	details_fn *details;
	int metric; /* a metrics_outcome, or -1 for none */
};

static const struct outcome_reply booking_replies[BOOKING_OUTCOME_COUNT] = {
    [BOOKING_CONFIRMED] = {201, NULL, NULL, NULL, METRIC_CONFIRMED},
    [BOOKING_REPLAYED] = {200, NULL, NULL, NULL, METRIC_DUPLICATE},
    [BOOKING_KEY_REUSED] = {422, "IDEMPOTENCY_KEY_REUSED",
        "This idempotency key was used for a different request", NULL,
        METRIC_KEY_REUSED},
    [BOOKING_CONCERT_NOT_FOUND] = {404, "CONCERT_NOT_FOUND",
        "Concert not found", NULL, -1},
    [BOOKING_UNKNOWN_TIER] = {400, "INVALID_REQUEST",
        "This tier is not a tier of the concert", unknown_tier_details, -1},
    [BOOKING_WRONG_TOTAL] = {400, "INVALID_REQUEST",
        "totalAmount is not the sum of the tickets", wrong_total_details, -1},
    [BOOKING_SHORTAGE] = {409, "INSUFFICIENT_INVENTORY",
        "Insufficient tickets available", shortage_details,
        METRIC_INSUFFICIENT},
    [BOOKING_FAN_LIMIT] = {409, "FAN_LIMIT_REACHED",
        "The concert's limit per fan is reached", fan_limit_details,
        METRIC_FAN_LIMIT},
    [BOOKING_SALES_NOT_STARTED] = {409, "SALES_NOT_STARTED",
        "Tickets for this concert are not on sale yet", sales_start_details,
        METRIC_SALES_CLOSED},
    [BOOKING_SALES_CLOSED] = {409, "SALES_CLOSED",
        "Tickets for this concert are no longer on sale", sales_end_details,
        METRIC_SALES_CLOSED},
    [BOOKING_PRICE_CHANGED] = {409, "PRICE_CHANGED",
        "A price changed while you booked; nothing was charged, check the "
        "new prices",
        NULL, METRIC_PRICE_CHANGED},
    [BOOKING_DECLINED] = {402, "PAYMENT_FAILED", "The payment was declined",
        declined_details, METRIC_DECLINED},
    [BOOKING_PAYMENT_TIMEOUT] = {504, "PAYMENT_TIMEOUT",
        "The payment provider did not answer in time; nothing was booked", NULL,
        METRIC_PAYMENT_TIMEOUT},
    /* BOOKING_FAILED: answered by reply_error() from the result's error. */
};

int
reply_booking_status(enum booking_outcome outcome, const char **code)
{
	*code = booking_replies[outcome].code;
	return booking_replies[outcome].status;
}

static json_object *
replay_meta(void)
{
	json_object *meta = json_object_new_object();

	json_object_object_add(meta, "duplicate", json_object_new_boolean(1));
	json_object_object_add(meta, "message",
	    json_object_new_string(
	        "Booking already processed with this idempotency key"));
	return meta;
}

void
reply_booking_result(struct response *res, const struct booking_result *r)
{
	const struct outcome_reply *o = &booking_replies[r->outcome];
	json_object *details;
	char msg[sizeof("Insufficient tickets available for ") + TIER_NAME_MAX];

	if (r->outcome == BOOKING_FAILED) {
		reply_error(res, r->error);
		return;
	}
	if (o->metric >= 0) {
		metrics_booking((enum metrics_outcome)o->metric);
	}
	if (o->code == NULL) {
		response_data(res, o->status, booking_json(&r->booking),
		    r->outcome == BOOKING_REPLAYED ? replay_meta() : NULL);
		return;
	}
	snprintf(msg, sizeof(msg), "%s", o->message);
	details = o->details != NULL ? o->details(r, msg, sizeof(msg)) : NULL;
	response_error(res, o->status, o->code, msg, details);
}

void
reply_cancel_refusal(struct response *res, const struct cancel_result *cr)
{
	json_object *details;

	switch (cr->outcome) {
	case CANCEL_CLOSED:
		response_error(res, 409, "CANCELLATION_CLOSED",
		    "The doors are open: bookings can no longer be cancelled "
		    "online",
		    NULL);
		return;
	case CANCEL_ADMITTED:
		response_error(res, 409, "TICKETS_ADMITTED",
		    "A ticket of this booking was admitted at the door: it "
		    "cannot be cancelled",
		    NULL);
		return;
	default:
		details = json_object_new_object();
		json_object_object_add(details, "status",
		    json_object_new_string(booking_status_name(cr->status)));
		response_error(res, 409, "BOOKING_NOT_CANCELLABLE",
		    "Only a confirmed booking can be cancelled", details);
		return;
	}
}
