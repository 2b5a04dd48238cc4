/*
 * worker.h - one prefork worker: accept, serve, repeat.
 */
#ifndef TICKETD_WORKER_H
#define TICKETD_WORKER_H

#include <stdint.h>
#include <sys/types.h>

#include "base/accept_gate.h"
#include "http/context.h"
#include "daemon/settings.h"

/*
 * Serves requests from listen_fd until SIGTERM, then finishes the request
 * in hand and exits 0.  Never returns.  Holds one database connection,
 * opened here, after the fork.
 */
/* What the master makes once and every worker shares. */
struct worker_shared {
	int txn_semid;  /* booking transactions in flight (store/txn_slots.h) */
	int hash_semid; /* password hashes in flight */
	/* The tickets' signing keys (daemon/ticket_key.h), or NULL. */
	const struct ticket_keys *ticket_keys;
	/* Tiers seen sold out a moment ago (base/soldout.h), or NULL. */
	struct soldout *sold_out;
	/* When the listing's totals are due a refresh (base/periodic.h), or
	 * NULL. */
	struct periodic *listing_totals;
	/* The master whose booking writer the booking workers hand their
	 * paid one-tier bookings to (daemon/writer.h), or 0 for none. */
	pid_t writer_master;
	uint64_t writer_nonce; /* the rest of its socket's name */
	/* Which idle worker of a pool accepts next (base/accept_gate.h),
	 * or NULL: the kernel's choice. */
	struct accept_gate *gate[POOL_COUNT];
	/* Which workers have started (base/readiness.h): /health answers
	 * "starting" until all have. */
	struct readiness *readiness;
};

void worker_run(const struct settings *cfg, enum pool_kind pool, int slot,
    int listen_fd, const struct worker_shared *shared)
    __attribute__((noreturn));

#endif
