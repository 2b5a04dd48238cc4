/*
 * check_booking_flow.c - the booking flow's decision table against a
 * fake store (no database), and the table that turns each outcome into
 * a status and an error code.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "domain/booking.h"
#include "http/replies.h"
#include "unit_main.h"

#define KEY "550e8400-e29b-41d4-a716-446655440000"

/* What the fake store answers, and what it was asked. */
struct fake {
	int find_err[2]; /* first and second lookup of the key */
	struct key_record rec;
	int tiers_err;
	struct tier_list tiers;
	int book_err;
	struct txn_result txn;
	int cancel_err;
	struct cancel_result cancel;
	const char *cancel_reason;
	int finds, tier_loads, books, cancels, id_reads;
	void (*at_turn)(void); /* what happens while book() waits its turn */
	int turns, unwanted;   /* book() calls, and those not wanted at turn */
	int settled_marks_before, marked_in_turn; /* marks left by settled() */
	bool paid; /* what the last book() was told */
	int booked_lines;
	/* The session the token is, as the check and the account store read
	 * it (session_err TD_ERR_NOT_FOUND: none); check_err fails the check.
	 */
	char token[SESSION_TOKEN_LEN + 1];
	char token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	struct session_record session;
	int session_err, check_err;
	int checks, session_finds, touches;
	/* The outside port's calls; whether book() ran between the two. */
	int aways, backs;
	bool away_at_book;
};

#define NOW_MS INT64_C(1796137200000)

static struct fake fake;
static struct booking_store store;
static struct account_store accounts;
static struct account_result auth;
static struct booking_request req;
static struct booking_result out;
static const struct viewer ann = {"ann", false};
static const struct payment_settings instant = {0, 1000, 0.0, true};
static const struct payment_settings one_ms = {1, 1000, 0.0, true};

static int
fake_find_by_key(void *ctx, const char *key, struct key_record *rec)
{
	int err = fake.find_err[fake.finds < 2 ? fake.finds : 1];

	fake.finds++;
	ck_assert_str_eq(key, KEY);
	if (err == 0) {
		*rec = fake.rec;
	}
	return err;
}

static int
fake_load_tiers(void *ctx, const char *concert_id, const char *user_id,
    struct tier_list *tiers)
{
	fake.tier_loads++;
	ck_assert_str_eq(user_id, fake.session.user.id);
	*tiers = fake.tiers;
	return fake.tiers_err;
}

/*
 * The store's one round trip before the payment, as the reads it does:
 * the session, then (with one) the key, then the tiers.
 */
static int
fake_check(void *ctx, const char *token_hash, const struct booking_request *r,
    bool *signed_in, struct session_record *session, bool *known,
    struct key_record *rec, struct tier_list *tiers)
{
	int err;

	fake.checks++;
	ck_assert_str_eq(token_hash, fake.token_hash);
	/* Who asks is the session's to say: the request has no fan yet. */
	ck_assert_str_eq(r->user_id, "");
	ck_assert_str_eq(r->fingerprint, "");
	*known = false;
	*signed_in = fake.session_err == 0;
	if (fake.check_err != 0 || !*signed_in) {
		return fake.check_err;
	}
	*session = fake.session;
	/* As the statement: nothing more for a session past its lifetimes. */
	if (!session_is_live(session->now_s, session->created_s,
	        session->last_seen_s, SESSION_ABSOLUTE_TTL_S,
	        SESSION_IDLE_TTL_S)) {
		return 0;
	}
	err = fake_find_by_key(ctx, r->idempotency_key, rec);
	*known = err == 0;
	if (err != TD_ERR_NOT_FOUND) {
		return err;
	}
	return fake_load_tiers(ctx, r->concert_id, session->user.id, tiers);
}

/* The account store, for the session read alone (a tier marked sold out). */
static int
fake_find_session(void *ctx, const char *token_hash, struct session_record *rec)
{
	fake.session_finds++;
	ck_assert_str_eq(token_hash, fake.token_hash);
	if (fake.session_err == 0) {
		*rec = fake.session;
	}
	return fake.session_err;
}

static int
fake_touch_session(void *ctx, const char *token_hash)
{
	ck_assert_str_eq(token_hash, fake.token_hash);
	fake.touches++;
	return 0;
}

static int so_marks(void);

static int
fake_book(void *ctx, const struct booking_txn *txn, struct txn_result *tr)
{
	fake.turns++;
	fake.away_at_book = fake.aways != fake.backs;
	if (fake.at_turn != NULL) {
		fake.at_turn();
	}
	if (txn->wanted != NULL && !txn->wanted(txn->turn_ctx)) {
		fake.unwanted++;
		return TD_ERR_NOT_WANTED;
	}
	fake.books++;
	fake.paid = txn->paid;
	fake.booked_lines = txn->req->nlines;
	for (int i = 0; i < txn->req->nlines; i++) {
		ck_assert_ptr_nonnull(txn->tiers[i]);
		ck_assert_str_eq(txn->tiers[i]->id, txn->req->lines[i].tier_id);
	}
	*tr = fake.txn;
	/* As the store: what the transaction learnt, before the turn passes. */
	if (fake.book_err == 0 && txn->settled != NULL) {
		fake.settled_marks_before = so_marks();
		txn->settled(txn->turn_ctx, tr);
		fake.marked_in_turn = so_marks() - fake.settled_marks_before;
	}
	return fake.book_err;
}

static int
fake_find_by_id(
    void *ctx, const char *id, const struct viewer *v, struct booking *b)
{
	ck_assert_str_eq(v->user_id, "ann");
	fake.id_reads++;
	*b = fake.rec.booking;
	return 0;
}

static int
fake_cancel(void *ctx, const char *id, const char *request_id,
    const struct viewer *v, const char *reason, struct cancel_result *cr)
{
	ck_assert_str_eq(v->user_id, "ann");
	fake.cancel_reason = reason;
	fake.cancels++;
	*cr = fake.cancel;
	return fake.cancel_err;
}

static void
add_tier(const char *id, const char *name, int64_t price, int available)
{
	struct tier *t = &fake.tiers.tiers[fake.tiers.n++];

	snprintf(t->id, sizeof(t->id), "%s", id);
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->price_cents = price;
	t->total = 100;
	t->available = available;
	t->buckets = 1;
}

static void
add_line(const char *tier_id, int quantity)
{
	struct booking_line *l = &req.lines[req.nlines];

	snprintf(l->tier_id, sizeof(l->tier_id), "%s", tier_id);
	l->quantity = quantity;
	l->index = req.nlines++;
}

/*
 * A new key for two VIP (100.00) and one GA (50.00) of concert c1, whose
 * tiers have 10 tickets each; book() confirms.
 */
static void
setup(void)
{
	memset(&fake, 0, sizeof(fake));
	memset(&req, 0, sizeof(req));
	store = (struct booking_store){&fake, fake_find_by_key, fake_check,
	    fake_book, fake_find_by_id, fake_cancel, NULL, NULL};
	fake.find_err[0] = fake.find_err[1] = TD_ERR_NOT_FOUND;
	fake.tiers.max_per_fan = 10;
	/* On sale since a minute ago, for another hour; the show after. */
	fake.tiers.sales.status = CONCERT_PUBLISHED;
	fake.tiers.sales.now_ms = NOW_MS;
	fake.tiers.sales.start_ms = NOW_MS - 60000;
	fake.tiers.sales.end_ms = NOW_MS + 3600000;
	fake.tiers.sales.starts_ms = NOW_MS + 3600000;
	snprintf(fake.tiers.sales.start, sizeof(fake.tiers.sales.start),
	    "2026-12-01T09:59:00-05:00");
	snprintf(fake.tiers.sales.end, sizeof(fake.tiers.sales.end),
	    "2026-12-01T11:00:00-05:00");
	add_tier("ga", "General", 5000, 10);
	add_tier("vip", "VIP", 10000, 10);
	fake.txn.outcome = TXN_CONFIRMED;
	snprintf(fake.txn.created_at, sizeof(fake.txn.created_at),
	    "2026-12-01T10:00:00Z");

	accounts = (struct account_store){.ctx = &fake,
	    .find_session = fake_find_session,
	    .touch_session = fake_touch_session};
	session_token_new(fake.token);
	session_token_hash(fake.token, fake.token_hash);
	/* Ann's session: started an hour ago, seen a minute ago. */
	snprintf(fake.session.user.id, sizeof(fake.session.user.id), "ann");
	fake.session.now_s = NOW_MS / 1000;
	fake.session.created_s = fake.session.now_s - 3600;
	fake.session.last_seen_s = fake.session.now_s - 60;

	snprintf(req.concert_id, sizeof(req.concert_id), "c1");
	snprintf(req.user_id, sizeof(req.user_id), "ann");
	snprintf(req.idempotency_key, sizeof(req.idempotency_key), KEY);
	snprintf(req.payment_method, sizeof(req.payment_method), "card");
	snprintf(req.fingerprint, sizeof(req.fingerprint), "fp-1");
	add_line("ga", 1);
	add_line("vip", 2);
	req.total_cents = 25000;
	req.request_id = "rid";
}

/* The key is known with this status and the same fingerprint. */
static void
known_key(enum booking_status status)
{
	fake.find_err[0] = 0;
	fake.rec.booking.status = status;
	snprintf(fake.rec.booking.id, sizeof(fake.rec.booking.id), "bk_old");
	snprintf(
	    fake.rec.booking.user_id, sizeof(fake.rec.booking.user_id), "ann");
	snprintf(fake.rec.fingerprint, sizeof(fake.rec.fingerprint), "fp-1");
}

/*
 * The booking path as POST /api/bookings runs it: the session with the
 * check, for a request with no fan yet; then, bound to the session's fan
 * (req's user_id and fingerprint are what binding makes), the rest.  A
 * failed session read is the booking's failure, as the handler answers
 * it; a refused session leaves out's outcome BOOKING_OUTCOME_COUNT.
 */
static enum booking_outcome
run_paying(const struct payment_settings *pay)
{
	struct booking_request bound = req;
	struct booking_start start;

	memset(&out, 0, sizeof(out));
	memset(req.user_id, 0, sizeof(req.user_id));
	memset(req.fingerprint, 0, sizeof(req.fingerprint));
	switch (booking_begin(&store, &accounts, fake.token, strlen(fake.token),
	    &req, &start, &auth)) {
	case ACCOUNT_OK: break;
	case ACCOUNT_FAILED:
		out.error = auth.error;
		return out.outcome = BOOKING_FAILED;
	default: return out.outcome = BOOKING_OUTCOME_COUNT;
	}
	ck_assert_str_eq(auth.user.id, fake.session.user.id);
	req = bound;
	snprintf(req.user_id, sizeof(req.user_id), "%s", auth.user.id);
	return booking_complete(&store, pay, &req, &start, &out);
}

static enum booking_outcome
run(void)
{
	return run_paying(&instant);
}

START_TEST(confirmed)
{
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
	ck_assert_int_eq(fake.books, 1);
	ck_assert(fake.paid);
	ck_assert(!out.replayed);
	ck_assert_int_eq(out.booking.status, BOOKING_STATUS_CONFIRMED);
	ck_assert_int_eq(out.booking.nitems, 2);
	ck_assert_str_eq(out.booking.items[1].tier_name, "VIP");
	ck_assert_int_eq(out.booking.items[1].price_cents, 10000);
	ck_assert_int_eq(out.booking.total_cents, 25000);
	ck_assert_str_eq(out.booking.created_at, "2026-12-01T10:00:00Z");
	ck_assert_int_eq(strncmp(out.booking.id, "bk_", 3), 0);
}
END_TEST

START_TEST(replay_of_a_confirmed_key)
{
	known_key(BOOKING_STATUS_CONFIRMED);
	ck_assert_int_eq(run(), BOOKING_REPLAYED);
	ck_assert(out.replayed);
	ck_assert_str_eq(out.booking.id, "bk_old");
	ck_assert_int_eq(fake.tier_loads, 0);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(replay_of_a_cancelled_key)
{
	known_key(BOOKING_STATUS_CANCELLED);
	ck_assert_int_eq(run(), BOOKING_REPLAYED);
	ck_assert_int_eq(out.booking.status, BOOKING_STATUS_CANCELLED);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(replay_of_a_declined_key)
{
	known_key(BOOKING_STATUS_PAYMENT_FAILED);
	ck_assert_int_eq(run(), BOOKING_DECLINED);
	ck_assert(out.replayed);
	ck_assert_str_eq(out.booking.id, "bk_old");
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(replay_of_a_rejected_key)
{
	known_key(BOOKING_STATUS_REJECTED);
	snprintf(fake.rec.shortage.tier_name,
	    sizeof(fake.rec.shortage.tier_name), "VIP");
	fake.rec.shortage.requested = 2;
	fake.rec.shortage.available = 1;
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert(out.replayed);
	ck_assert_str_eq(out.shortage.tier_name, "VIP");
	ck_assert_int_eq(out.shortage.available, 1);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(key_reused_with_another_body)
{
	known_key(BOOKING_STATUS_CONFIRMED);
	snprintf(fake.rec.fingerprint, sizeof(fake.rec.fingerprint), "fp-2");
	ck_assert_int_eq(run(), BOOKING_KEY_REUSED);
	ck_assert_str_eq(out.booking.id, ""); /* reveals nothing */
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(key_of_another_fan_reveals_nothing)
{
	known_key(BOOKING_STATUS_CONFIRMED);
	snprintf(
	    fake.rec.booking.user_id, sizeof(fake.rec.booking.user_id), "bob");
	ck_assert_int_eq(run(), BOOKING_KEY_REUSED);
	ck_assert_str_eq(out.booking.id, "");
	ck_assert(!out.replayed);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(replay_of_a_key_over_the_fan_limit)
{
	known_key(BOOKING_STATUS_REJECTED);
	fake.rec.reason = REJECT_FAN_LIMIT;
	fake.rec.fan_limit = (struct fan_limit){4, 3, 2};
	ck_assert_int_eq(run(), BOOKING_FAN_LIMIT);
	ck_assert(out.replayed);
	ck_assert_int_eq(out.fan_limit.limit, 4);
	ck_assert_int_eq(out.fan_limit.already, 3);
	ck_assert_int_eq(out.fan_limit.requested, 2);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(fan_limit_before_payment)
{
	fake.tiers.max_per_fan = 4;
	fake.tiers.fan_booked = 2;
	ck_assert_int_eq(run(), BOOKING_FAN_LIMIT);
	ck_assert_int_eq(out.fan_limit.limit, 4);
	ck_assert_int_eq(out.fan_limit.already, 2);
	ck_assert_int_eq(out.fan_limit.requested, 3);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(fan_limit_reached_exactly_is_allowed)
{
	fake.tiers.max_per_fan = 4;
	fake.tiers.fan_booked = 1;
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
}
END_TEST

START_TEST(fan_limit_lost_to_a_concurrent_booking)
{
	fake.txn.outcome = TXN_FAN_LIMIT;
	fake.txn.fan_limit = (struct fan_limit){4, 2, 3};
	ck_assert_int_eq(run(), BOOKING_FAN_LIMIT);
	ck_assert_int_eq(out.fan_limit.already, 2);
	ck_assert_int_eq(fake.books, 1);
}
END_TEST

START_TEST(key_lookup_fails)
{
	fake.find_err[0] = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
	ck_assert_int_eq(fake.tier_loads, 0);
}
END_TEST

START_TEST(concert_not_found)
{
	fake.tiers_err = TD_ERR_NOT_FOUND;
	ck_assert_int_eq(run(), BOOKING_CONCERT_NOT_FOUND);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(tiers_unreadable)
{
	fake.tiers_err = TD_ERR_BUSY;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_BUSY);
}
END_TEST

/* The check's round trip failed: who asks is not known either. */
START_TEST(check_failed_is_the_session_read_failing)
{
	fake.check_err = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(auth.outcome, ACCOUNT_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

/* No session behind the token: nothing read but it, nothing booked. */
START_TEST(no_session_is_unauthenticated)
{
	fake.session_err = TD_ERR_NOT_FOUND;
	run();
	ck_assert_int_eq(auth.outcome, ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.checks, 1);
	ck_assert_int_eq(fake.finds, 0);
	ck_assert_int_eq(fake.tier_loads, 0);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

/* The account rules decide on the session the check read. */
START_TEST(idle_session_is_unauthenticated)
{
	fake.session.last_seen_s = fake.session.now_s - SESSION_IDLE_TTL_S;
	run();
	ck_assert_int_eq(auth.outcome, ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.touches, 0);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(old_session_is_unauthenticated)
{
	fake.session.created_s = fake.session.now_s - SESSION_ABSOLUTE_TTL_S;
	fake.session.last_seen_s = fake.session.now_s;
	run();
	ck_assert_int_eq(auth.outcome, ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

/* A token of the wrong shape never reaches the store. */
START_TEST(malformed_token_reads_nothing)
{
	struct booking_start start;

	ck_assert_int_eq(
	    booking_begin(&store, &accounts, "nope", 4, &req, &start, &auth),
	    ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.checks, 0);
	ck_assert_int_eq(fake.session_finds, 0);
}
END_TEST

/* Seen more than the touch interval ago: its idle expiry moves on. */
START_TEST(session_seen_long_ago_is_touched)
{
	fake.session.last_seen_s =
	    fake.session.now_s - SESSION_TOUCH_INTERVAL_S;
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
	ck_assert_int_eq(fake.touches, 1);
	ck_assert_int_eq(fake.session_finds, 0);
}
END_TEST

/* The fan is the session's: its quota is read, and the booking is its. */
START_TEST(fan_is_the_sessions)
{
	snprintf(fake.session.user.id, sizeof(fake.session.user.id), "bob");
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
	ck_assert_str_eq(auth.user.id, "bob");
	ck_assert_int_eq(fake.tier_loads, 1);
	ck_assert_str_eq(out.booking.user_id, "bob");
}
END_TEST

/* An expired session with a known key: no replay, nothing booked. */
START_TEST(idle_session_with_a_known_key_replays_nothing)
{
	known_key(BOOKING_STATUS_CONFIRMED);
	fake.session.last_seen_s = fake.session.now_s - SESSION_IDLE_TTL_S;
	ck_assert_int_eq(run(), BOOKING_OUTCOME_COUNT);
	ck_assert_int_eq(auth.outcome, ACCOUNT_UNAUTHENTICATED);
	ck_assert(!out.replayed);
	ck_assert_int_eq(fake.finds, 0);
	ck_assert_int_eq(fake.books, 0);
	ck_assert_int_eq(fake.touches, 0);
}
END_TEST

START_TEST(session_seen_lately_is_not_touched)
{
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
	ck_assert_int_eq(fake.touches, 0);
	ck_assert_int_eq(fake.checks, 1);
	ck_assert_int_eq(fake.session_finds, 0);
}
END_TEST

START_TEST(unknown_tier)
{
	snprintf(req.lines[1].tier_id, sizeof(req.lines[1].tier_id), "zz");
	ck_assert_int_eq(run(), BOOKING_UNKNOWN_TIER);
	ck_assert_int_eq(out.line_index, 1);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(wrong_total)
{
	req.total_cents = 24999;
	ck_assert_int_eq(run(), BOOKING_WRONG_TOTAL);
	ck_assert_int_eq(out.expected_cents, 25000);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(shortage_before_payment)
{
	fake.tiers.tiers[1].available = 1;
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert_str_eq(out.shortage.tier_id, "vip");
	ck_assert_str_eq(out.shortage.tier_name, "VIP");
	ck_assert_int_eq(out.shortage.requested, 2);
	ck_assert_int_eq(out.shortage.available, 1);
	ck_assert(!out.replayed);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(declined)
{
	snprintf(
	    req.payment_method, sizeof(req.payment_method), "test_decline");
	fake.txn.outcome = TXN_PAYMENT_FAILED;
	ck_assert_int_eq(run(), BOOKING_DECLINED);
	ck_assert_int_eq(fake.books, 1);
	ck_assert(!fake.paid); /* the key is recorded as declined */
	ck_assert_int_eq(strncmp(out.booking.id, "bk_", 3), 0);
	ck_assert(!out.replayed);
}
END_TEST

START_TEST(payment_timeout_books_nothing)
{
	const struct payment_settings slow = {2, 1, 0.0, true};

	ck_assert_int_eq(run_paying(&slow), BOOKING_PAYMENT_TIMEOUT);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

static void
fake_away(void *ctx)
{
	ck_assert_int_eq(fake.aways, fake.backs);
	fake.aways++;
}

static void
fake_back(void *ctx)
{
	fake.backs++;
	ck_assert_int_eq(fake.aways, fake.backs);
}

static const struct outside_port fake_outside = {NULL, fake_away, fake_back};

/* The worker's pool hears of the payment's wait, and of nothing else. */
START_TEST(the_payment_is_a_wait_outside)
{
	store.outside = &fake_outside;
	ck_assert_int_eq(run_paying(&one_ms), BOOKING_CONFIRMED);
	ck_assert_int_eq(fake.aways, 1);
	ck_assert_int_eq(fake.backs, 1);
	ck_assert_int_eq(fake.books, 1);
	ck_assert(!fake.away_at_book);
}
END_TEST

/* A payment that takes no time (the simulator at 0 ms) is no wait. */
START_TEST(an_instant_payment_is_no_wait)
{
	store.outside = &fake_outside;
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
	ck_assert_int_eq(fake.aways, 0);
	ck_assert_int_eq(fake.backs, 0);
}
END_TEST

START_TEST(a_timed_out_payment_is_back_too)
{
	const struct payment_settings slow = {2, 1, 0.0, true};

	store.outside = &fake_outside;
	ck_assert_int_eq(run_paying(&slow), BOOKING_PAYMENT_TIMEOUT);
	ck_assert_int_eq(fake.aways, 1);
	ck_assert_int_eq(fake.backs, 1);
}
END_TEST

START_TEST(no_payment_no_wait_outside)
{
	store.outside = &fake_outside;
	fake.tiers.tiers[1].available = 1;
	ck_assert_int_eq(run_paying(&one_ms), BOOKING_SHORTAGE);
	ck_assert_int_eq(fake.aways, 0);
	ck_assert_int_eq(fake.backs, 0);
}
END_TEST

START_TEST(a_replay_no_wait_outside)
{
	store.outside = &fake_outside;
	known_key(BOOKING_STATUS_CONFIRMED);
	ck_assert_int_eq(run_paying(&one_ms), BOOKING_REPLAYED);
	ck_assert_int_eq(fake.aways, 0);
}
END_TEST

/* book() answers that another fan emptied tier first. */
static void
lose_race(const char *tier, int requested, int available)
{
	fake.txn.outcome = TXN_REJECTED;
	snprintf(fake.txn.shortage.tier_id, sizeof(fake.txn.shortage.tier_id),
	    "%s", tier);
	fake.txn.shortage.requested = requested;
	fake.txn.shortage.available = available;
}

START_TEST(race_lost)
{
	lose_race("ga", 1, 0);
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert_str_eq(out.shortage.tier_name, "General");
	ck_assert_int_eq(out.shortage.requested, 1);
	ck_assert_int_eq(out.shortage.available, 0);
}
END_TEST

START_TEST(race_lost_on_a_tier_not_booked)
{
	fake.txn.outcome = TXN_REJECTED;
	snprintf(fake.txn.shortage.tier_id, sizeof(fake.txn.shortage.tier_id),
	    "other");
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_INTERNAL);
}
END_TEST

START_TEST(key_won_by_a_concurrent_request)
{
	fake.txn.outcome = TXN_DUPLICATE;
	fake.find_err[1] = 0;
	fake.rec.booking.status = BOOKING_STATUS_CONFIRMED;
	snprintf(fake.rec.booking.id, sizeof(fake.rec.booking.id), "bk_first");
	snprintf(
	    fake.rec.booking.user_id, sizeof(fake.rec.booking.user_id), "ann");
	snprintf(fake.rec.fingerprint, sizeof(fake.rec.fingerprint), "fp-1");
	ck_assert_int_eq(run(), BOOKING_REPLAYED);
	ck_assert_str_eq(out.booking.id, "bk_first");
	ck_assert_int_eq(fake.finds, 2);
}
END_TEST

START_TEST(key_won_by_a_concurrent_request_with_another_body)
{
	fake.txn.outcome = TXN_DUPLICATE;
	fake.find_err[1] = 0;
	snprintf(fake.rec.fingerprint, sizeof(fake.rec.fingerprint), "fp-2");
	ck_assert_int_eq(run(), BOOKING_KEY_REUSED);
}
END_TEST

START_TEST(duplicate_key_then_gone)
{
	fake.txn.outcome = TXN_DUPLICATE;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_INTERNAL);
}
END_TEST

START_TEST(transaction_fails)
{
	fake.book_err = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
	ck_assert_int_eq(fake.books, 1);
}
END_TEST

START_TEST(cancel_done_refunds_and_reads_back)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel.outcome = CANCEL_DONE;
	fake.cancel.refunded_cents = 25000;
	fake.rec.booking.status = BOOKING_STATUS_CANCELLED;
	ck_assert_int_eq(
	    booking_cancel(&store, "bk_1", "rid", &ann, NULL, &cr, &b), 0);
	ck_assert_int_eq(cr.outcome, CANCEL_DONE);
	ck_assert_int_eq(b.status, BOOKING_STATUS_CANCELLED);
	ck_assert_int_eq(fake.id_reads, 1);
}
END_TEST

START_TEST(cancel_not_found)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel.outcome = CANCEL_NOT_FOUND;
	ck_assert_int_eq(
	    booking_cancel(&store, "bk_1", "rid", &ann, NULL, &cr, &b), 0);
	ck_assert_int_eq(cr.outcome, CANCEL_NOT_FOUND);
	ck_assert_int_eq(fake.id_reads, 0);
}
END_TEST

START_TEST(cancel_not_cancellable)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel.outcome = CANCEL_NOT_CANCELLABLE;
	fake.cancel.status = BOOKING_STATUS_PAYMENT_FAILED;
	ck_assert_int_eq(
	    booking_cancel(&store, "bk_1", "rid", &ann, NULL, &cr, &b), 0);
	ck_assert_int_eq(cr.status, BOOKING_STATUS_PAYMENT_FAILED);
	ck_assert_int_eq(fake.id_reads, 0);
}
END_TEST

START_TEST(cancel_fails)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel_err = TD_ERR_BUSY;
	ck_assert_int_eq(
	    booking_cancel(&store, "bk_1", "rid", &ann, NULL, &cr, &b),
	    TD_ERR_BUSY);
}
END_TEST

START_TEST(cancel_passes_its_reason_to_the_audit_trail)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel.outcome = CANCEL_DONE;
	ck_assert_int_eq(booking_cancel(&store, "bk_1", "rid", &ann,
	                     "the fan called the box office", &cr, &b),
	    0);
	ck_assert_str_eq(fake.cancel_reason, "the fan called the box office");
}
END_TEST

START_TEST(cancel_closed_after_the_start)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel.outcome = CANCEL_CLOSED;
	ck_assert_int_eq(
	    booking_cancel(&store, "bk_1", "rid", &ann, NULL, &cr, &b), 0);
	ck_assert_int_eq(cr.outcome, CANCEL_CLOSED);
	ck_assert_int_eq(fake.id_reads, 0);
}
END_TEST

/* Sales not open yet: refused before any payment, saying when they open. */
START_TEST(before_the_sales_start)
{
	fake.tiers.sales.start_ms = NOW_MS + 1;
	ck_assert_int_eq(run(), BOOKING_SALES_NOT_STARTED);
	ck_assert_str_eq(out.sales.start, "2026-12-01T09:59:00-05:00");
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

/* The instant sales open, they are open. */
START_TEST(at_the_sales_start)
{
	fake.tiers.sales.start_ms = NOW_MS;
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
}
END_TEST

START_TEST(at_the_sales_end)
{
	fake.tiers.sales.end_ms = NOW_MS;
	ck_assert_int_eq(run(), BOOKING_SALES_CLOSED);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(after_the_concert_started)
{
	fake.tiers.sales.starts_ms = NOW_MS - 1;
	ck_assert_int_eq(run(), BOOKING_SALES_CLOSED);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(cancelled_concert_is_closed)
{
	fake.tiers.sales.status = CONCERT_CANCELLED;
	ck_assert_int_eq(run(), BOOKING_SALES_CLOSED);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(draft_concert_is_not_found)
{
	fake.tiers.sales.status = CONCERT_DRAFT;
	ck_assert_int_eq(run(), BOOKING_CONCERT_NOT_FOUND);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

/* The concert changed between the check and the commit: nothing taken. */
START_TEST(sales_closed_in_the_transaction)
{
	fake.txn.outcome = TXN_SALES_CLOSED;
	ck_assert_int_eq(run(), BOOKING_SALES_CLOSED);
	ck_assert_int_eq(fake.books, 1);
}
END_TEST

START_TEST(repriced_in_the_transaction)
{
	fake.txn.outcome = TXN_PRICE_CHANGED;
	ck_assert_int_eq(run(), BOOKING_PRICE_CHANGED);
}
END_TEST

START_TEST(replay_of_a_key_refused_for_the_window)
{
	known_key(BOOKING_STATUS_REJECTED);
	fake.find_err[1] = 0; /* every run finds the key */
	fake.rec.reason = REJECT_SALES_CLOSED;
	ck_assert_int_eq(run(), BOOKING_SALES_CLOSED);
	ck_assert(out.replayed);
	ck_assert_int_eq(fake.books, 0);
	fake.rec.reason = REJECT_SALES_NOT_STARTED;
	ck_assert_int_eq(run(), BOOKING_SALES_NOT_STARTED);
	fake.rec.reason = REJECT_PRICE_CHANGED;
	ck_assert_int_eq(run(), BOOKING_PRICE_CHANGED);
}
END_TEST

/* Every outcome's status and code: the HTTP layer's one table. */
static const struct {
	enum booking_outcome outcome;
	int status;
	const char *code;
} http_table[] = {
    {BOOKING_CONFIRMED, 201, NULL},
    {BOOKING_REPLAYED, 200, NULL},
    {BOOKING_KEY_REUSED, 422, "IDEMPOTENCY_KEY_REUSED"},
    {BOOKING_CONCERT_NOT_FOUND, 404, "CONCERT_NOT_FOUND"},
    {BOOKING_UNKNOWN_TIER, 400, "INVALID_REQUEST"},
    {BOOKING_WRONG_TOTAL, 400, "INVALID_REQUEST"},
    {BOOKING_SHORTAGE, 409, "INSUFFICIENT_INVENTORY"},
    {BOOKING_FAN_LIMIT, 409, "FAN_LIMIT_REACHED"},
    {BOOKING_SALES_NOT_STARTED, 409, "SALES_NOT_STARTED"},
    {BOOKING_SALES_CLOSED, 409, "SALES_CLOSED"},
    {BOOKING_PRICE_CHANGED, 409, "PRICE_CHANGED"},
    {BOOKING_DECLINED, 402, "PAYMENT_FAILED"},
    {BOOKING_PAYMENT_TIMEOUT, 504, "PAYMENT_TIMEOUT"},
};

static const char *
body_code(const struct response *res)
{
	json_object *err, *code;

	if (!json_object_object_get_ex(res->body, "error", &err) ||
	    !json_object_object_get_ex(err, "code", &code)) {
		return NULL;
	}
	return json_object_get_string(code);
}

/*
 * The sold-out table, faked: which tier it holds, and what it was asked.
 * Each stamp is the number of stamps taken so far, so a mark tells which
 * read it came from.
 */
struct fake_sold_out {
	const char *marked_tier; /* what find answers for, or NULL */
	int stamps, finds, marks, clears;
	struct soldout_stamp mark_stamp;
	char mark_concert[IDS_SLUG_MAX + 1];
	char mark_tier[IDS_SLUG_MAX + 1];
	char mark_name[TIER_NAME_MAX + 1];
};

static struct fake_sold_out so;

static int
so_marks(void)
{
	return so.marks;
}

static struct soldout_stamp
so_stamp(void *ctx)
{
	so.stamps++;
	return (struct soldout_stamp){(uint64_t)so.stamps, 1000 * so.stamps};
}

static int
so_find(void *ctx, const char *concert_id, const char *tier_id, char *name)
{
	so.finds++;
	ck_assert_str_eq(concert_id, "c1");
	if (so.marked_tier == NULL || strcmp(tier_id, so.marked_tier) != 0) {
		return TD_ERR_NOT_FOUND;
	}
	snprintf(name, TIER_NAME_MAX + 1, "VIP");
	return 0;
}

static void
so_mark(void *ctx, struct soldout_stamp st, const char *concert_id,
    const char *tier_id, const char *tier_name)
{
	so.marks++;
	so.mark_stamp = st;
	snprintf(so.mark_concert, sizeof(so.mark_concert), "%s", concert_id);
	snprintf(so.mark_tier, sizeof(so.mark_tier), "%s", tier_id);
	snprintf(so.mark_name, sizeof(so.mark_name), "%s", tier_name);
}

static void
so_clear(void *ctx)
{
	so.clears++;
}

static const struct soldout_port so_port = {
    NULL, so_stamp, so_find, so_mark, so_clear};

/* setup(), with the fake table in front of the store. */
static void
setup_sold_out(void)
{
	setup();
	memset(&so, 0, sizeof(so));
	store.sold_out = &so_port;
}

/* The booking was answered by the mark on VIP (2 asked), marking nothing. */
static void
assert_answered_by_the_vip_mark(void)
{
	ck_assert_int_eq(out.outcome, BOOKING_SHORTAGE);
	ck_assert(out.sold_out_mark);
	ck_assert(!out.replayed);
	ck_assert_str_eq(out.shortage.tier_id, "vip");
	ck_assert_str_eq(out.shortage.tier_name, "VIP");
	ck_assert_int_eq(out.shortage.requested, 2);
	ck_assert_int_eq(out.shortage.available, 0);
	ck_assert_int_eq(fake.books, 0);
	ck_assert_int_eq(so.marks, 0);
}

START_TEST(marked_tier_answers_without_reading)
{
	so.marked_tier = "vip";
	run();
	assert_answered_by_the_vip_mark();
	/* The key was looked up; no tiers read, no payment, no transaction. */
	ck_assert_int_eq(fake.finds, 1);
	ck_assert_int_eq(fake.tier_loads, 0);
	ck_assert_int_eq(fake.turns, 0);
	/* Only the session was read before: no check. */
	ck_assert_int_eq(fake.session_finds, 1);
	ck_assert_int_eq(fake.checks, 0);
}
END_TEST

/* A fan signed out is told so before "sold out". */
START_TEST(marked_tier_still_needs_a_session)
{
	so.marked_tier = "vip";
	fake.session_err = TD_ERR_NOT_FOUND;
	run();
	ck_assert_int_eq(auth.outcome, ACCOUNT_UNAUTHENTICATED);
	ck_assert_int_eq(fake.session_finds, 1);
	ck_assert_int_eq(fake.finds, 0);
	ck_assert_int_eq(fake.checks, 0);
}
END_TEST

/* Its answer is the one the database's shortage gets, to the byte. */
START_TEST(marked_answer_is_the_shortage_reply)
{
	const char *code;

	so.marked_tier = "ga";
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert_str_eq(out.shortage.tier_id, "ga");
	ck_assert_int_eq(out.shortage.requested, 1);
	ck_assert_int_eq(reply_booking_status(out.outcome, &code), 409);
	ck_assert_str_eq(code, "INSUFFICIENT_INVENTORY");
}
END_TEST

START_TEST(replay_of_a_confirmed_key_beats_the_mark)
{
	so.marked_tier = "vip";
	known_key(BOOKING_STATUS_CONFIRMED);
	ck_assert_int_eq(run(), BOOKING_REPLAYED);
	ck_assert(out.replayed);
	ck_assert(!out.sold_out_mark);
	ck_assert_str_eq(out.booking.id, "bk_old");
	/* The mark was seen, then the key's own lookup answered. */
	ck_assert_int_gt(so.finds, 0);
	ck_assert_int_eq(fake.finds, 1);
	ck_assert_int_eq(fake.tier_loads, 0);
}
END_TEST

/* A failed key lookup is an error, not a "sold out" the key may not deserve. */
START_TEST(marked_tier_with_the_key_lookup_failing_is_an_error)
{
	so.marked_tier = "vip";
	fake.find_err[0] = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
	ck_assert(!out.sold_out_mark);
	ck_assert_int_eq(fake.tier_loads, 0);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(unmarked_tiers_book_as_before)
{
	ck_assert_int_eq(run(), BOOKING_CONFIRMED);
	/* Each line's tier before the check, and again at the turn. */
	ck_assert_int_eq(so.finds, 4);
	ck_assert_int_eq(fake.tier_loads, 1);
	ck_assert_int_eq(fake.turns, 1);
	ck_assert_int_eq(fake.unwanted, 0);
	ck_assert_int_eq(fake.books, 1);
	ck_assert_int_eq(so.marks, 0);
	ck_assert(!out.sold_out_mark);
}
END_TEST

START_TEST(empty_tier_seen_before_payment_is_marked)
{
	fake.tiers.tiers[1].available = 0;
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert(!out.sold_out_mark);
	ck_assert_int_eq(so.marks, 1);
	/* With the stamp taken before the tiers were read. */
	ck_assert_int_eq(so.stamps, 1);
	ck_assert_uint_eq(so.mark_stamp.gen, 1);
	ck_assert_str_eq(so.mark_concert, "c1");
	ck_assert_str_eq(so.mark_tier, "vip");
	ck_assert_str_eq(so.mark_name, "VIP");
}
END_TEST

/* A shortage of 2 when 1 remains is not sold out. */
START_TEST(short_tier_with_tickets_left_is_not_marked)
{
	fake.tiers.tiers[1].available = 1;
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert_int_eq(out.shortage.available, 1);
	ck_assert_int_eq(so.marks, 0);
}
END_TEST

START_TEST(race_lost_on_an_emptied_tier_is_marked)
{
	lose_race("ga", 1, 0);
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert_int_eq(so.marks, 1);
	/* While the transaction's turn was still its own. */
	ck_assert_int_eq(fake.marked_in_turn, 1);
	/* The stamp taken before the transaction, not the one before the
	 * payment. */
	ck_assert_int_eq(so.stamps, 2);
	ck_assert_uint_eq(so.mark_stamp.gen, 2);
	ck_assert_str_eq(so.mark_tier, "ga");
	ck_assert_str_eq(so.mark_name, "General");
}
END_TEST

START_TEST(race_lost_with_tickets_left_is_not_marked)
{
	lose_race("ga", 3, 2);
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert_int_eq(so.marks, 0);
}
END_TEST

/* A recorded rejection is old news: it marks nothing. */
START_TEST(replayed_shortage_is_not_marked)
{
	known_key(BOOKING_STATUS_REJECTED);
	snprintf(fake.rec.shortage.tier_id, sizeof(fake.rec.shortage.tier_id),
	    "vip");
	fake.rec.shortage.available = 0;
	ck_assert_int_eq(run(), BOOKING_SHORTAGE);
	ck_assert(out.replayed);
	ck_assert_int_eq(so.marks, 0);
}
END_TEST

/* The VIP tier is marked sold out while the booking waits for its turn. */
static void
mark_vip(void)
{
	so.marked_tier = "vip";
}

START_TEST(tier_marked_while_waiting_its_turn_answers_sold_out)
{
	fake.at_turn = mark_vip;
	run();
	assert_answered_by_the_vip_mark();
	/* Paid, then not run: its key was looked up again. */
	ck_assert_int_eq(fake.turns, 1);
	ck_assert_int_eq(fake.unwanted, 1);
	ck_assert_int_eq(fake.finds, 2);
}
END_TEST

/* A twin request with the same key committed while this one waited: its
 * booking is the answer, not "sold out". */
START_TEST(key_won_by_a_twin_while_waiting_its_turn_replays)
{
	fake.at_turn = mark_vip;
	fake.find_err[1] = 0;
	fake.rec.booking.status = BOOKING_STATUS_CONFIRMED;
	snprintf(fake.rec.booking.id, sizeof(fake.rec.booking.id), "bk_twin");
	snprintf(
	    fake.rec.booking.user_id, sizeof(fake.rec.booking.user_id), "ann");
	snprintf(fake.rec.fingerprint, sizeof(fake.rec.fingerprint), "fp-1");
	ck_assert_int_eq(run(), BOOKING_REPLAYED);
	ck_assert(out.replayed);
	ck_assert(!out.sold_out_mark);
	ck_assert_str_eq(out.booking.id, "bk_twin");
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

START_TEST(key_lookup_failing_at_the_turn_is_an_error)
{
	fake.at_turn = mark_vip;
	fake.find_err[1] = TD_ERR_UNAVAILABLE;
	ck_assert_int_eq(run(), BOOKING_FAILED);
	ck_assert_int_eq(out.error, TD_ERR_UNAVAILABLE);
	ck_assert(!out.sold_out_mark);
	ck_assert_int_eq(fake.books, 0);
}
END_TEST

/* A declined payment is recorded against its key whatever the marks say. */
START_TEST(declined_payment_is_recorded_though_marked_at_its_turn)
{
	snprintf(
	    req.payment_method, sizeof(req.payment_method), "test_decline");
	fake.txn.outcome = TXN_PAYMENT_FAILED;
	fake.at_turn = mark_vip;
	ck_assert_int_eq(run(), BOOKING_DECLINED);
	ck_assert_int_eq(fake.books, 1);
	ck_assert_int_eq(fake.unwanted, 0);
}
END_TEST

/* Cancels as the fake store answers; returns how often marks were cleared. */
static int
clears_after_cancel(enum cancel_outcome outcome, int err)
{
	struct cancel_result cr;
	struct booking b;

	fake.cancel.outcome = outcome;
	fake.cancel_err = err;
	ck_assert_int_eq(
	    booking_cancel(&store, "bk_1", "rid", &ann, NULL, &cr, &b), err);
	return so.clears;
}

START_TEST(cancel_done_clears_the_marks)
{
	ck_assert_int_eq(clears_after_cancel(CANCEL_DONE, 0), 1);
}
END_TEST

START_TEST(cancel_refused_clears_nothing)
{
	ck_assert_int_eq(clears_after_cancel(CANCEL_NOT_CANCELLABLE, 0), 0);
}
END_TEST

/* A lost connection may hide a committed cancellation. */
START_TEST(cancel_failed_clears_the_marks)
{
	ck_assert_int_eq(
	    clears_after_cancel(CANCEL_DONE, TD_ERR_UNAVAILABLE), 1);
}
END_TEST

START_TEST(outcome_to_http)
{
	struct booking_result r;
	struct response res;
	const char *code;

	memset(&r, 0, sizeof(r));
	r.outcome = http_table[_i].outcome;
	ck_assert_int_eq(
	    reply_booking_status(r.outcome, &code), http_table[_i].status);
	response_init(&res);
	reply_booking_result(&res, &r);
	ck_assert_int_eq(res.status, http_table[_i].status);
	if (http_table[_i].code == NULL) {
		ck_assert_ptr_null(code);
		ck_assert_ptr_null(body_code(&res));
	} else {
		ck_assert_str_eq(code, http_table[_i].code);
		ck_assert_str_eq(body_code(&res), http_table[_i].code);
	}
	response_free(&res);
}
END_TEST

/* A failed flow is answered by its error, not by the table. */
START_TEST(failed_outcome_answers_its_error)
{
	struct booking_result r = {
	    .outcome = BOOKING_FAILED, .error = TD_ERR_UNAVAILABLE};
	struct response res;

	response_init(&res);
	reply_booking_result(&res, &r);
	ck_assert_int_eq(res.status, 503);
	ck_assert_str_eq(body_code(&res), "SERVICE_UNAVAILABLE");
	response_free(&res);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("booking_flow");
	TCase *tc = tcase_create("decisions");
	TCase *http = tcase_create("outcomes");
	TCase *marks;

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, confirmed);
	tcase_add_test(tc, replay_of_a_confirmed_key);
	tcase_add_test(tc, replay_of_a_cancelled_key);
	tcase_add_test(tc, replay_of_a_declined_key);
	tcase_add_test(tc, replay_of_a_rejected_key);
	tcase_add_test(tc, key_reused_with_another_body);
	tcase_add_test(tc, key_of_another_fan_reveals_nothing);
	tcase_add_test(tc, replay_of_a_key_over_the_fan_limit);
	tcase_add_test(tc, fan_limit_before_payment);
	tcase_add_test(tc, fan_limit_reached_exactly_is_allowed);
	tcase_add_test(tc, fan_limit_lost_to_a_concurrent_booking);
	tcase_add_test(tc, key_lookup_fails);
	tcase_add_test(tc, concert_not_found);
	tcase_add_test(tc, tiers_unreadable);
	tcase_add_test(tc, check_failed_is_the_session_read_failing);
	tcase_add_test(tc, no_session_is_unauthenticated);
	tcase_add_test(tc, idle_session_is_unauthenticated);
	tcase_add_test(tc, old_session_is_unauthenticated);
	tcase_add_test(tc, malformed_token_reads_nothing);
	tcase_add_test(tc, session_seen_long_ago_is_touched);
	tcase_add_test(tc, session_seen_lately_is_not_touched);
	tcase_add_test(tc, fan_is_the_sessions);
	tcase_add_test(tc, idle_session_with_a_known_key_replays_nothing);
	tcase_add_test(tc, unknown_tier);
	tcase_add_test(tc, wrong_total);
	tcase_add_test(tc, shortage_before_payment);
	tcase_add_test(tc, declined);
	tcase_add_test(tc, payment_timeout_books_nothing);
	tcase_add_test(tc, the_payment_is_a_wait_outside);
	tcase_add_test(tc, an_instant_payment_is_no_wait);
	tcase_add_test(tc, a_timed_out_payment_is_back_too);
	tcase_add_test(tc, no_payment_no_wait_outside);
	tcase_add_test(tc, a_replay_no_wait_outside);
	tcase_add_test(tc, race_lost);
	tcase_add_test(tc, race_lost_on_a_tier_not_booked);
	tcase_add_test(tc, key_won_by_a_concurrent_request);
	tcase_add_test(tc, key_won_by_a_concurrent_request_with_another_body);
	tcase_add_test(tc, duplicate_key_then_gone);
	tcase_add_test(tc, transaction_fails);
	tcase_add_test(tc, cancel_done_refunds_and_reads_back);
	tcase_add_test(tc, cancel_not_found);
	tcase_add_test(tc, cancel_not_cancellable);
	tcase_add_test(tc, cancel_fails);
	tcase_add_test(tc, cancel_passes_its_reason_to_the_audit_trail);
	tcase_add_test(tc, cancel_closed_after_the_start);
	tcase_add_test(tc, before_the_sales_start);
	tcase_add_test(tc, at_the_sales_start);
	tcase_add_test(tc, at_the_sales_end);
	tcase_add_test(tc, after_the_concert_started);
	tcase_add_test(tc, cancelled_concert_is_closed);
	tcase_add_test(tc, draft_concert_is_not_found);
	tcase_add_test(tc, sales_closed_in_the_transaction);
	tcase_add_test(tc, repriced_in_the_transaction);
	tcase_add_test(tc, replay_of_a_key_refused_for_the_window);
	suite_add_tcase(s, tc);

	marks = tcase_create("sold_out");
	tcase_add_checked_fixture(marks, setup_sold_out, NULL);
	tcase_add_test(
	    marks, tier_marked_while_waiting_its_turn_answers_sold_out);
	tcase_add_test(marks, key_won_by_a_twin_while_waiting_its_turn_replays);
	tcase_add_test(marks, key_lookup_failing_at_the_turn_is_an_error);
	tcase_add_test(
	    marks, declined_payment_is_recorded_though_marked_at_its_turn);
	tcase_add_test(marks, marked_tier_answers_without_reading);
	tcase_add_test(marks, marked_tier_still_needs_a_session);
	tcase_add_test(marks, marked_answer_is_the_shortage_reply);
	tcase_add_test(marks, replay_of_a_confirmed_key_beats_the_mark);
	tcase_add_test(
	    marks, marked_tier_with_the_key_lookup_failing_is_an_error);
	tcase_add_test(marks, unmarked_tiers_book_as_before);
	tcase_add_test(marks, empty_tier_seen_before_payment_is_marked);
	tcase_add_test(marks, short_tier_with_tickets_left_is_not_marked);
	tcase_add_test(marks, race_lost_on_an_emptied_tier_is_marked);
	tcase_add_test(marks, race_lost_with_tickets_left_is_not_marked);
	tcase_add_test(marks, replayed_shortage_is_not_marked);
	tcase_add_test(marks, cancel_done_clears_the_marks);
	tcase_add_test(marks, cancel_refused_clears_nothing);
	tcase_add_test(marks, cancel_failed_clears_the_marks);
	suite_add_tcase(s, marks);

	tcase_add_loop_test(http, outcome_to_http, 0,
	    sizeof(http_table) / sizeof(http_table[0]));
	tcase_add_test(http, failed_outcome_answers_its_error);
	suite_add_tcase(s, http);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
