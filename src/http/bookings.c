/*
 * bookings.c - the booking path, a booking's lookup and its cancellation.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/booking_json.h"
#include "http/booking_request.h"
#include "http/bookings.h"
#include "http/concerts.h"
#include "base/log.h"
#include "base/metrics.h"
#include "domain/money.h"
#include "domain/payment.h"
#include "store/queries.h"
#include "store/txn_slots.h"

static void
reply_shortage(
    struct response *res, json_object *details, const char *tier_name)
{
	char msg[128];

	metrics_booking(OUTCOME_INSUFFICIENT);
	snprintf(msg, sizeof(msg), "Insufficient tickets available for %s",
	    tier_name);
	response_error(res, 409, "INSUFFICIENT_INVENTORY", msg, details);
}

static void
reply_declined(struct response *res, const char *booking_id)
{
	json_object *details = json_object_new_object();

	metrics_booking(OUTCOME_DECLINED);
	json_object_object_add(
	    details, "bookingId", json_object_new_string(booking_id));
	response_error(
	    res, 402, "PAYMENT_FAILED", "The payment was declined", details);
}

/* Replays a key's recorded outcome from its booking row. */
static void
reply_recorded(const PGresult *r, struct response *res)
{
	const char *status = PQgetvalue(r, 0, BK_STATUS);
	json_object *meta, *detail, *name;

	if (strcmp(status, "payment_failed") == 0) {
		reply_declined(res, PQgetvalue(r, 0, BK_ID));
		return;
	}
	if (strcmp(status, "rejected") == 0) {
		detail = json_tokener_parse(PQgetvalue(r, 0, BK_REJECT));
		if (detail == NULL ||
		    !json_object_object_get_ex(detail, "tierName", &name)) {
			json_object_put(detail);
			response_internal(res);
			return;
		}
		reply_shortage(res, detail, json_object_get_string(name));
		return;
	}

	metrics_booking(OUTCOME_DUPLICATE);
	meta = json_object_new_object();
	json_object_object_add(meta, "duplicate", json_object_new_boolean(1));
	json_object_object_add(meta, "message",
	    json_object_new_string(
	        "Booking already processed with this idempotency key"));
	response_data(res, 200, booking_json_from_rows(r), meta);
}

/*
 * A retry of a finished request gets its recorded answer without paying
 * again; the same key with another body is refused.  Returns 1 when
 * answered, 0 when the key is new.
 */
static int
replay_known_key(struct app *app, const struct booking_request *br,
    const char *canonical, struct response *res)
{
	const char *params[1] = {br->idempotency_key};
	PGresult *r;
	int err;

	err = db_exec(app->db, Q_BOOKING_BY_KEY, params, &r);
	if (err != DB_OK) {
		app_reply_db_error(res, err);
		return 1;
	}
	if (PQntuples(r) == 0) {
		PQclear(r);
		return 0;
	}
	if (strcmp(PQgetvalue(r, 0, BK_REQUEST), canonical) != 0) {
		metrics_booking(OUTCOME_KEY_REUSED);
		response_error(res, 422, "IDEMPOTENCY_KEY_REUSED",
		    "This idempotency key was used for a different request",
		    NULL);
	} else {
		reply_recorded(r, res);
	}
	PQclear(r);
	return 1;
}

/*
 * Checks the lines against the concert's tiers as read just now: every
 * tier belongs to the concert, the total is the server's own sum, and
 * no tier is visibly short (a 409 before any payment or write).
 */
static int
check_lines_or_reply(const struct booking_request *br, const struct tier *tiers,
    int ntiers, struct response *res)
{
	char field[48], msg[128], money[24];
	json_object *details;
	int64_t sum = 0;

	for (int i = 0; i < br->nlines; i++) {
		const struct booking_line *l = &br->lines[i];
		const struct tier *t =
		    concerts_find_tier(tiers, ntiers, l->tier_id);

		if (t == NULL) {
			snprintf(field, sizeof(field), "tickets[%d].tierId",
			    l->index);
			response_invalid(res, field,
			    "This tier is not a tier of the concert");
			return -1;
		}
		sum += t->price_cents * l->quantity;
	}
	if (sum != br->total_cents) {
		snprintf(msg, sizeof(msg),
		    "totalAmount must be %s, the sum of the tickets",
		    money_format(sum, money, sizeof(money)));
		details = json_object_new_object();
		json_object_object_add(
		    details, "field", json_object_new_string("totalAmount"));
		json_object_object_add(details, "expected", json_money(sum));
		response_error(res, 400, "INVALID_REQUEST", msg, details);
		return -1;
	}

	for (int i = 0; i < br->nlines; i++) {
		const struct tier *t =
		    concerts_find_tier(tiers, ntiers, br->lines[i].tier_id);

		if (t->available < br->lines[i].quantity) {
			reply_shortage(res,
			    booking_json_shortage(
			        t, br->lines[i].quantity, t->available),
			    t->name);
			return -1;
		}
	}
	return 0;
}

/* Formats the lines as PostgreSQL array literals of ids, quantities, buckets.
 */
static void
format_arrays(const struct booking_request *br, const struct tier *tiers,
    int ntiers, char *ids, size_t idlen, char *qty, size_t qlen, char *buckets,
    size_t blen)
{
	size_t i_off = 0, q_off = 0, b_off = 0;

	for (int i = 0; i < br->nlines; i++) {
		const struct tier *t =
		    concerts_find_tier(tiers, ntiers, br->lines[i].tier_id);
		const char *sep = i == 0 ? "{" : ",";

		/* Quoted: a slug named NULL must stay a string.  Slugs hold no
		 * quotes. */
		i_off += (size_t)snprintf(
		    ids + i_off, idlen - i_off, "%s\"%s\"", sep, t->id);
		q_off += (size_t)snprintf(qty + q_off, qlen - q_off, "%s%d",
		    sep, br->lines[i].quantity);
		b_off += (size_t)snprintf(
		    buckets + b_off, blen - b_off, "%s%d", sep, t->buckets);
	}
	snprintf(ids + i_off, idlen - i_off, "}");
	snprintf(qty + q_off, qlen - q_off, "}");
	snprintf(buckets + b_off, blen - b_off, "}");
}

/* Runs one transaction statement under a slot, again after 40001/40P01. */
static int
run_transaction(struct app *app, int q, const char *const *params, PGresult **r)
{
	int err;

	if (txn_slots_acquire(app->txn_semid, BOOKINGS_SLOT_WAIT_MS) != 0) {
		*r = NULL;
		return DB_ERR_TIMEOUT;
	}
	for (int attempt = 1;; attempt++) {
		err = db_exec(app->db, q, params, r);
		if (err != DB_ERR_SERIALIZATION ||
		    attempt == BOOKINGS_MAX_ATTEMPTS) {
			break;
		}
		log_info("%s: retrying after %s", queries[q].name,
		    db_sqlstate(app->db));
	}
	txn_slots_release(app->txn_semid);
	return err;
}

static void
reply_outcome(struct app *app, const struct booking_request *br,
    const char *canonical, const struct tier *tiers, int ntiers,
    const PGresult *r, const char *ref, struct response *res)
{
	const char *outcome = PQgetvalue(r, 0, BOOK_OUTCOME);
	const struct tier *t;

	if (strcmp(outcome, "confirmed") == 0) {
		metrics_booking(OUTCOME_CONFIRMED);
		response_data(res, 201,
		    booking_json_confirmed(br, PQgetvalue(r, 0, BOOK_ID),
		        PQgetvalue(r, 0, BOOK_CREATED), tiers, ntiers),
		    NULL);
	} else if (strcmp(outcome, "payment_failed") == 0) {
		reply_declined(res, PQgetvalue(r, 0, BOOK_ID));
	} else if (strcmp(outcome, "rejected") == 0) {
		/* Another fan won the race since our check. */
		payment_void(ref);
		t = concerts_find_tier(
		    tiers, ntiers, PQgetvalue(r, 0, BOOK_TIER));
		reply_shortage(res,
		    booking_json_shortage(t,
		        atoi(PQgetvalue(r, 0, BOOK_REQUESTED)),
		        atoi(PQgetvalue(r, 0, BOOK_AVAILABLE))),
		    t->name);
	} else if (replay_known_key(app, br, canonical, res) == 0) {
		/* "duplicate", yet the key is gone: cannot happen, the row is
		 * committed. */
		log_error("key %s reported duplicate but not found",
		    br->idempotency_key);
		response_internal(res);
	}
}

static void
book_and_reply(struct app *app, const struct request *req,
    const struct booking_request *br, const char *canonical,
    const struct tier *tiers, int ntiers, struct response *res)
{
	char ref[64], booking_id[IDS_BOOKING_ID_LEN + 1], total[24];
	char ids[BOOKING_MAX_LINES * (IDS_SLUG_MAX + 3) + 3];
	char qty[BOOKING_MAX_LINES * 4 + 3], buckets[BOOKING_MAX_LINES * 5 + 3];
	const char *params[13];
	PGresult *r;
	int pay, err;

	/* No row is locked while the payment runs. */
	pay = payment_authorize(app->cfg, br->idempotency_key,
	    br->payment_method, br->total_cents, ref, sizeof(ref));
	if (pay == PAYMENT_TIMEOUT) {
		metrics_booking(OUTCOME_PAYMENT_TIMEOUT);
		response_error(res, 504, "PAYMENT_TIMEOUT",
		    "The payment provider did not answer in time; nothing was "
		    "booked",
		    NULL);
		return;
	}

	ids_new_booking_id(booking_id);
	snprintf(total, sizeof(total), "%lld", (long long)br->total_cents);
	format_arrays(br, tiers, ntiers, ids, sizeof(ids), qty, sizeof(qty),
	    buckets, sizeof(buckets));
	params[0] = br->idempotency_key;
	params[1] = booking_id;
	params[2] = br->concert_id;
	params[3] = br->user_id;
	params[4] = canonical;
	params[5] = br->payment_method;
	params[6] = total;
	params[7] = ids;
	params[8] = qty;
	params[9] = buckets;
	params[10] = pay == PAYMENT_APPROVED ? "true" : "false";
	params[11] = ref;
	params[12] = req->request_id;

	err = run_transaction(app, Q_BOOK, params, &r);
	if (err != DB_OK) {
		/*
		 * A lost connection leaves the commit's outcome unknown: keep
		 * the authorization, the client's retry with its key finds out.
		 * Any other error rolled the transaction back.
		 */
		if (pay == PAYMENT_APPROVED && err != DB_ERR_UNAVAILABLE) {
			payment_void(ref);
		}
		app_reply_db_error(res, err);
		return;
	}
	reply_outcome(app, br, canonical, tiers, ntiers, r, ref, res);
	PQclear(r);
}

void
bookings_create(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	struct tier tiers[CONCERTS_MAX_TIERS];
	struct booking_request br;
	char *canonical;
	int n;

	if (!request_is_json(req)) {
		response_error(res, 415, "UNSUPPORTED_MEDIA_TYPE",
		    "Content-Type must be application/json", NULL);
		return;
	}
	if (booking_request_parse(req->body, req->body_len, &br, res) != 0) {
		return;
	}
	canonical = booking_request_canonical(&br);

	if (replay_known_key(app, &br, canonical, res) != 0) {
		goto out;
	}

	n = concerts_load_tiers(
	    app, 0, br.concert_id, tiers, CONCERTS_MAX_TIERS);
	if (n == CONCERTS_NOT_FOUND) {
		response_error(
		    res, 404, "CONCERT_NOT_FOUND", "Concert not found", NULL);
		goto out;
	}
	if (n < 0) {
		app_reply_db_error(res, n);
		goto out;
	}
	if (check_lines_or_reply(&br, tiers, n, res) != 0) {
		goto out;
	}
	book_and_reply(app, req, &br, canonical, tiers, n, res);
out:
	free(canonical);
}

/* Answers 200 with the booking (and meta), 404, or the db error. */
static void
reply_booking(
    struct app *app, const char *id, struct response *res, int64_t *total_cents)
{
	const char *params[1] = {id};
	PGresult *r;
	int err;

	err = db_exec(app->db, Q_BOOKING_BY_ID, params, &r);
	if (err != DB_OK) {
		app_reply_db_error(res, err);
		return;
	}
	if (PQntuples(r) == 0) {
		response_error(
		    res, 404, "BOOKING_NOT_FOUND", "Booking not found", NULL);
	} else {
		if (total_cents != NULL) {
			*total_cents =
			    strtoll(PQgetvalue(r, 0, BK_TOTAL), NULL, 10);
		}
		response_data(res, 200, booking_json_from_rows(r), NULL);
	}
	PQclear(r);
}

void
bookings_get(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	reply_booking(app, id, res, NULL);
}

void
bookings_cancel(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	const char *params[2] = {id, req->request_id};
	const char *outcome;
	json_object *details;
	int64_t total = 0;
	PGresult *r;
	int err;

	err = run_transaction(app, Q_CANCEL, params, &r);
	if (err != DB_OK) {
		app_reply_db_error(res, err);
		return;
	}
	outcome = PQgetvalue(r, 0, 0);
	if (strcmp(outcome, "not_found") == 0) {
		response_error(
		    res, 404, "BOOKING_NOT_FOUND", "Booking not found", NULL);
	} else if (strcmp(outcome, "not_cancellable") == 0) {
		details = json_object_new_object();
		json_object_object_add(details, "status",
		    json_object_new_string(PQgetvalue(r, 0, 1)));
		response_error(res, 409, "BOOKING_NOT_CANCELLABLE",
		    "Only a confirmed booking can be cancelled", details);
	} else {
		metrics_booking(OUTCOME_CANCELLED);
		reply_booking(app, id, res, &total);
		payment_refund(id, total);
	}
	PQclear(r);
}
