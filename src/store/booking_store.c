/*
 * booking_store.c - bookings in PostgreSQL, turned into domain structs.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "base/metrics.h"
#include "store/account_store.h"
#include "store/booking_store.h"
#include "store/concert_store.h"
#include "store/pg_array.h"
#include "store/rows.h"
#include "store/statements.h"
#include "store/writer_link.h"

/*
 * One booking from rows first..end-1 of r (one row per item; a booking
 * without items has one row).
 */
int
booking_store_read_rows(
    const PGresult *r, int first, int end, struct booking *b)
{
	char status[24];
	int err;

	memset(b, 0, sizeof(*b));
	if ((err = rows_text(r, first, "id", b->id, sizeof(b->id))) != 0 ||
	    (err = rows_text(r, first, "concert_id", b->concert_id,
	         sizeof(b->concert_id))) != 0 ||
	    (err = rows_text(
	         r, first, "user_id", b->user_id, sizeof(b->user_id))) != 0 ||
	    (err = rows_text(r, first, "status", status, sizeof(status))) !=
	        0 ||
	    (err = rows_int64(r, first, "total_cents", &b->total_cents)) != 0 ||
	    (err = rows_text(r, first, "created_at", b->created_at,
	         sizeof(b->created_at))) != 0 ||
	    (err = rows_text(r, first, "updated_at", b->updated_at,
	         sizeof(b->updated_at))) != 0) {
		return err;
	}
	if (booking_status_parse(status, &b->status) != 0) {
		log_error("booking %s has status %s", b->id, status);
		return TD_ERR_INTERNAL;
	}

	for (int i = first; i < end; i++) {
		struct booking_item *it = &b->items[b->nitems];

		/* A booking without items: declined or rejected. */
		if (rows_is_null(r, i, "item_tier_id")) {
			continue;
		}
		if (b->nitems == BOOKING_MAX_LINES) {
			log_error("booking %s has too many items", b->id);
			return TD_ERR_INTERNAL;
		}
		if ((err = rows_text(r, i, "item_tier_id", it->tier_id,
		         sizeof(it->tier_id))) != 0 ||
		    (err = rows_text(r, i, "item_tier_name", it->tier_name,
		         sizeof(it->tier_name))) != 0 ||
		    (err = rows_int(r, i, "item_quantity", &it->quantity)) !=
		        0 ||
		    (err = rows_int64(
		         r, i, "item_price_cents", &it->price_cents)) != 0) {
			return err;
		}
		b->nitems++;
	}
	return 0;
}

/* The booking of a lookup by id or key: all of r's rows. */
static int
read_booking(const PGresult *r, struct booking *b)
{
	return booking_store_read_rows(r, 0, PQntuples(r), b);
}

/* Runs a booking lookup; TD_ERR_NOT_FOUND when no row matched. */
static int
find(struct store *s, int q, const char *const *params, PGresult **r)
{
	int err = db_exec(s->primary, q, params, r);

	if (err == 0 && PQntuples(*r) == 0) {
		PQclear(*r);
		*r = NULL;
		return TD_ERR_NOT_FOUND;
	}
	return err;
}

static int
find_by_id(
    void *ctx, const char *id, const struct viewer *v, struct booking *out)
{
	const char *params[3] = {
	    id, v->is_admin ? "true" : "false", v->user_id};
	PGresult *r;
	int err = find(ctx, Q_BOOKING_BY_ID, params, &r);

	if (err == 0) {
		err = read_booking(r, out);
	}
	PQclear(r);
	return err;
}

/* Why a rejected key was rejected, and its numbers. */
static int
read_rejection(const PGresult *r, struct key_record *out)
{
	struct shortage *sh = &out->shortage;
	struct fan_limit *fl = &out->fan_limit;
	char reason[24];
	int err;

	if ((err = rows_text(r, 0, "reject_reason", reason, sizeof(reason))) !=
	    0) {
		return err;
	}
	if (strcmp(reason, "sales_closed") == 0) {
		out->reason = REJECT_SALES_CLOSED;
		return 0;
	}
	if (strcmp(reason, "sales_not_started") == 0) {
		out->reason = REJECT_SALES_NOT_STARTED;
		return 0;
	}
	if (strcmp(reason, "price_changed") == 0) {
		out->reason = REJECT_PRICE_CHANGED;
		return 0;
	}
	if (strcmp(reason, "fan_limit") == 0) {
		out->reason = REJECT_FAN_LIMIT;
		if ((err = rows_int(r, 0, "reject_limit", &fl->limit)) != 0 ||
		    (err = rows_int(r, 0, "reject_available", &fl->already)) !=
		        0) {
			return err;
		}
		return rows_int(r, 0, "reject_requested", &fl->requested);
	}
	out->reason = REJECT_INVENTORY;
	if ((err = rows_text(r, 0, "reject_tier_id", sh->tier_id,
	         sizeof(sh->tier_id))) != 0 ||
	    (err = rows_text(r, 0, "reject_tier_name", sh->tier_name,
	         sizeof(sh->tier_name))) != 0 ||
	    (err = rows_int(r, 0, "reject_requested", &sh->requested)) != 0) {
		return err;
	}
	return rows_int(r, 0, "reject_available", &sh->available);
}

/* The record of a key from the rows of Q_BOOKING_BY_KEY. */
static int
read_key_record(const PGresult *r, struct key_record *out)
{
	int err;

	memset(&out->shortage, 0, sizeof(out->shortage));
	memset(&out->fan_limit, 0, sizeof(out->fan_limit));
	if ((err = read_booking(r, &out->booking)) != 0 ||
	    (err = rows_text(r, 0, "request", out->fingerprint,
	         sizeof(out->fingerprint))) != 0) {
		return err;
	}
	return out->booking.status == BOOKING_STATUS_REJECTED
	           ? read_rejection(r, out)
	           : 0;
}

static int
find_by_key(void *ctx, const char *key, struct key_record *out)
{
	const char *params[1] = {key};
	PGresult *r;
	int err = find(ctx, Q_BOOKING_BY_KEY, params, &r);

	if (err == 0) {
		err = read_key_record(r, out);
	}
	PQclear(r);
	return err;
}

static int
check(void *ctx, const char *token_hash, const struct booking_request *req,
    bool *signed_in, struct session_record *session, bool *known,
    struct key_record *rec, struct tier_list *tiers)
{
	char absolute[24], idle[24];
	const char *params[5] = {
	    req->idempotency_key, req->concert_id, token_hash, absolute, idle};
	struct store *s = ctx;
	PGresult *r;
	int err;

	*signed_in = *known = false;
	snprintf(absolute, sizeof(absolute), "%lld",
	    (long long)SESSION_ABSOLUTE_TTL_S);
	snprintf(idle, sizeof(idle), "%lld", (long long)SESSION_IDLE_TTL_S);
	if ((err = db_exec(s->primary, Q_BOOKING_CHECK, params, &r)) != 0) {
		return err;
	}
	/* Always one row: the session's columns, or NULLs (no session). */
	if (PQntuples(r) < 1 || PQfnumber(r, "fan_id") < 0 ||
	    PQfnumber(r, "known") < 0 || PQfnumber(r, "concert_id") < 0) {
		log_error("the booking check answered no session column");
		err = TD_ERR_INTERNAL;
		goto out;
	}
	if (rows_is_null(r, 0, "fan_id")) {
		goto out;
	}
	*signed_in = true;
	if ((err = account_store_read_session(r, "fan_", session)) != 0) {
		goto out;
	}
	/* An expired session's row reads nothing more (known is NULL): the
	 * account rules refuse it. */
	if (rows_is_null(r, 0, "known")) {
		err = TD_ERR_NOT_FOUND;
		goto out;
	}
	if ((err = rows_bool(r, 0, "known", known)) != 0) {
		goto out;
	}
	if (*known) {
		/*
		 * Keys are never deleted, but the lookup is a second statement:
		 * after a failover between the two it may run on a promoted
		 * standby that never had the key's commit (its wait for a
		 * standby was cancelled).  Unavailable: the client retries with
		 * its key.
		 */
		err = find_by_key(ctx, req->idempotency_key, rec);
		if (err == TD_ERR_NOT_FOUND) {
			log_warn("key %s: known to the check, then not found",
			    req->idempotency_key);
			err = TD_ERR_UNAVAILABLE;
		}
	} else if (rows_is_null(r, 0, "concert_id")) {
		err = TD_ERR_NOT_FOUND; /* no such concert */
	} else {
		err = concert_store_read_fan_tiers(r, req->concert_id, tiers);
	}
out:
	PQclear(r);
	return err;
}

/* The three array parameters of book(), one element per line. */
struct book_arrays {
	char ids[BOOKING_MAX_LINES * (IDS_SLUG_MAX + 3) + 3];
	char quantities[BOOKING_MAX_LINES * 12 + 3];
	char buckets[BOOKING_MAX_LINES * 12 + 3];
};

static int
format_arrays(const struct booking_txn *txn, struct book_arrays *a)
{
	const struct booking_request *req = txn->req;
	const char *ids[BOOKING_MAX_LINES];
	int qty[BOOKING_MAX_LINES], buckets[BOOKING_MAX_LINES];
	int err;

	for (int i = 0; i < req->nlines; i++) {
		ids[i] = txn->tiers[i]->id;
		qty[i] = req->lines[i].quantity;
		buckets[i] = txn->tiers[i]->buckets;
	}
	if ((err = pg_array_text(a->ids, sizeof(a->ids), ids, req->nlines)) !=
	        0 ||
	    (err = pg_array_int(a->quantities, sizeof(a->quantities), qty,
	         req->nlines)) != 0 ||
	    (err = pg_array_int(
	         a->buckets, sizeof(a->buckets), buckets, req->nlines)) != 0) {
		log_error("booking arrays do not fit: %s", td_strerror(err));
		return TD_ERR_INTERNAL;
	}
	return 0;
}

static int
read_txn_result(const PGresult *r, struct txn_result *out)
{
	char outcome[24];
	int err;

	if ((err = rows_text(r, 0, "outcome", outcome, sizeof(outcome))) != 0) {
		return err;
	}
	if (strcmp(outcome, "confirmed") == 0) {
		out->outcome = TXN_CONFIRMED;
		return rows_text(r, 0, "o_created_at", out->created_at,
		    sizeof(out->created_at));
	}
	if (strcmp(outcome, "payment_failed") == 0) {
		out->outcome = TXN_PAYMENT_FAILED;
		return 0;
	}
	if (strcmp(outcome, "duplicate") == 0) {
		out->outcome = TXN_DUPLICATE;
		return 0;
	}
	if (strcmp(outcome, "sales_closed") == 0) {
		out->outcome = TXN_SALES_CLOSED;
		return 0;
	}
	if (strcmp(outcome, "sales_not_started") == 0) {
		out->outcome = TXN_SALES_NOT_STARTED;
		return 0;
	}
	if (strcmp(outcome, "price_changed") == 0) {
		out->outcome = TXN_PRICE_CHANGED;
		return 0;
	}
	if (strcmp(outcome, "fan_limit") == 0) {
		out->outcome = TXN_FAN_LIMIT;
		if ((err = rows_int(r, 0, "o_limit", &out->fan_limit.limit)) !=
		        0 ||
		    (err = rows_int(
		         r, 0, "o_available", &out->fan_limit.already)) != 0) {
			return err;
		}
		return rows_int(r, 0, "o_requested", &out->fan_limit.requested);
	}
	if (strcmp(outcome, "rejected") == 0) {
		out->outcome = TXN_REJECTED;
		if ((err = rows_text(r, 0, "o_tier_id", out->shortage.tier_id,
		         sizeof(out->shortage.tier_id))) != 0 ||
		    (err = rows_int(
		         r, 0, "o_requested", &out->shortage.requested)) != 0) {
			return err;
		}
		return rows_int(r, 0, "o_available", &out->shortage.available);
	}
	log_error("book() answered %s", outcome);
	return TD_ERR_INTERNAL;
}

/* The parameters both booking statements start with, $1 to $7. */
#define BOOK_COMMON_PARAMS 7

static void
common_params(const struct booking_txn *txn, const char *total,
    const char *params[BOOK_COMMON_PARAMS])
{
	params[0] = txn->req->idempotency_key;
	params[1] = txn->booking_id;
	params[2] = txn->req->concert_id;
	params[3] = txn->req->user_id;
	params[4] = txn->req->fingerprint;
	params[5] = txn->req->payment_method;
	params[6] = total;
}

/* Under the caller's transaction slot. */
static int
run_book(const struct store *s, int q, const char *const *params,
    struct txn_result *out)
{
	PGresult *r = NULL;
	int err = store_exec_in_slot(s, q, params, &r);

	if (err == 0) {
		err = read_txn_result(r, out);
	}
	PQclear(r);
	return err;
}

/*
 * The one statement takes a bucket no one holds and never waits for one:
 * with fewer buckets than the transactions a node lets run at once
 * (TICKETD_TXN_SLOTS, 16 by default), every bucket of a busy tier can be
 * held and each booking would fall back to book() after an aborted
 * transaction.  Tiers of 1,600 tickets or more have 16 buckets or more.
 */
#define ONE_LINE_MIN_BUCKETS 16

/*
 * Whether the one statement is worth trying.  Sent unnamed (a transaction
 * pooler), it would be parsed and planned on every booking, which costs
 * more than it saves; book()'s own statements keep their plans in the
 * connection whatever the caller does (README, Performance).
 */
static bool
one_line_applies(const struct store *s, const struct booking_txn *txn)
{
	return txn->req->nlines == 1 && txn->paid &&
	       txn->tiers[0]->buckets >= ONE_LINE_MIN_BUCKETS &&
	       db_prepares(s->primary);
}

/*
 * The common case, a paid booking of one tier, in one statement.  Returns
 * TD_ERR_FALLBACK, with nothing written, for every case it leaves to
 * book().
 */
static int
book_one_line(const struct store *s, const struct booking_txn *txn,
    const char *total, struct txn_result *out)
{
	char quantity[12], buckets[12];
	const char *params[BOOK_COMMON_PARAMS + 5];

	snprintf(quantity, sizeof(quantity), "%d", txn->req->lines[0].quantity);
	snprintf(buckets, sizeof(buckets), "%d", txn->tiers[0]->buckets);
	common_params(txn, total, params);
	params[7] = txn->tiers[0]->id;
	params[8] = quantity;
	params[9] = buckets;
	params[10] = txn->payment_ref;
	params[11] = txn->req->request_id;
	return run_book(s, Q_BOOK_ONE_LINE, params, out);
}

/* Copies src into a field of len bytes.  false when it does not fit. */
static bool
fits(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len) {
		return false;
	}
	memcpy(dst, src, n + 1);
	return true;
}

#define FITS(f, src) fits(it->f, sizeof(it->f), (src))

/*
 * The same booking written by the node's booking writer, in one statement
 * with the others of its tier queued behind each other (daemon/writer.h).
 * Returns 0 with *out; TD_ERR_UNAVAILABLE when the writer's statement may
 * have committed and its answer is lost (503, the authorization kept, as
 * for a booking's own statement); or TD_ERR_FALLBACK when the booking
 * goes on its own: nothing of it written, or (*unsure) the writer had it
 * and did not answer, so it may write it yet.  Then the booking's own
 * statement finds the key if the writer wrote it first (and replays it),
 * or the writer's finds ours; but a failure of ours says nothing of the
 * writer's.
 */
static int
book_by_writer(const struct store *s, const struct booking_txn *txn,
    struct txn_result *out, bool *unsure)
{
	const struct booking_request *req = txn->req;
	struct book_batch_item item, *it = &item;
	struct book_batch_result res;
	int err;

	memset(it, 0, sizeof(*it));
	if (!FITS(key, req->idempotency_key) ||
	    !FITS(booking_id, txn->booking_id) ||
	    !FITS(concert_id, req->concert_id) ||
	    !FITS(user_id, req->user_id) ||
	    !FITS(fingerprint, req->fingerprint) ||
	    !FITS(method, req->payment_method) ||
	    !FITS(tier_id, txn->tiers[0]->id) ||
	    !FITS(payment_ref, txn->payment_ref) ||
	    !FITS(request_id, req->request_id)) {
		return TD_ERR_FALLBACK;
	}
	it->total_cents = req->total_cents;
	it->quantity = req->lines[0].quantity;
	it->buckets = txn->tiers[0]->buckets;
	metrics_writer_waiting(true);
	err = writer_link_book(s->writer, it, &res);
	metrics_writer_waiting(false);
	if (err != 0) {
		return TD_ERR_FALLBACK; /* it never reached the writer */
	}
	switch (res.outcome) {
	case BOOK_BATCH_CONFIRMED:
		memset(out, 0, sizeof(*out));
		out->outcome = TXN_CONFIRMED;
		snprintf(out->created_at, sizeof(out->created_at), "%s",
		    res.created_at);
		return 0;
	case BOOK_BATCH_DUPLICATE:
		memset(out, 0, sizeof(*out));
		out->outcome = TXN_DUPLICATE;
		return 0;
	case BOOK_BATCH_UNKNOWN: return TD_ERR_UNAVAILABLE;
	case BOOK_BATCH_NO_ANSWER:
		metrics_writer_no_answer();
		*unsure = true;
		return TD_ERR_FALLBACK;
	default: return TD_ERR_FALLBACK;
	}
}

static int
book_general(const struct store *s, const struct booking_txn *txn,
    const char *total, struct txn_result *out)
{
	struct book_arrays a;
	const char *params[BOOK_COMMON_PARAMS + 6];
	int err;

	if ((err = format_arrays(txn, &a)) != 0) {
		return err;
	}
	common_params(txn, total, params);
	params[7] = a.ids;
	params[8] = a.quantities;
	params[9] = a.buckets;
	params[10] = txn->paid ? "true" : "false";
	params[11] = txn->payment_ref;
	params[12] = txn->req->request_id;
	return run_book(s, Q_BOOK, params, out);
}

/* One transaction slot for both tries: a fallback never queues twice. */
static int
book(void *ctx, const struct booking_txn *txn, struct txn_result *out)
{
	const struct store *s = ctx;
	bool unsure = false;
	char total[24];
	int err;

	snprintf(
	    total, sizeof(total), "%lld", (long long)txn->req->total_cents);
	if ((err = store_txn_slot_take(s)) != 0) {
		return err;
	}
	if (txn->wanted != NULL && !txn->wanted(txn->turn_ctx)) {
		store_txn_slot_give(s);
		return TD_ERR_NOT_WANTED;
	}
	err = TD_ERR_FALLBACK;
	if (one_line_applies(s, txn)) {
		if (s->writer != NULL) {
			err = book_by_writer(s, txn, out, &unsure);
		}
		if (err == TD_ERR_FALLBACK &&
		    (err = book_one_line(s, txn, total, out)) ==
		        TD_ERR_FALLBACK) {
			metrics_booking_fallback();
		}
	}
	if (err == TD_ERR_FALLBACK) {
		err = book_general(s, txn, total, out);
	}
	if (err != 0 && unsure) {
		/* The writer may yet commit it: keep the authorization. */
		err = TD_ERR_UNAVAILABLE;
	}
	if (err == 0 && txn->settled != NULL) {
		txn->settled(txn->turn_ctx, out);
	}
	store_txn_slot_give(s);
	return err;
}

static int
cancel(void *ctx, const char *id, const char *request_id,
    const struct viewer *v, const char *reason, struct cancel_result *out)
{
	const char *params[5] = {
	    id, request_id, v->user_id, v->is_admin ? "true" : "false", reason};
	char outcome[24], status[24];
	PGresult *r;
	int err;

	err = store_exec_txn(ctx, Q_CANCEL, params, &r);
	if (err != 0 ||
	    (err = rows_text(r, 0, "outcome", outcome, sizeof(outcome))) != 0) {
		goto out;
	}
	if (strcmp(outcome, "not_found") == 0) {
		out->outcome = CANCEL_NOT_FOUND;
		goto out;
	}
	if ((err = rows_text(r, 0, "o_status", status, sizeof(status))) != 0 ||
	    (err = rows_int64(
	         r, 0, "o_refunded_cents", &out->refunded_cents)) != 0) {
		goto out;
	}
	if (booking_status_parse(status, &out->status) != 0) {
		log_error("cancel_booking() answered status %s", status);
		err = TD_ERR_INTERNAL;
		goto out;
	}
	out->outcome = strcmp(outcome, "cancelled") == 0 ? CANCEL_DONE
	               : strcmp(outcome, "closed") == 0  ? CANCEL_CLOSED
	               : strcmp(outcome, "admitted") == 0
	                   ? CANCEL_ADMITTED
	                   : CANCEL_NOT_CANCELLABLE;
out:
	PQclear(r);
	return err;
}

int
booking_store_of_user(struct store *s, const char *user_id, const char *after,
    struct booking *out, int max, int *n)
{
	char limit[16], id[IDS_BOOKING_ID_LEN + 1] = "";
	const char *params[3] = {user_id, after, limit};
	PGresult *r;
	int err, first = 0;

	*n = 0;
	snprintf(limit, sizeof(limit), "%d", max);
	if ((err = db_exec(s->primary, Q_BOOKINGS_OF_USER, params, &r)) != 0) {
		return err;
	}
	/* One row per item: a booking's rows are together, in order. */
	for (int i = 0; i <= PQntuples(r) && err == 0; i++) {
		char next[IDS_BOOKING_ID_LEN + 1] = "";

		if (i < PQntuples(r) &&
		    (err = rows_text(r, i, "id", next, sizeof(next))) != 0) {
			break;
		}
		if (i > 0 && strcmp(next, id) != 0) {
			if (*n == max) {
				err = TD_ERR_INTERNAL;
				break;
			}
			err =
			    booking_store_read_rows(r, first, i, &out[(*n)++]);
			first = i;
		}
		memcpy(id, next, sizeof(id));
	}
	PQclear(r);
	return err;
}

void
booking_store_bind(struct store *s, struct booking_store *port)
{
	port->ctx = s;
	port->find_by_key = find_by_key;
	port->check = check;
	port->book = book;
	port->find_by_id = find_by_id;
	port->cancel = cancel;
}
