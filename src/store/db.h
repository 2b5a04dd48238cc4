/*
 * db.h - one persistent libpq connection per worker.
 *
 * Every statement is prepared once per connection.  A lost connection
 * (a database restart shows up as a failed query with no SQLSTATE) is
 * dropped and reopened on the next call, with backoff while the database
 * stays down; statements marked idempotent are retried once on a fresh
 * connection, others leave the retry to the client's idempotency key.
 */
#ifndef TICKETD_DB_H
#define TICKETD_DB_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "daemon/settings.h"

enum db_error {
	DB_OK = 0,
	DB_ERR_UNAVAILABLE = -1, /* no connection, lost mid-query: 503 */
	DB_ERR_TIMEOUT = -2, /* 57014 statement or 55P03 lock timeout: 503 */
	DB_ERR_SERIALIZATION = -3, /* 40001, 40P01: run the transaction again */
	DB_ERR_CONSTRAINT = -4, /* 23xxx: the request conflicts with the data */
	DB_ERR_DATA =
	    -5, /* 22xxx: the data does not fit (too long, encoding) */
	DB_ERR_INTERNAL = -6 /* anything else: a bug, logged */
};

struct db_query {
	const char *name;
	const char *sql;
	int nparams;
	bool idempotent; /* safe to send again after a lost connection */
};

struct db;

/*
 * Makes a handle for the given statements; connects lazily on first use
 * so a worker starts even while the database is down.  Free with db_free().
 */
struct db *db_new(const struct settings *cfg, const char *conninfo,
    const char *app_name, const struct db_query *queries, int nqueries);

/* Connects now if not connected.  Returns DB_OK or DB_ERR_UNAVAILABLE. */
int db_connect(struct db *db);

/*
 * Runs prepared statement number q with text params.  On DB_OK, *res
 * holds the result and the caller PQclear()s it; on error *res is NULL
 * and db_sqlstate() tells the SQLSTATE ("" when the connection was lost).
 */
int db_exec(struct db *db, int q, const char *const *params, PGresult **res);

const char *db_sqlstate(const struct db *db);

/* Maps a SQLSTATE (NULL or "" for a lost connection) to a db_error. */
int db_error_from_sqlstate(const char *sqlstate);

void db_free(struct db *db);

#endif
