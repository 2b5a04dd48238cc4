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

#include "http/router.h"

enum booking_outcome {
	OUTCOME_CONFIRMED,
	OUTCOME_INSUFFICIENT,
	OUTCOME_DECLINED,
	OUTCOME_DUPLICATE,
	OUTCOME_KEY_REUSED,
	OUTCOME_PAYMENT_TIMEOUT,
	OUTCOME_CANCELLED,
	OUTCOME_COUNT
};

#define METRICS_MAX_WORKERS 1024 /* per pool */

/* Maps the shared counters.  Returns 0 or -1. */
int metrics_init(void);

/* A request of route (ROUTE_COUNT when no route matched) answered status. */
void metrics_request(int route, int status, long long usec);

void metrics_booking(enum booking_outcome outcome);

/* A failed statement; sqlstate "" is a lost connection. */
void metrics_db_error(const char *sqlstate);

void metrics_worker_restart(int pool);

/* Whether the worker in slot of pool is serving a request right now. */
void metrics_set_busy(int pool, int slot, int busy);

/* The Prometheus text exposition.  Returns a malloc'd string. */
char *metrics_render(int read_workers, int book_workers);

#endif
