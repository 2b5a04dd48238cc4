/*
 * metrics.h - counters shared by the master and every prefork worker,
 * rendered as Prometheus text at GET /metrics.
 *
 * One anonymous shared mapping, made by the master before it forks;
 * workers add with atomic increments.  Before metrics_init() (the unit
 * tests) every call is a no-op.
 */
#ifndef TICKETD_METRICS_H
#define TICKETD_METRICS_H

#include <stdbool.h>

#include "base/accept_gate.h"

/* Booking requests counted by outcome (the label values of the metric). */
enum metrics_outcome {
	METRIC_CONFIRMED,
	METRIC_INSUFFICIENT,
	METRIC_DECLINED,
	METRIC_DUPLICATE,
	METRIC_KEY_REUSED,
	METRIC_PAYMENT_TIMEOUT,
	METRIC_CANCELLED,
	METRIC_FAN_LIMIT,
	METRIC_SALES_CLOSED, /* outside the sales window */
	METRIC_PRICE_CHANGED,
	METRIC_OUTCOME_COUNT
};

#define METRICS_MAX_WORKERS 1024 /* per pool */
#define METRICS_MAX_ROUTES 32
#define METRICS_POOLS 2 /* read, book */

/* What the counters are called: the caller's routes and pool sizes. */
struct metrics_labels {
	const char *const *routes; /* index = the route number counted */
	int nroutes;               /* route number nroutes is "unmatched" */
	int pool_sizes[METRICS_POOLS];
	/* Each pool's accept gate (base/accept_gate.h), or NULL. */
	const struct accept_gate *gates[METRICS_POOLS];
};

/* Maps the shared counters.  Returns 0 or -1. */
int metrics_init(void);

/* A request of route (the route count when none matched) answered status. */
void metrics_request(int route, int status, long long usec);

void metrics_booking(enum metrics_outcome outcome);

/* The sold-out table's use (base/soldout.h). */
enum metrics_sold_out {
	METRIC_SOLD_OUT_ANSWER, /* a 409 answered from a mark, no read */
	METRIC_SOLD_OUT_MARK,   /* a tier marked sold out */
	METRIC_SOLD_OUT_CLEAR,  /* every mark forgotten */
	METRIC_SOLD_OUT_COUNT
};

void metrics_sold_out(enum metrics_sold_out event);

/* A paid one-tier booking the one statement left to book(). */
void metrics_booking_fallback(void);

/* A statement of the booking writer: the bookings it wrote, and those it
 * handed back to go on their own. */
void metrics_batch(int written, int returned);

/* A booking worker's slot in its pool, set once at its start: where its
 * marks go (metrics_writer_waiting). */
void metrics_set_book_slot(int slot);

/* This booking worker starts or stops waiting for the booking writer. */
void metrics_writer_waiting(bool waiting);

/* A worker stopped waiting for the booking writer without an answer. */
void metrics_writer_no_answer(void);

/* A failed statement; sqlstate "" is a lost connection. */
void metrics_db_error(const char *sqlstate);

void metrics_worker_restart(int pool);

/* Whether the worker in slot of pool is serving a request right now. */
void metrics_set_busy(int pool, int slot, int busy);

/* The Prometheus text exposition.  Returns a malloc'd string. */
char *metrics_render(const struct metrics_labels *labels);

#endif
