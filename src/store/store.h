/*
 * store.h - a worker's way to the database: the primary, an optional
 * replica for listings, and the cap on booking transactions in flight.
 */
#ifndef TICKETD_STORE_H
#define TICKETD_STORE_H

#include "store/db.h"

struct writer_link;

/* How often a transaction is run again after 40001 or 40P01. */
#define STORE_TXN_ATTEMPTS 3

struct store {
	struct db *primary; /* bookings and everything they read */
	struct db *replica; /* listings and availability, or NULL */
	int txn_semid;      /* transactions in flight; -1 for no cap */
	int slot_wait_ms;   /* how long a transaction waits for a slot */
	/* How far from now the listing's summary may have been refreshed to
	 * be read (015_concert_totals.sql); 0: never read. */
	int totals_window_ms;
	/* The booking writer (daemon/writer.h) for paid one-tier bookings,
	 * or NULL: each is written by its own statement. */
	struct writer_link *writer;
};

/*
 * Runs a read-only statement on the replica, or on the primary when
 * there is no replica or it is unavailable (a fan may see data as old as
 * the replication lag; a booking always checks the primary).
 */
int store_exec_read(
    const struct store *s, int q, const char *const *params, PGresult **r);

/*
 * Runs one transaction statement on the primary under a transaction
 * slot, again after 40001/40P01 (STORE_TXN_ATTEMPTS in all).  Returns 0
 * or a td_error; TD_ERR_BUSY when no slot came free in time.
 */
int store_exec_txn(
    const struct store *s, int q, const char *const *params, PGresult **r);

/*
 * store_exec_txn() in steps, for a caller that may run a second statement
 * when the first declines (TD_ERR_FALLBACK) and must not queue for a slot
 * twice: take a slot (TD_ERR_BUSY when none came free in time), run each
 * statement as store_exec_txn() does, give the slot back.
 */
int store_txn_slot_take(const struct store *s);
int store_exec_in_slot(
    const struct store *s, int q, const char *const *params, PGresult **r);
void store_txn_slot_give(const struct store *s);

/* Whether the primary answers a query.  Returns 0 or a td_error. */
int store_ping(const struct store *s);

#endif
