/*
 * app.h - what a handler works with, and how a request reaches it.
 */
#ifndef TICKETD_APP_H
#define TICKETD_APP_H

#include "store/db.h"
#include "domain/ids.h"
#include "http/request.h"
#include "http/response.h"
#include "daemon/settings.h"

enum pool_kind { POOL_READ, POOL_BOOK };

struct app {
	const struct settings *cfg;
	struct db *db;      /* the primary: bookings and everything they read */
	struct db *db_read; /* a replica for listings, or NULL */
	enum pool_kind pool;
	int txn_semid; /* booking transactions in flight; -1 for no cap */
};

/*
 * A handler answers through res.  id is the route's ":id" segment,
 * already checked to be a slug (or "" for routes without one).
 */
typedef void handler_fn(struct app *app, const struct request *req,
    const char *id, struct response *res);

/*
 * Routes req and runs its handler: 404 NOT_FOUND, 405, 400 for a bad id.
 * Returns the route (ROUTE_COUNT when none matched), for metrics.
 */
int app_dispatch(
    struct app *app, const struct request *req, struct response *res);

/*
 * Runs a read-only statement on the replica, or on the primary when
 * there is no replica or it is unavailable (a fan may see data as old as
 * the replication lag; a booking always checks the primary).
 */
int app_exec_read(
    struct app *app, int q, const char *const *params, PGresult **res);

/* Answers a db_error (503, 409, 400 or 500) without internals. */
void app_reply_db_error(struct response *res, int err);

#endif
