/*
 * metrics.c - counters shared across the prefork workers.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "base/metrics.h"

static const int statuses[] = {200, 201, 204, 400, 401, 402, 403, 404, 405, 409,
    413, 415, 422, 429, 500, 503, 504};
#define NSTATUS (sizeof(statuses) / sizeof(statuses[0]) + 1) /* + other */

/* Histogram bounds in microseconds. */
static const long long bounds_us[] = {1000, 2500, 5000, 10000, 25000, 50000,
    100000, 250000, 500000, 1000000, 2500000, 5000000};
#define NBOUNDS (sizeof(bounds_us) / sizeof(bounds_us[0]))

/* The label of each pool, in the order of its counters. */
static const char *const pool_names[METRICS_POOLS] = {"read", "book"};

static const char *const outcome_names[METRIC_OUTCOME_COUNT] = {"confirmed",
    "insufficient", "declined", "duplicate", "key_reused", "payment_timeout",
    "cancelled", "fan_limit", "sales_closed", "price_changed"};

/* SQLSTATE classes worth telling apart; "" is a lost connection. */
static const char *const db_classes[] = {
    "connection", "08", "22", "23", "40", "55", "57", "other"};
#define NCLASSES (sizeof(db_classes) / sizeof(db_classes[0]))

#define NROUTES (METRICS_MAX_ROUTES + 1) /* + unmatched */

struct shared {
	uint64_t requests[NROUTES][NSTATUS];
	uint64_t buckets[NROUTES][NBOUNDS + 1]; /* + Inf */
	uint64_t sum_us[NROUTES];
	uint64_t bookings[METRIC_OUTCOME_COUNT];
	uint64_t db_errors[NCLASSES];
	uint64_t sold_out[METRIC_SOLD_OUT_COUNT];
	uint64_t booking_fallbacks;
	uint64_t batches;       /* statements the booking writer ran */
	uint64_t batched;       /* bookings they wrote */
	uint64_t batch_returns; /* bookings handed back to go on their own */
	uint64_t writer_no_answers; /* workers that stopped waiting for the
	                             * writer unanswered */
	uint64_t restarts[2];
	uint8_t busy[2][METRICS_MAX_WORKERS];
	/* Per booking worker's slot, like busy: the master clears a dead
	 * worker's mark, which a shared count could not tell apart. */
	uint8_t writer_waiting[METRICS_MAX_WORKERS];
};

static struct shared *shm;
static int self_slot = -1; /* this process's slot in the booking pool */

#define ADD(field) __atomic_add_fetch(&(field), 1, __ATOMIC_RELAXED)
#define LOAD(field) __atomic_load_n(&(field), __ATOMIC_RELAXED)

int
metrics_init(void)
{
	void *p = mmap(NULL, sizeof(*shm), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		return -1;
	}
	shm = p;
	return 0;
}

static size_t
status_index(int status)
{
	for (size_t i = 0; i < NSTATUS - 1; i++) {
		if (statuses[i] == status) {
			return i;
		}
	}
	return NSTATUS - 1;
}

void
metrics_request(int route, int status, long long usec)
{
	size_t b = 0;

	if (shm == NULL || route < 0 || route > METRICS_MAX_ROUTES) {
		return;
	}
	while (b < NBOUNDS && usec > bounds_us[b]) {
		b++;
	}
	ADD(shm->requests[route][status_index(status)]);
	ADD(shm->buckets[route][b]);
	__atomic_add_fetch(
	    &shm->sum_us[route], (uint64_t)usec, __ATOMIC_RELAXED);
}

void
metrics_booking(enum metrics_outcome outcome)
{
	if (shm != NULL) {
		ADD(shm->bookings[outcome]);
	}
}

void
metrics_sold_out(enum metrics_sold_out event)
{
	if (shm != NULL) {
		ADD(shm->sold_out[event]);
	}
}

void
metrics_booking_fallback(void)
{
	if (shm != NULL) {
		ADD(shm->booking_fallbacks);
	}
}

void
metrics_batch(int written, int returned)
{
	if (shm != NULL) {
		ADD(shm->batches);
		__atomic_add_fetch(
		    &shm->batched, (uint64_t)written, __ATOMIC_RELAXED);
		__atomic_add_fetch(
		    &shm->batch_returns, (uint64_t)returned, __ATOMIC_RELAXED);
	}
}

void
metrics_writer_no_answer(void)
{
	if (shm != NULL) {
		ADD(shm->writer_no_answers);
	}
}

void
metrics_set_book_slot(int slot)
{
	self_slot = slot;
}

void
metrics_writer_waiting(bool waiting)
{
	if (shm != NULL && self_slot >= 0 && self_slot < METRICS_MAX_WORKERS) {
		__atomic_store_n(&shm->writer_waiting[self_slot],
		    (uint8_t)waiting, __ATOMIC_RELAXED);
	}
}

void
metrics_db_error(const char *sqlstate)
{
	size_t c = NCLASSES - 1;

	if (shm == NULL) {
		return;
	}
	if (*sqlstate == '\0') {
		c = 0;
	} else {
		for (size_t i = 1; i < NCLASSES - 1; i++) {
			if (strncmp(sqlstate, db_classes[i], 2) == 0) {
				c = i;
			}
		}
	}
	ADD(shm->db_errors[c]);
}

void
metrics_worker_restart(int pool)
{
	if (shm != NULL) {
		ADD(shm->restarts[pool]);
	}
}

void
metrics_set_busy(int pool, int slot, int busy)
{
	if (shm != NULL && slot >= 0 && slot < METRICS_MAX_WORKERS) {
		__atomic_store_n(
		    &shm->busy[pool][slot], (uint8_t)busy, __ATOMIC_RELAXED);
		/* An idle worker (or a dead one) waits for nothing; pool 1
		 * is the booking pool, as in pool_names[]. */
		if (!busy && pool == 1) {
			__atomic_store_n(
			    &shm->writer_waiting[slot], 0, __ATOMIC_RELAXED);
		}
	}
}

static const char *
route_label(const struct metrics_labels *labels, int route)
{
	return route < labels->nroutes ? labels->routes[route] : "unmatched";
}

static void
render_requests(FILE *fp, const struct metrics_labels *labels)
{
	fputs("# HELP ticketd_requests_total Requests answered, by route and "
	      "status.\n"
	      "# TYPE ticketd_requests_total counter\n",
	    fp);
	for (int r = 0; r <= labels->nroutes && r < (int)NROUTES; r++) {
		for (size_t s = 0; s < NSTATUS; s++) {
			uint64_t n = LOAD(shm->requests[r][s]);
			char code[8];

			if (n == 0) {
				continue;
			}
			if (s < NSTATUS - 1) {
				snprintf(code, sizeof(code), "%d", statuses[s]);
			} else {
				snprintf(code, sizeof(code), "other");
			}
			fprintf(fp,
			    "ticketd_requests_total{route=\"%s\",status=\"%s\"}"
			    " %llu\n",
			    route_label(labels, r), code,
			    (unsigned long long)n);
		}
	}
}

static void
render_latency(FILE *fp, const struct metrics_labels *labels)
{
	fputs("# HELP ticketd_request_duration_seconds Time from accept to "
	      "answer.\n"
	      "# TYPE ticketd_request_duration_seconds histogram\n",
	    fp);
	for (int r = 0; r <= labels->nroutes && r < (int)NROUTES; r++) {
		uint64_t cumulative = 0;

		for (size_t b = 0; b <= NBOUNDS; b++) {
			cumulative += LOAD(shm->buckets[r][b]);
		}
		if (cumulative == 0) {
			continue;
		}
		cumulative = 0;
		for (size_t b = 0; b <= NBOUNDS; b++) {
			cumulative += LOAD(shm->buckets[r][b]);
			if (b < NBOUNDS) {
				fprintf(fp,
				    "ticketd_request_duration_seconds_bucket{"
				    "route=\"%s\",le=\"%g\"} %llu\n",
				    route_label(labels, r),
				    (double)bounds_us[b] / 1e6,
				    (unsigned long long)cumulative);
			} else {
				fprintf(fp,
				    "ticketd_request_duration_seconds_bucket{"
				    "route=\"%s\",le=\"+Inf\"} %llu\n",
				    route_label(labels, r),
				    (unsigned long long)cumulative);
			}
		}
		fprintf(fp,
		    "ticketd_request_duration_seconds_sum{route=\"%s\"} %.6f\n",
		    route_label(labels, r), (double)LOAD(shm->sum_us[r]) / 1e6);
		fprintf(fp,
		    "ticketd_request_duration_seconds_count{route=\"%s\"} "
		    "%llu\n",
		    route_label(labels, r), (unsigned long long)cumulative);
	}
}

static int
writer_waiting(int book_workers)
{
	int n = 0;

	for (int s = 0; s < book_workers && s < METRICS_MAX_WORKERS; s++) {
		n += LOAD(shm->writer_waiting[s]) != 0;
	}
	return n;
}

static void
render_pools(FILE *fp, const int *sizes)
{
	fputs("# HELP ticketd_worker_restarts_total Workers that died and were "
	      "respawned.\n"
	      "# TYPE ticketd_worker_restarts_total counter\n",
	    fp);
	for (int p = 0; p < METRICS_POOLS; p++) {
		fprintf(fp, "ticketd_worker_restarts_total{pool=\"%s\"} %llu\n",
		    pool_names[p], (unsigned long long)LOAD(shm->restarts[p]));
	}
	fputs("# HELP ticketd_workers Workers by pool and state.\n"
	      "# TYPE ticketd_workers gauge\n",
	    fp);
	for (int p = 0; p < METRICS_POOLS; p++) {
		int busy = 0;

		for (int s = 0; s < sizes[p] && s < METRICS_MAX_WORKERS; s++) {
			busy += LOAD(shm->busy[p][s]) != 0;
		}
		fprintf(fp, "ticketd_workers{pool=\"%s\",state=\"busy\"} %d\n",
		    pool_names[p], busy);
		fprintf(fp, "ticketd_workers{pool=\"%s\",state=\"idle\"} %d\n",
		    pool_names[p], sizes[p] - busy);
	}
}

#define GATE_WORKERS "ticketd_accept_gate_workers{pool=\"%s\",state=\"%s\"} "

/* Only the pools with a gate. */
static void
render_gates(FILE *fp, const struct metrics_labels *labels)
{
	bool any = false;

	for (int p = 0; p < METRICS_POOLS; p++) {
		const struct accept_gate *g = labels->gates[p];

		if (g == NULL) {
			continue;
		}
		if (!any) {
			fputs(
			    "# HELP ticketd_accept_gate_workers A pool's "
			    "workers at its accept gate: serving (counted "
			    "against the cap), away (waiting on the payment), "
			    "asleep (idle; the most recently busy wakes "
			    "first).\n"
			    "# TYPE ticketd_accept_gate_workers gauge\n",
			    fp);
			any = true;
		}
		fprintf(fp, GATE_WORKERS "%d\n", pool_names[p], "serving",
		    accept_gate_serving(g));
		fprintf(fp, GATE_WORKERS "%d\n", pool_names[p], "away",
		    accept_gate_away_count(g));
		fprintf(fp, GATE_WORKERS "%d\n", pool_names[p], "asleep",
		    accept_gate_idle(g));
	}
	if (!any) {
		return;
	}
	fputs("# HELP ticketd_accept_gate_cap Requests a pool serves at once "
	      "at most, not counting those away (TICKETD_BOOK_SERVING, "
	      "TICKETD_READ_SERVING).\n"
	      "# TYPE ticketd_accept_gate_cap gauge\n",
	    fp);
	for (int p = 0; p < METRICS_POOLS; p++) {
		if (labels->gates[p] != NULL) {
			fprintf(fp, "ticketd_accept_gate_cap{pool=\"%s\"} %d\n",
			    pool_names[p], accept_gate_cap(labels->gates[p]));
		}
	}
}

static void
render_sold_out(FILE *fp)
{
	static const char *const metric[METRIC_SOLD_OUT_COUNT][2] = {
	    {"ticketd_sold_out_answers_total",
	        "Booking requests answered 409 from the sold-out table, "
	        "without reading the tiers."},
	    {"ticketd_sold_out_marks_total",
	        "Tiers marked sold out after a read found none left."},
	    {"ticketd_sold_out_clears_total",
	        "Times every mark was forgotten (a cancellation, a concert "
	        "changed)."},
	};

	for (int e = 0; e < METRIC_SOLD_OUT_COUNT; e++) {
		fprintf(fp, "# HELP %s %s\n# TYPE %s counter\n%s %llu\n",
		    metric[e][0], metric[e][1], metric[e][0], metric[e][0],
		    (unsigned long long)LOAD(shm->sold_out[e]));
	}
}

char *
metrics_render(const struct metrics_labels *labels)
{
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	if (fp == NULL) {
		abort();
	}
	if (shm != NULL) {
		render_requests(fp, labels);
		render_latency(fp, labels);
		fputs("# HELP ticketd_bookings_total Booking requests by "
		      "outcome.\n"
		      "# TYPE ticketd_bookings_total counter\n",
		    fp);
		for (int o = 0; o < METRIC_OUTCOME_COUNT; o++) {
			fprintf(fp,
			    "ticketd_bookings_total{outcome=\"%s\"} %llu\n",
			    outcome_names[o],
			    (unsigned long long)LOAD(shm->bookings[o]));
		}
		fputs("# HELP ticketd_db_errors_total Failed statements by "
		      "SQLSTATE class.\n"
		      "# TYPE ticketd_db_errors_total counter\n",
		    fp);
		for (size_t c = 0; c < NCLASSES; c++) {
			fprintf(fp,
			    "ticketd_db_errors_total{class=\"%s\"} %llu\n",
			    db_classes[c],
			    (unsigned long long)LOAD(shm->db_errors[c]));
		}
		render_sold_out(fp);
		render_gates(fp, labels);
		fprintf(fp,
		    "# HELP ticketd_booking_fallbacks_total Paid one-tier "
		    "bookings the one statement left to book() (no bucket free "
		    "with enough, the fan's limit, the concert changed).\n"
		    "# TYPE ticketd_booking_fallbacks_total counter\n"
		    "ticketd_booking_fallbacks_total %llu\n",
		    (unsigned long long)LOAD(shm->booking_fallbacks));
		fprintf(fp,
		    "# HELP ticketd_booking_batches_total Statements the "
		    "booking writer ran, each writing the paid one-tier "
		    "bookings of a tier that queued together.\n"
		    "# TYPE ticketd_booking_batches_total counter\n"
		    "ticketd_booking_batches_total %llu\n"
		    "# HELP ticketd_booking_batched_total Bookings those "
		    "statements wrote (confirmed, or a key already used).\n"
		    "# TYPE ticketd_booking_batched_total counter\n"
		    "ticketd_booking_batched_total %llu\n"
		    "# HELP ticketd_booking_batch_returns_total Bookings the "
		    "booking writer handed back to be written on their own "
		    "(a batch that could not write them all, an error).\n"
		    "# TYPE ticketd_booking_batch_returns_total counter\n"
		    "ticketd_booking_batch_returns_total %llu\n"
		    "# HELP ticketd_booking_writer_waiting Booking workers "
		    "waiting for the booking writer's answer.\n"
		    "# TYPE ticketd_booking_writer_waiting gauge\n"
		    "ticketd_booking_writer_waiting %lld\n"
		    "# HELP ticketd_booking_writer_no_answers_total Bookings "
		    "whose worker stopped waiting for the booking writer (it "
		    "was killed or hung) and wrote them on its own.\n"
		    "# TYPE ticketd_booking_writer_no_answers_total counter\n"
		    "ticketd_booking_writer_no_answers_total %llu\n",
		    (unsigned long long)LOAD(shm->batches),
		    (unsigned long long)LOAD(shm->batched),
		    (unsigned long long)LOAD(shm->batch_returns),
		    (long long)writer_waiting(labels->pool_sizes[1]),
		    (unsigned long long)LOAD(shm->writer_no_answers));
		render_pools(fp, labels->pool_sizes);
	}
	fclose(fp);
	return text;
}
