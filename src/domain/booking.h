/*
 * booking.h - the booking flow: its request, its outcomes, and the store
 * it runs against.  Plain C: no HTTP, JSON or SQL here.
 *
 * The path (DESIGN.md): the request is already validated; its session is
 * read with its check, in one round trip (booking_begin); a key that is
 * already known replays its recorded answer; a tier this daemon saw sold
 * out a moment ago is a shortage with no further read but the session's
 * and the key's; the lines are checked against the concert's tiers read
 * just now (a visibly short tier is a shortage before any payment or
 * write); the payment is authorized with no lock held; then one short
 * transaction claims the key, takes the tickets with guarded decrements
 * and records the outcome (booking_complete).
 */
#ifndef TICKETD_BOOKING_H
#define TICKETD_BOOKING_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/account.h"
#include "domain/concert.h"
#include "domain/ids.h"
#include "domain/outside_port.h"
#include "domain/payment.h"
#include "domain/soldout_port.h"

#define BOOKING_MAX_LINES 10      /* distinct tiers in one booking */
#define BOOKING_MAX_QUANTITY 10   /* tickets per tier line */
#define BOOKING_USER_MAX_CHARS 64 /* userId, in characters */
#define BOOKING_USER_MAX (BOOKING_USER_MAX_CHARS * 4) /* in UTF-8 bytes */
#define BOOKING_FINGERPRINT_MAX 2048
#define BOOKING_METHOD_MAX 15 /* "card", "test_decline" */

/* How often a booking transaction is run again after 40001 or 40P01. */
#define BOOKING_MAX_ATTEMPTS 3

struct booking_line {
	char tier_id[IDS_SLUG_MAX + 1];
	int quantity;
	int index; /* its position in the request, for error fields */
};

struct booking_request {
	char concert_id[IDS_SLUG_MAX + 1];
	char user_id[BOOKING_USER_MAX + 1];
	char idempotency_key[IDS_UUID_LEN + 1]; /* lowercased */
	char payment_method[BOOKING_METHOD_MAX + 1];
	int64_t total_cents;
	int nlines;
	struct booking_line lines[BOOKING_MAX_LINES]; /* sorted by tier_id */
	/*
	 * The request's canonical text (sorted tiers, cents, user, method),
	 * made by whoever parsed it: the same key with another fingerprint
	 * is a reused key.
	 */
	char fingerprint[BOOKING_FINGERPRINT_MAX];
	const char *request_id; /* for the audit trail; not owned */
};

enum booking_status {
	BOOKING_STATUS_CONFIRMED,
	BOOKING_STATUS_CANCELLED,
	BOOKING_STATUS_PAYMENT_FAILED,
	BOOKING_STATUS_REJECTED /* the key of a booking that lost the race */
};

struct booking_item {
	char tier_id[IDS_SLUG_MAX + 1];
	char tier_name[TIER_NAME_MAX + 1];
	int quantity;
	int64_t price_cents;
};

struct booking {
	char id[IDS_BOOKING_ID_LEN + 1];
	char concert_id[IDS_SLUG_MAX + 1];
	char user_id[BOOKING_USER_MAX + 1];
	enum booking_status status;
	int64_t total_cents;
	int nitems;
	struct booking_item items[BOOKING_MAX_LINES];
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
};

/* Why a booking could not have its tickets: one tier was short. */
struct shortage {
	char tier_id[IDS_SLUG_MAX + 1];
	char tier_name[TIER_NAME_MAX + 1];
	int requested;
	int available;
};

/* Why a booking would pass the concert's limit per fan. */
struct fan_limit {
	int limit;
	int already; /* tickets the fan holds for the concert */
	int requested;
};

/* Why a key was recorded as rejected. */
enum reject_reason {
	REJECT_INVENTORY,
	REJECT_FAN_LIMIT,
	REJECT_SALES_CLOSED,      /* when the booking committed */
	REJECT_SALES_NOT_STARTED, /* the sales start was moved later */
	REJECT_PRICE_CHANGED      /* a tier was repriced since the check */
};

/* What the store has recorded for an idempotency key. */
struct key_record {
	struct booking booking;    /* its status tells which answer to replay */
	enum reject_reason reason; /* when the status is rejected: */
	struct shortage shortage;  /* REJECT_INVENTORY */
	struct fan_limit fan_limit; /* REJECT_FAN_LIMIT */
	char fingerprint[BOOKING_FINGERPRINT_MAX];
};

/* Who asks to see or change a booking: its owner, or an admin. */
struct viewer {
	const char *user_id;
	bool is_admin;
};

struct txn_result;

/* The one booking transaction, after the payment. */
struct booking_txn {
	const struct booking_request *req;
	const struct tier *tiers[BOOKING_MAX_LINES]; /* of each line */
	const char *booking_id;
	bool paid; /* false records the key as payment_failed */
	const char *payment_ref;
	/*
	 * Called by book() while the transaction's turn is its own (in a rush,
	 * waiting for a turn is most of a booking's time), each NULL for none,
	 * both with turn_ctx: wanted() just before the transaction (false
	 * leaves it unrun, and book() returns TD_ERR_NOT_WANTED); settled()
	 * once it has run, with its result, before the next turn can start:
	 * what it learnt (a tier with none left) is then there for the next.
	 */
	bool (*wanted)(void *ctx);
	void (*settled)(void *ctx, const struct txn_result *tr);
	void *turn_ctx;
};

enum txn_outcome {
	TXN_CONFIRMED,
	TXN_PAYMENT_FAILED,
	TXN_REJECTED,  /* another fan won the race: nothing taken */
	TXN_FAN_LIMIT, /* the fan would pass the limit: nothing taken */
	/* The concert changed since the check (an admin's edit, or the
	 * clock): nothing taken. */
	TXN_SALES_CLOSED,
	TXN_SALES_NOT_STARTED,
	TXN_PRICE_CHANGED,
	TXN_DUPLICATE /* the key was claimed first by another request */
};

struct txn_result {
	enum txn_outcome outcome;
	char created_at[TIMESTAMP_LEN + 1];
	struct shortage shortage;   /* TXN_REJECTED: tier id and the numbers */
	struct fan_limit fan_limit; /* TXN_FAN_LIMIT */
};

enum cancel_outcome {
	CANCEL_DONE,
	CANCEL_NOT_FOUND,
	CANCEL_NOT_CANCELLABLE,
	CANCEL_CLOSED,  /* a fan's own, once the doors open */
	CANCEL_ADMITTED /* a ticket was admitted at the door: never */
};

struct cancel_result {
	enum cancel_outcome outcome;
	enum booking_status status; /* NOT_CANCELLABLE: the status it has */
	int64_t refunded_cents;     /* DONE */
};

/*
 * The store the flow runs against (store/booking_store.c, or a fake in
 * the unit tests).  Every function returns 0 or a negative td_error;
 * TD_ERR_NOT_FOUND where nothing matched.
 */
struct booking_store {
	void *ctx;
	int (*find_by_key)(void *ctx, const char *key, struct key_record *out);
	/*
	 * A new request's check before its payment, with the session it
	 * comes with, in one round trip (a known key's record may take a
	 * second).  *signed_in: a session (revoked ones
	 * are none) is stored under token_hash, and *session is what the
	 * account rules need of it; without one nothing else is read.  Else
	 * the record of req's key if it is known (*known; tiers untouched;
	 * another fan's too: its replay is refused), or the concert's tiers
	 * read without locks, with its limit per fan and what the session's
	 * fan holds already (0 tiers is not an error; TD_ERR_NOT_FOUND: no
	 * such concert).  A tier's available may stop at BOOKING_MAX_QUANTITY:
	 * below that it is exact.  req's fan is not known yet: its user_id
	 * is not read.
	 */
	int (*check)(void *ctx, const char *token_hash,
	    const struct booking_request *req, bool *signed_in,
	    struct session_record *session, bool *known, struct key_record *rec,
	    struct tier_list *tiers);
	/* Runs the booking transaction (its retries are the store's), once
	 * txn->wanted, if any, says it is still wanted; calls txn->settled, if
	 * any, when it ran, before its turn passes on. */
	int (*book)(
	    void *ctx, const struct booking_txn *txn, struct txn_result *out);
	/* Only the viewer's own bookings (any, for an admin). */
	int (*find_by_id)(void *ctx, const char *id, const struct viewer *v,
	    struct booking *out);
	/* reason: for the audit trail, NULL for none. */
	int (*cancel)(void *ctx, const char *id, const char *request_id,
	    const struct viewer *v, const char *reason,
	    struct cancel_result *out);
	/* The tiers seen sold out a moment ago, or NULL: ask every time. */
	const struct soldout_port *sold_out;
	/* Told around the payment, or NULL. */
	const struct outside_port *outside;
};

enum booking_outcome {
	BOOKING_CONFIRMED,
	BOOKING_REPLAYED, /* the key's confirmed (or since cancelled) booking */
	BOOKING_KEY_REUSED,
	BOOKING_CONCERT_NOT_FOUND,
	BOOKING_UNKNOWN_TIER,      /* line_index names the line */
	BOOKING_WRONG_TOTAL,       /* expected_cents is the server's sum */
	BOOKING_SHORTAGE,          /* shortage says which tier */
	BOOKING_FAN_LIMIT,         /* fan_limit says how far */
	BOOKING_SALES_NOT_STARTED, /* sales says when it starts */
	BOOKING_SALES_CLOSED,      /* sales says when it ended (if known) */
	BOOKING_PRICE_CHANGED,   /* repriced between the check and the commit */
	BOOKING_DECLINED,        /* booking.id is the recorded key's booking */
	BOOKING_PAYMENT_TIMEOUT, /* nothing booked, nothing charged */
	BOOKING_FAILED,          /* error says why (a td_error) */
	BOOKING_OUTCOME_COUNT
};

struct booking_result {
	enum booking_outcome outcome;
	bool replayed;      /* the answer is a recorded one (any outcome) */
	bool sold_out_mark; /* the shortage came from the sold-out table */
	int error;
	int line_index;
	int64_t expected_cents;
	struct booking booking;
	struct shortage shortage;
	struct fan_limit fan_limit;
	struct sales_window sales; /* SALES_*: zeroed on a replay */
};

/* What booking_begin found, for booking_complete. */
struct booking_start {
	bool marked; /* a tier was seen sold out a moment ago: */
	struct shortage
	    shortage;  /* that is the answer, unless the key is known */
	int check_err; /* TD_ERR_NOT_FOUND: no such concert */
	bool known;    /* the key is known: rec is its record */
	struct key_record rec;
	struct tier_list tiers;
	struct soldout_stamp st; /* taken before the check */
};

/*
 * The first half of a booking: who asks, by the session token (the
 * cookie's value, len bytes) and the account rules, and the request's
 * check before its payment, in one round trip.  req's fan is not known
 * yet (user_id and fingerprint are not read).  When a tier of req was
 * seen sold out a moment ago only the session is read.  Returns the
 * session's outcome (auth->user is the fan on ACCOUNT_OK; ACCOUNT_FAILED:
 * auth->error); what the check found waits in *start.
 */
enum account_outcome booking_begin(const struct booking_store *store,
    const struct account_store *accounts, const char *token, size_t len,
    const struct booking_request *req, struct booking_start *start,
    struct account_result *auth);

/*
 * The rest of the booking path, for req now the fan's of booking_begin
 * (user_id and fingerprint filled).  Always fills out; returns
 * out->outcome.
 */
enum booking_outcome booking_complete(const struct booking_store *store,
    const struct payment_settings *pay, const struct booking_request *req,
    const struct booking_start *start, struct booking_result *out);

/*
 * The booking with that id, if the viewer may see it.  Returns 0,
 * TD_ERR_NOT_FOUND (none, or another fan's: never say which) or an error.
 */
int booking_find(const struct booking_store *store, const char *id,
    const struct viewer *v, struct booking *out);

/*
 * Cancels a confirmed booking: its tickets return to sale (the sold-out
 * marks are cleared) and the payment is refunded.  A fan may cancel until the
 * concert starts, an admin at any time; reason (NULL for none) goes to the
 * audit trail.  On CANCEL_DONE, *booking is the booking as it is now.  Returns
 * 0 or a td_error (the store's).
 */
int booking_cancel(const struct booking_store *store, const char *id,
    const char *request_id, const struct viewer *v, const char *reason,
    struct cancel_result *out, struct booking *booking);

/* "confirmed", "cancelled", "payment_failed", "rejected". */
const char *booking_status_name(enum booking_status status);

/* The status named s; returns 0, or TD_ERR_INVALID for an unknown name. */
int booking_status_parse(const char *s, enum booking_status *status);

#endif
