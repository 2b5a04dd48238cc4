/*
 * warm_up.h - a new connection's first statements, run before the worker
 * counts as started (base/readiness.h).
 *
 * A backend is cold when it connects: its first run of a statement parses
 * it and loads every catalog entry the statement names (tables, columns,
 * indexes, operators, functions, statistics) before it plans.  After a
 * restart, with 96 booking workers and the 100 ms payment, the first
 * second of a rush answered in up to 0.8 s doing that on fans' requests.
 * So a worker runs its pool's hot statements once, with values that match
 * nothing, before the node is put in rotation: on connections already
 * open (none is made here), within about a second, stopping at the first
 * failure.  A failure only leaves the worker cold (db.c logs and counts it
 * as it would any statement's): it serves as it would have.
 */
#ifndef TICKETD_WARM_UP_H
#define TICKETD_WARM_UP_H

#include "store/store.h"

/* The reads every fan's page makes: the listing, a concert, availability. */
void warm_up_reads(const struct store *s);

/* A booking's check before the payment, and the session's touch. */
void warm_up_bookings(const struct store *s);

#endif
