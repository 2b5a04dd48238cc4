/*
 * warm_up.c - each hot statement once, with values that match no row
 * (see warm_up.h).
 */
#include "config.h"

#include <stdio.h>

#include "base/log.h"
#include "store/statements.h"
#include "store/warm_up.h"

/* Well formed, and no row has them: a session token's hash is 64 hex
 * digits, a concert id a slug. */
#define NO_KEY "00000000-0000-4000-8000-000000000000"
#define NO_CONCERT "warm-up"
#define NO_TOKEN_HASH                                                          \
	"0000000000000000000000000000000000000000000000000000000000000000"

typedef int exec_fn(
    const struct store *s, int q, const char *const *params, PGresult **r);

static int
exec_primary(
    const struct store *s, int q, const char *const *params, PGresult **r)
{
	return db_exec(s->primary, q, params, r);
}

static void
run(const struct store *s, exec_fn *exec, int q, const char *const *params)
{
	PGresult *r;
	int err = exec(s, q, params, &r);

	if (err != 0) {
		log_debug(
		    "warm-up: %s: %s", statements[q].name, td_strerror(err));
	}
	PQclear(r);
}

void
warm_up_reads(const struct store *s)
{
	char window[12];
	const char *list[3] = {NULL, "1", window};
	const char *one[1] = {NO_CONCERT};

	if (!db_is_open(s->primary)) {
		return;
	}
	snprintf(window, sizeof(window), "%d", s->totals_window_ms);
	run(s, store_exec_read, Q_CONCERTS, list);
	run(s, store_exec_read, Q_CONCERT, one);
	run(s, store_exec_read, Q_AVAILABILITY, one);
}

void
warm_up_bookings(const struct store *s)
{
	const char *check[5] = {NO_KEY, NO_CONCERT, NO_TOKEN_HASH, "1", "1"};
	const char *touch[1] = {NO_TOKEN_HASH};

	if (!db_is_open(s->primary)) {
		return;
	}
	run(s, exec_primary, Q_SESSION_TOUCH, touch);
	run(s, exec_primary, Q_BOOKING_CHECK, check);
}
