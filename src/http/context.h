/*
 * context.h - what a handler works with: the worker's store, the booking
 * flow bound to it, and the few settings the API reads.  A low header:
 * the handlers include it, the router includes the handlers.
 */
#ifndef TICKETD_CONTEXT_H
#define TICKETD_CONTEXT_H

#include "base/accept_gate.h"
#include "base/readiness.h"
#include "domain/account.h"
#include "domain/account_mail.h"
#include "domain/booking.h"
#include "domain/concert_admin.h"
#include "domain/payment.h"
#include "domain/ticket.h"
#include "http/csrf.h"
#include "http/request.h"
#include "http/response.h"
#include "store/store.h"

enum pool_kind { POOL_READ, POOL_BOOK, POOL_COUNT };

/* A pool's name in logs, /health and /metrics. */
static inline const char *
pool_name(enum pool_kind pool)
{
	return pool == POOL_READ ? "read" : "book";
}

struct api_context {
	struct store store;
	struct booking_store bookings; /* the flow's store, bound to store */
	struct account_store accounts; /* the same for accounts */
	struct account_mail_store account_mail; /* and their emails */
	bool has_link_key; /* the links' key (from the tickets' seed): */
	unsigned char link_key[LINK_KEY_BYTES];
	struct concert_admin_store concerts; /* and for the box office */
	struct checkin_store checkins;       /* and for the door */
	struct soldout_port sold_out; /* what bookings and concerts point to */
	int hash_semid;               /* password hashes in flight */
	bool has_site;                /* TICKETD_PUBLIC_ORIGIN is set: */
	struct csrf_site site;        /* the site as browsers see it */
	const struct payment_settings *payment;
	enum pool_kind pool;
	int pool_sizes[POOL_COUNT]; /* for the workers gauge of /metrics */
	/* Each pool's accept gate, or NULL: for /metrics. */
	const struct accept_gate *gates[POOL_COUNT];
	/* Which workers have started, or NULL (the unit tests): /health. */
	struct readiness *readiness;
	const char *gateway_log_dir; /* nginx's own 502s and 504s, or "" */
	/* The tickets' signing keys, or NULL: no TICKETD_TICKET_KEY_FILE. */
	const struct ticket_keys *ticket_keys;
};

/*
 * A handler answers through res.  id is the route's ":id" segment,
 * already checked to be a slug (or "" for routes without one).
 */
typedef void handler_fn(struct api_context *ctx, const struct request *req,
    const char *id, struct response *res);

#endif
