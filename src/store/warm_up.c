/*
 * warm_up.c - each hot statement once, with values that match no row
 * (see warm_up.h).
 */
#include "config.h"

#include <stdbool.h>
#include <stdio.h>

#include "base/clock.h"
#include "base/log.h"
#include "store/statements.h"
#include "store/warm_up.h"

/* Well formed, and no row has them: a session token's hash is 64 hex
 * digits, a concert id a slug. */
#define NO_KEY "00000000-0000-4000-8000-000000000000"
#define NO_CONCERT "warm-up"
#define NO_TOKEN_HASH                                                          \
	"0000000000000000000000000000000000000000000000000000000000000000"

/*
 * The warm-up delays the node's readiness, so it is short: it stops at
 * the first failure (a lost connection, a lock held by a migration) and
 * starts no statement after WARM_UP_BUDGET_MS.
 */
#define WARM_UP_BUDGET_MS 1000

struct warm_up {
	struct db *db; /* an open connection: none is made here */
	long long deadline_ms;
	bool failed;
};

static void
begin(struct warm_up *w, struct db *db)
{
	w->db = db;
	w->deadline_ms = clock_now_ms() + WARM_UP_BUDGET_MS;
	w->failed = false;
}

static void
run(struct warm_up *w, int q, const char *const *params)
{
	PGresult *r;
	int err;

	if (w->failed || clock_now_ms() >= w->deadline_ms) {
		return;
	}
	if ((err = db_exec(w->db, q, params, &r)) != 0) {
		log_debug("warm-up stopped at %s: %s", statements[q].name,
		    td_strerror(err));
		w->failed = true;
	}
	PQclear(r);
}

void
warm_up_reads(const struct store *s)
{
	char window[12];
	const char *list[3] = {NULL, "1", window};
	const char *one[1] = {NO_CONCERT};
	struct warm_up w;

	/* Where the reads go when both answer (store_exec_read); a replica
	 * still connecting is not waited for here. */
	if (s->replica != NULL && db_is_open(s->replica)) {
		begin(&w, s->replica);
	} else if (db_is_open(s->primary)) {
		begin(&w, s->primary);
	} else {
		return;
	}
	snprintf(window, sizeof(window), "%d", s->totals_window_ms);
	run(&w, Q_CONCERTS, list);
	run(&w, Q_CONCERT, one);
	run(&w, Q_AVAILABILITY, one);
}

void
warm_up_bookings(const struct store *s)
{
	const char *check[5] = {NO_KEY, NO_CONCERT, NO_TOKEN_HASH, "1", "1"};
	const char *touch[1] = {NO_TOKEN_HASH};
	struct warm_up w;

	if (!db_is_open(s->primary)) {
		return;
	}
	begin(&w, s->primary);
	run(&w, Q_SESSION_TOUCH, touch);
	run(&w, Q_BOOKING_CHECK, check);
}
