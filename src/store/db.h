/*
 * db.h - one persistent libpq connection per worker.
 *
 * Every statement is prepared on its first run on a connection (or all
 * as it opens, with prepare_at_connect: the booking writer's one), or,
 * behind a transaction pooler (PgBouncer's pool_mode=transaction hands
 * each transaction to any server connection, so a name prepared on one
 * is unknown on the next), sent as the unnamed statement of each call
 * (Parse, Bind, Execute in one round trip).  A lost connection
 * (a database restart shows up as a failed query with no SQLSTATE) is
 * dropped and reopened on the next call, with backoff while the database
 * stays down; statements marked idempotent are retried once on a fresh
 * connection, others leave the retry to the client's idempotency key.
 */
#ifndef TICKETD_DB_H
#define TICKETD_DB_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "base/errors.h"

/* The connection's own settings (every connection of the worker). */
struct db_settings {
	int connect_timeout_s;
	int statement_timeout_ms;
	int lock_timeout_ms;
	bool prepared; /* false: unnamed statements (transaction pooler) */
	/* With prepared: every statement as the connection opens, else each
	 * on its first run; a connection that cannot prepare them fails. */
	bool prepare_at_connect;
};

struct db_query {
	const char *name;
	const char *sql; /* NULL: a statement this handle never runs */
	int nparams;
	bool idempotent; /* safe to send again after a lost connection */
};

struct db;

/*
 * Makes a handle for the given statements; connects lazily on first use
 * so a worker starts even while the database is down.  Free with db_free().
 */
struct db *db_new(const struct db_settings *ds, const char *conninfo,
    const char *app_name, const struct db_query *queries, int nqueries);

/* Connects now if not connected.  Returns 0 or TD_ERR_UNAVAILABLE. */
int db_connect(struct db *db);

/*
 * Connects without waiting, for a process that must go on answering while
 * the database is away (the booking writer: every paid booking of the
 * node waits on it).  Returns TD_ERR_UNAVAILABLE while the database is
 * down (an attempt failed, or the backoff since the last one has not run
 * out), else 0 with *events 0 once the connection is open, or the
 * poll() events to wait for on db_socket() (read it again after each
 * call: each host of the URL has its own) before calling again.  A host
 * that takes longer than its connect_timeout (the URL's, else
 * connect_timeout_s) is given up on the first call after that;
 * db_wake_ms() says when that is.  What still blocks: the host name's
 * lookup (give addresses, or hostaddr, where that matters), and, with
 * prepare_at_connect, preparing the handle's statements once connected.
 */
int db_connect_async(struct db *db, short *events);

/*
 * For a caller that polls an open connection's socket while it is idle
 * (the booking writer): reads what the server sent.  A connection the
 * server closed (a restart, a failover, an administrator) is dropped, so
 * the next use reconnects instead of failing a statement on it.
 */
void db_read_idle(struct db *db);

/* The connection's socket, or -1. */
int db_socket(const struct db *db);

/*
 * When db_connect_async() has something to do without its socket: the
 * end of an attempt under way, or while down the time the next one may
 * start (maybe already past); 0 while the connection is open
 * (clock_now_ms() time).
 */
long long db_wake_ms(const struct db *db);

/* Whether the handle holds a working connection now (it never connects). */
bool db_is_open(const struct db *db);

/* Whether statements are prepared, once per connection (else sent unnamed,
 * parsed and planned on every run: DB_PREPARED_STATEMENTS=off). */
bool db_prepares(const struct db *db);

/*
 * Runs statement number q with text params.  Returns 0 with
 * *res holding the result (the caller PQclear()s it), or a td_error with
 * *res NULL; db_sqlstate() then tells the SQLSTATE ("" when the
 * connection was lost).  SQLSTATEs map to td_errors as DESIGN.md says:
 * 40001/40P01 TD_ERR_SERIALIZATION, 57014/55P03 TD_ERR_BUSY, 08xxx/57Pxx,
 * 25006 (a read-only server) and a lost connection TD_ERR_UNAVAILABLE, 23xxx
 * TD_ERR_CONFLICT, 22xxx TD_ERR_BAD_DATA, TDSLW (our own, 017) TD_ERR_FALLBACK,
 * anything else TD_ERR_INTERNAL.  A
 * COMMIT whose wait for the synchronous standby was cancelled (the server warns
 * "canceling wait for synchronous replication": committed locally, maybe on no
 * standby) is TD_ERR_UNAVAILABLE too: its outcome is unknown until the
 * client retries with its key.
 */
int db_exec(struct db *db, int q, const char *const *params, PGresult **res);

const char *db_sqlstate(const struct db *db);

/* Maps a SQLSTATE (NULL or "" for a lost connection) to a td_error. */
int db_error_from_sqlstate(const char *sqlstate);

void db_free(struct db *db);

#endif
