/*
 * booking.c - the booking flow and cancellation, as decisions over a
 * store: every answer is an outcome the HTTP layer turns into a status.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "domain/booking.h"

static const char *const status_names[] = {
    [BOOKING_STATUS_CONFIRMED] = "confirmed",
    [BOOKING_STATUS_CANCELLED] = "cancelled",
    [BOOKING_STATUS_PAYMENT_FAILED] = "payment_failed",
    [BOOKING_STATUS_REJECTED] = "rejected",
};

#define NSTATUS (int)(sizeof(status_names) / sizeof(status_names[0]))

const char *
booking_status_name(enum booking_status status)
{
	return (int)status >= 0 && (int)status < NSTATUS ? status_names[status]
	                                                 : "unknown";
}

int
booking_status_parse(const char *s, enum booking_status *status)
{
	for (int i = 0; i < NSTATUS; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*status = (enum booking_status)i;
			return 0;
		}
	}
	return TD_ERR_INVALID;
}

static enum booking_outcome
decide(struct booking_result *out, enum booking_outcome outcome)
{
	out->outcome = outcome;
	return outcome;
}

static enum booking_outcome
fail(struct booking_result *out, int err)
{
	out->error = err;
	return decide(out, BOOKING_FAILED);
}

/*
 * A retry of a finished request gets its recorded answer, never a charge;
 * only its owner's: another fan's key is "reused" and reveals nothing.
 */
static enum booking_outcome
replay(const struct booking_request *req, const struct key_record *rec,
    struct booking_result *out)
{
	if (strcmp(rec->booking.user_id, req->user_id) != 0 ||
	    strcmp(rec->fingerprint, req->fingerprint) != 0) {
		return decide(out, BOOKING_KEY_REUSED);
	}
	out->replayed = true;
	out->booking = rec->booking;
	switch (rec->booking.status) {
	case BOOKING_STATUS_PAYMENT_FAILED:
		return decide(out, BOOKING_DECLINED);
	case BOOKING_STATUS_REJECTED:
		switch (rec->reason) {
		case REJECT_FAN_LIMIT:
			out->fan_limit = rec->fan_limit;
			return decide(out, BOOKING_FAN_LIMIT);
		case REJECT_SALES_CLOSED:
			return decide(out, BOOKING_SALES_CLOSED);
		case REJECT_SALES_NOT_STARTED:
			return decide(out, BOOKING_SALES_NOT_STARTED);
		case REJECT_PRICE_CHANGED:
			return decide(out, BOOKING_PRICE_CHANGED);
		case REJECT_INVENTORY: break;
		}
		out->shortage = rec->shortage;
		return decide(out, BOOKING_SHORTAGE);
	case BOOKING_STATUS_CONFIRMED:
	case BOOKING_STATUS_CANCELLED: break;
	}
	return decide(out, BOOKING_REPLAYED);
}

static void
shortage_of(
    const struct tier *t, int requested, int available, struct shortage *s)
{
	snprintf(s->tier_id, sizeof(s->tier_id), "%s", t->id);
	snprintf(s->tier_name, sizeof(s->tier_name), "%s", t->name);
	s->requested = requested;
	s->available = available;
}

/*
 * Whether the concert sells now, by the database's clock (the one book()
 * decides by again).  A draft is not found; a cancelled, started or
 * ended sale is closed.  Returns 0, or -1 with out decided.
 */
static int
check_sales(const struct sales_window *w, struct booking_result *out)
{
	out->sales = *w;
	switch (w->status) {
	case CONCERT_DRAFT: decide(out, BOOKING_CONCERT_NOT_FOUND); return -1;
	case CONCERT_CANCELLED: decide(out, BOOKING_SALES_CLOSED); return -1;
	case CONCERT_PUBLISHED: break;
	}
	if (w->now_ms >= w->end_ms || w->now_ms >= w->starts_ms) {
		decide(out, BOOKING_SALES_CLOSED);
		return -1;
	}
	if (w->now_ms < w->start_ms) {
		decide(out, BOOKING_SALES_NOT_STARTED);
		return -1;
	}
	return 0;
}

/*
 * Checks the lines against the tiers read just now and resolves each
 * line's tier into txn: every tier belongs to the concert, the total is
 * the server's own sum, and no tier is visibly short (a shortage before
 * any payment or write).  Returns 0, or -1 with out decided.
 */
static int
check_lines(const struct booking_request *req, const struct tier_list *tiers,
    struct booking_txn *txn, struct booking_result *out)
{
	int64_t sum = 0;
	int wanted = 0;

	for (int i = 0; i < req->nlines; i++) {
		const struct booking_line *l = &req->lines[i];
		const struct tier *t = concert_find_tier(tiers, l->tier_id);

		if (t == NULL) {
			out->line_index = l->index;
			decide(out, BOOKING_UNKNOWN_TIER);
			return -1;
		}
		txn->tiers[i] = t;
		sum += t->price_cents * l->quantity;
		wanted += l->quantity;
	}
	if (sum != req->total_cents) {
		out->expected_cents = sum;
		decide(out, BOOKING_WRONG_TOTAL);
		return -1;
	}
	if (tiers->fan_booked + wanted > tiers->max_per_fan) {
		out->fan_limit.limit = tiers->max_per_fan;
		out->fan_limit.already = tiers->fan_booked;
		out->fan_limit.requested = wanted;
		decide(out, BOOKING_FAN_LIMIT);
		return -1;
	}
	for (int i = 0; i < req->nlines; i++) {
		const struct tier *t = txn->tiers[i];

		if (t->available < req->lines[i].quantity) {
			shortage_of(t, req->lines[i].quantity, t->available,
			    &out->shortage);
			decide(out, BOOKING_SHORTAGE);
			return -1;
		}
	}
	return 0;
}

/*
 * A tier of the request that this daemon saw sold out a moment ago is the
 * answer, with no read: sold out is sold out whatever else the request
 * says (its total, the fan's limit), and the table only ever turns a
 * request away.  Returns 0 with out decided, or -1: ask the database.
 */
static int
marked_sold_out(const struct soldout_port *so,
    const struct booking_request *req, struct booking_result *out)
{
	struct shortage *s = &out->shortage;

	if (so == NULL) {
		return -1;
	}
	for (int i = 0; i < req->nlines; i++) {
		const struct booking_line *l = &req->lines[i];

		if (so->find(so->ctx, req->concert_id, l->tier_id,
		        s->tier_name) == 0) {
			snprintf(
			    s->tier_id, sizeof(s->tier_id), "%s", l->tier_id);
			s->requested = l->quantity;
			s->available = 0;
			out->sold_out_mark = true;
			decide(out, BOOKING_SHORTAGE);
			return 0;
		}
	}
	return -1;
}

/*
 * A shortage the database just showed, of a tier with nothing left (a
 * shortage of 3 when 2 remain is not sold out), marks that tier for the
 * next requests.  st: taken before that read.
 */
static void
mark_if_sold_out(const struct soldout_port *so, struct soldout_stamp st,
    const struct booking_request *req, const struct booking_result *out)
{
	if (so != NULL && out->outcome == BOOKING_SHORTAGE && !out->replayed &&
	    out->shortage.available == 0) {
		so->mark(so->ctx, st, req->concert_id, out->shortage.tier_id,
		    out->shortage.tier_name);
	}
}

/*
 * out holds a sold-out answer from the marks: it is the answer, unless the
 * key is known (a retry of a booking that went through gets its own
 * answer, never "sold out").  ref: the payment this request authorized,
 * voided when the answer is "sold out"; NULL: none.  A known key's
 * booking holds the same authorization (its reference is the key's), so
 * it stays.
 */
static enum booking_outcome
answer_marked(const struct booking_store *store,
    const struct booking_request *req, const char *ref,
    struct booking_result *out)
{
	struct key_record rec;
	int err = store->find_by_key(store->ctx, req->idempotency_key, &rec);

	if (err == TD_ERR_NOT_FOUND) {
		if (ref != NULL) {
			payment_void(ref);
		}
		return out->outcome;
	}
	memset(out, 0, sizeof(*out));
	return err == 0 ? replay(req, &rec, out) : fail(out, err);
}

/* What a booking's transaction turn needs to ask the marks and leave one. */
struct turn {
	const struct soldout_port *so;
	const struct booking_request *req;
	const struct tier_list *tiers;
	struct soldout_stamp st; /* taken before the transaction */
	struct booking_result *out;
};

/* txn->wanted: no tier of the booking was marked sold out while it waited
 * for its turn (else out holds that answer). */
static bool
still_wanted(void *ctx)
{
	struct turn *t = ctx;

	return marked_sold_out(t->so, t->req, t->out) != 0;
}

/*
 * txn->settled: a transaction refused for a tier with none left marks it
 * while the turn is still its own, so the bookings queued behind it find
 * the mark at theirs.  (Marked after the turn had passed on, the next in
 * line could start its transaction first, only to be refused.)
 */
static void
mark_if_emptied(void *ctx, const struct txn_result *tr)
{
	struct turn *t = ctx;
	const struct tier *tier;

	if (tr->outcome != TXN_REJECTED || tr->shortage.available != 0 ||
	    (tier = concert_find_tier(t->tiers, tr->shortage.tier_id)) ==
	        NULL) {
		return;
	}
	t->so->mark(
	    t->so->ctx, t->st, t->req->concert_id, tier->id, tier->name);
}

static struct soldout_stamp
stamp(const struct soldout_port *so)
{
	return so != NULL ? so->stamp(so->ctx) : (struct soldout_stamp){0, 0};
}

/* The booking just confirmed, from its request and the tiers it was priced
 * with. */
static void
confirmed_booking(
    const struct booking_txn *txn, const char *created_at, struct booking *b)
{
	const struct booking_request *req = txn->req;

	snprintf(b->id, sizeof(b->id), "%s", txn->booking_id);
	snprintf(b->concert_id, sizeof(b->concert_id), "%s", req->concert_id);
	snprintf(b->user_id, sizeof(b->user_id), "%s", req->user_id);
	b->status = BOOKING_STATUS_CONFIRMED;
	b->total_cents = req->total_cents;
	b->nitems = req->nlines;
	for (int i = 0; i < req->nlines; i++) {
		struct booking_item *it = &b->items[i];

		snprintf(
		    it->tier_id, sizeof(it->tier_id), "%s", txn->tiers[i]->id);
		snprintf(it->tier_name, sizeof(it->tier_name), "%s",
		    txn->tiers[i]->name);
		it->quantity = req->lines[i].quantity;
		it->price_cents = txn->tiers[i]->price_cents;
	}
	snprintf(b->created_at, sizeof(b->created_at), "%s", created_at);
	snprintf(b->updated_at, sizeof(b->updated_at), "%s", created_at);
}

/* What the transaction answered, as the request's outcome. */
static enum booking_outcome
settle(const struct booking_store *store, const struct booking_txn *txn,
    const struct tier_list *tiers, const struct txn_result *tr,
    struct booking_result *out)
{
	struct key_record rec;
	const struct tier *t;
	int err;

	switch (tr->outcome) {
	case TXN_CONFIRMED:
		confirmed_booking(txn, tr->created_at, &out->booking);
		return decide(out, BOOKING_CONFIRMED);
	case TXN_PAYMENT_FAILED:
		snprintf(out->booking.id, sizeof(out->booking.id), "%s",
		    txn->booking_id);
		out->booking.status = BOOKING_STATUS_PAYMENT_FAILED;
		return decide(out, BOOKING_DECLINED);
	case TXN_REJECTED:
		/* Another fan won the race since our check. */
		payment_void(txn->payment_ref);
		t = concert_find_tier(tiers, tr->shortage.tier_id);
		if (t == NULL) {
			log_error("rejected on tier %s, not one of the booking",
			    tr->shortage.tier_id);
			return fail(out, TD_ERR_INTERNAL);
		}
		shortage_of(t, tr->shortage.requested, tr->shortage.available,
		    &out->shortage);
		return decide(out, BOOKING_SHORTAGE);
	case TXN_FAN_LIMIT:
		/* The fan's other booking committed since our check. */
		payment_void(txn->payment_ref);
		out->fan_limit = tr->fan_limit;
		return decide(out, BOOKING_FAN_LIMIT);
	case TXN_SALES_CLOSED:
		payment_void(txn->payment_ref);
		return decide(out, BOOKING_SALES_CLOSED);
	case TXN_SALES_NOT_STARTED:
		payment_void(txn->payment_ref);
		return decide(out, BOOKING_SALES_NOT_STARTED);
	case TXN_PRICE_CHANGED:
		payment_void(txn->payment_ref);
		return decide(out, BOOKING_PRICE_CHANGED);
	case TXN_DUPLICATE: break;
	}

	/* A concurrent request with our key committed first: answer as it. */
	err = store->find_by_key(store->ctx, txn->req->idempotency_key, &rec);
	if (err == TD_ERR_NOT_FOUND) {
		log_error("key %s reported duplicate but not found",
		    txn->req->idempotency_key);
		err = TD_ERR_INTERNAL;
	}
	if (err != 0) {
		return fail(out, err);
	}
	return replay(txn->req, &rec, out);
}

enum account_outcome
booking_begin(const struct booking_store *store,
    const struct account_store *accounts, const char *token, size_t len,
    const struct booking_request *req, struct booking_start *start,
    struct account_result *auth)
{
	char hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	struct session_record session;
	struct booking_result marked;
	bool signed_in = false;
	int err;

	memset(start, 0, sizeof(*start));
	memset(&marked, 0, sizeof(marked));
	/*
	 * A tier seen sold out a moment ago is the answer to a new key: no
	 * check, only the session (a fan signed out is told so first).
	 */
	if (marked_sold_out(store->sold_out, req, &marked) == 0) {
		start->marked = true;
		start->shortage = marked.shortage;
		return account_authenticate(accounts, token, len, auth);
	}
	/* A token of the wrong shape is no session: nothing is read. */
	if (account_token_hash(token, len, hash) != 0) {
		return account_accept_session(accounts, NULL, NULL, auth);
	}
	start->st = stamp(store->sold_out);
	memset(&session, 0, sizeof(session));
	err = store->check(store->ctx, hash, req, &signed_in, &session,
	    &start->known, &start->rec, &start->tiers);
	if (err != 0 && err != TD_ERR_NOT_FOUND) {
		memset(auth, 0, sizeof(*auth));
		auth->error = err;
		auth->outcome = ACCOUNT_FAILED;
		return auth->outcome;
	}
	start->check_err = err;
	return account_accept_session(
	    accounts, hash, signed_in ? &session : NULL, auth);
}

enum booking_outcome
booking_complete(const struct booking_store *store,
    const struct payment_settings *pay, const struct booking_request *req,
    const struct booking_start *start, struct booking_result *out)
{
	char ref[PAYMENT_REF_MAX + 1], booking_id[IDS_BOOKING_ID_LEN + 1];
	const struct soldout_port *so = store->sold_out;
	const struct tier_list *tiers = &start->tiers;
	struct booking_txn txn = {.req = req};
	struct turn turn = {.so = so, .req = req, .tiers = tiers, .out = out};
	struct txn_result tr;
	enum payment_answer answer;
	bool away;
	int err;

	memset(out, 0, sizeof(*out));
	/*
	 * The mark's answer costs one index lookup: a retry of a booking that
	 * went through still gets its own answer, never "sold out".
	 */
	if (start->marked) {
		out->shortage = start->shortage;
		out->sold_out_mark = true;
		decide(out, BOOKING_SHORTAGE);
		return answer_marked(store, req, NULL, out);
	}
	if (start->check_err == TD_ERR_NOT_FOUND) {
		return decide(out, BOOKING_CONCERT_NOT_FOUND);
	}
	if (start->check_err != 0) {
		return fail(out, start->check_err);
	}
	if (start->known) {
		return replay(req, &start->rec, out);
	}
	if (check_sales(&tiers->sales, out) != 0 ||
	    check_lines(req, tiers, &txn, out) != 0) {
		mark_if_sold_out(so, start->st, req, out);
		return out->outcome;
	}

	/*
	 * No row is locked while the payment runs.  A payment that takes no
	 * time is no wait: telling the pool would only wake another worker.
	 */
	away = store->outside != NULL && payment_waits(pay);
	if (away) {
		store->outside->away(store->outside->ctx);
	}
	answer = payment_authorize(pay, req->idempotency_key,
	    req->payment_method, req->total_cents, ref);
	if (away) {
		store->outside->back(store->outside->ctx);
	}
	if (answer == PAYMENT_TIMEOUT) {
		return decide(out, BOOKING_PAYMENT_TIMEOUT);
	}

	ids_new_booking_id(booking_id);
	txn.booking_id = booking_id;
	txn.paid = answer == PAYMENT_APPROVED;
	txn.payment_ref = ref;
	/*
	 * The check was a while ago when the turn comes: at a sell-out, the
	 * requests queued for a transaction are answered by the mark the
	 * first of them to find the tier empty left (a declined payment is
	 * still recorded).
	 */
	if (so != NULL) {
		txn.wanted = txn.paid ? still_wanted : NULL;
		txn.settled = mark_if_emptied;
		txn.turn_ctx = &turn;
	}
	memset(&tr, 0, sizeof(tr));
	turn.st = stamp(so);
	err = store->book(store->ctx, &txn, &tr);
	if (err == TD_ERR_NOT_WANTED) {
		return answer_marked(store, req, ref, out);
	}
	if (err != 0) {
		/*
		 * A lost connection leaves the commit's outcome unknown: keep
		 * the authorization, the client's retry with its key finds out.
		 * Any other error rolled the transaction back.
		 */
		if (txn.paid && err != TD_ERR_UNAVAILABLE) {
			payment_void(ref);
		}
		return fail(out, err);
	}
	/* A tier this transaction found empty is marked already (settled). */
	return settle(store, &txn, tiers, &tr, out);
}

int
booking_find(const struct booking_store *store, const char *id,
    const struct viewer *v, struct booking *out)
{
	return store->find_by_id(store->ctx, id, v, out);
}

int
booking_cancel(const struct booking_store *store, const char *id,
    const char *request_id, const struct viewer *v, const char *reason,
    struct cancel_result *out, struct booking *booking)
{
	int err;

	memset(out, 0, sizeof(*out));
	err = store->cancel(store->ctx, id, request_id, v, reason, out);
	/* Its tickets are on sale again (after an error they may be: a lost
	 * connection hides whether the cancellation committed), so no tier
	 * is known to be sold out any more. */
	if (store->sold_out != NULL &&
	    (err != 0 || out->outcome == CANCEL_DONE)) {
		store->sold_out->clear(store->sold_out->ctx);
	}
	if (err != 0 || out->outcome != CANCEL_DONE) {
		return err;
	}
	payment_refund(id, out->refunded_cents);
	return store->find_by_id(store->ctx, id, v, booking);
}
