/*
 * db.c - one persistent libpq connection per worker.
 */
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/db.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000

struct db {
	PGconn *conn;
	const struct db_settings *ds;
	const char *conninfo;
	const char *app_name;
	const struct db_query *queries;
	int nqueries;
	bool *ready; /* per query: prepared on this connection */
	char sqlstate[6];
	bool sync_wait_cancelled;  /* set by the notice receiver */
	long long next_attempt_ms; /* while down: do not try before this */
	int backoff_ms;
	bool connecting;            /* db_connect_async() has one under way */
	long long connect_end_ms;   /* ... gives up on its host then */
	long long connect_limit_ms; /* ... each host's time */
	int connect_sock;           /* ... the socket of the host it tries */
};

struct db *
db_new(const struct db_settings *ds, const char *conninfo, const char *app_name,
    const struct db_query *queries, int nqueries)
{
	struct db *db = calloc(1, sizeof(*db));

	if (db == NULL) {
		abort();
	}
	db->ds = ds;
	db->conninfo = conninfo;
	db->app_name = app_name;
	db->queries = queries;
	db->nqueries = nqueries;
	db->ready = calloc(nqueries > 0 ? nqueries : 1, sizeof(*db->ready));
	if (db->ready == NULL) {
		abort();
	}
	db->backoff_ms = BACKOFF_MIN_MS;
	return db;
}

static void
db_drop(struct db *db)
{
	PQfinish(db->conn);
	db->conn = NULL;
	db->connecting = false;
}

/*
 * A statement is prepared on its first run on a connection, not all of them
 * when it opens: a pool's workers run a few of the 44, and preparing every
 * one took 2.1 of the 4.8 s that 105 workers took to connect on 2 cores.
 * Returns NULL once prepared, else the failed result (the statement's).
 */
static PGresult *
db_prepare(struct db *db, int q)
{
	const struct db_query *def = &db->queries[q];
	PGresult *res;

	res = PQprepare(db->conn, def->name, def->sql, def->nparams, NULL);
	if (res == NULL) { /* out of memory: a failure, never "prepared" */
		res = PQmakeEmptyPGresult(db->conn, PGRES_FATAL_ERROR);
		if (res == NULL) {
			abort();
		}
		return res;
	}
	if (PQresultStatus(res) != PGRES_COMMAND_OK) {
		return res;
	}
	PQclear(res);
	db->ready[q] = true;
	return NULL;
}

/*
 * A COMMIT that stopped waiting for the synchronous standby (a statement
 * timeout or a cancel during a failover) still reports success, with only
 * this warning to say that no standby may have the transaction.
 */
static void
db_notice(void *arg, const PGresult *res)
{
	struct db *db = arg;
	const char *msg = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);

	if (msg != NULL &&
	    strstr(msg, "wait for synchronous replication") != NULL) {
		db->sync_wait_cancelled = true;
	}
	log_warn("server: %s", msg != NULL ? msg : "(notice)");
}

bool
db_prepares(const struct db *db)
{
	return db->ds->prepared;
}

bool
db_is_open(const struct db *db)
{
	return db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK;
}

/*
 * How long a TCP connection to a server that vanished without closing it
 * (its host lost power, a cable pulled: no reset ever comes) goes unnoticed.
 * Without these, a statement sent to a dead primary waits for the kernel's
 * retransmissions (about 15 minutes), and an idle connection, such as the
 * booking writer's, forever: every worker holding one would miss the
 * failover.  Data the server has not acknowledged within
 * DB_TCP_USER_TIMEOUT_MS fails the connection; a connection with nothing
 * in flight (a statement sent and acknowledged, its answer awaited) is
 * probed after DB_KEEPALIVES_IDLE_S of silence, every
 * DB_KEEPALIVES_INTERVAL_S, and given up at the first probe unanswered
 * once DB_TCP_USER_TIMEOUT_MS have passed without an acknowledgement (on
 * Linux that timeout overrides DB_KEEPALIVES_COUNT): about 13 s, less than
 * a failover.  A live server's kernel answers probes whatever its statement
 * takes.  A DATABASE_URL's own keepalives_* or tcp_user_timeout win; Unix
 * sockets ignore them.  (Behind PgBouncer and HAProxy these watch the hop
 * to the pooler; HAProxy cuts the sessions of a primary its checks lose.)
 */
#define DB_TCP_USER_TIMEOUT_MS "10000"
#define DB_KEEPALIVES_IDLE_S "10"
#define DB_KEEPALIVES_INTERVAL_S "3"
#define DB_KEEPALIVES_COUNT "3"

/* A connection's parameters: ours first, DATABASE_URL's own override them. */
struct conn_params {
	char timeout[16], options[128];
	const char *keys[10], *values[10];
};

static void
conn_params_fill(const struct db *db, struct conn_params *p)
{
	static const char *const tcp[][2] = {
	    {"keepalives", "1"},
	    {"keepalives_idle", DB_KEEPALIVES_IDLE_S},
	    {"keepalives_interval", DB_KEEPALIVES_INTERVAL_S},
	    {"keepalives_count", DB_KEEPALIVES_COUNT},
	    {"tcp_user_timeout", DB_TCP_USER_TIMEOUT_MS},
	};
	size_t n = 0;

	snprintf(
	    p->timeout, sizeof(p->timeout), "%d", db->ds->connect_timeout_s);
	snprintf(p->options, sizeof(p->options),
	    "-c statement_timeout=%d -c lock_timeout=%d",
	    db->ds->statement_timeout_ms, db->ds->lock_timeout_ms);
	p->keys[n] = "connect_timeout";
	p->values[n++] = p->timeout;
	p->keys[n] = "application_name";
	p->values[n++] = db->app_name;
	p->keys[n] = "options";
	p->values[n++] = p->options;
	for (size_t i = 0; i < sizeof(tcp) / sizeof(tcp[0]); i++) {
		p->keys[n] = tcp[i][0];
		p->values[n++] = tcp[i][1];
	}
	/* Last: with expand_dbname, the URL's parameters override ours. */
	p->keys[n] = "dbname";
	p->values[n++] = db->conninfo;
	p->keys[n] = NULL;
	p->values[n] = NULL;
}

/* An attempt that failed (why: NULL for libpq's own message): backoff. */
static int
connect_failed(struct db *db, long long now, const char *why)
{
	log_warn("cannot connect to the database (next try in %d ms): %s",
	    db->backoff_ms, why != NULL ? why : PQerrorMessage(db->conn));
	db_drop(db);
	db->next_attempt_ms = now + db->backoff_ms;
	db->backoff_ms = db->backoff_ms * 2 > BACKOFF_MAX_MS
	                     ? BACKOFF_MAX_MS
	                     : db->backoff_ms * 2;
	return TD_ERR_UNAVAILABLE;
}

/* The server took the connection: it is ours, none of our statements yet. */
static int
connect_opened(struct db *db, long long now)
{
	memset(db->ready, 0, (size_t)db->nqueries * sizeof(*db->ready));
	for (int q = 0;
	     db->ds->prepared && db->ds->prepare_at_connect && q < db->nqueries;
	     q++) {
		PGresult *failed;

		if (db->queries[q].sql == NULL) {
			continue; /* a statement this handle never runs */
		}
		if ((failed = db_prepare(db, q)) != NULL) {
			log_error("prepare %s: %s", db->queries[q].name,
			    PQresultErrorMessage(failed));
			PQclear(failed);
			return connect_failed(db, now, NULL);
		}
	}
	db->backoff_ms = BACKOFF_MIN_MS;
	db->next_attempt_ms = 0;
	log_debug("connected, statements %s", !db->ds->prepared ? "sent unnamed"
	                                      : db->ds->prepare_at_connect
	                                          ? "prepared"
	                                          : "prepared on first use");
	return TD_OK;
}

int
db_connect(struct db *db)
{
	struct conn_params p;
	long long now;

	if (db->conn != NULL && PQstatus(db->conn) == CONNECTION_OK) {
		return TD_OK;
	}
	db_drop(db);

	now = clock_now_ms();
	if (now < db->next_attempt_ms) {
		return TD_ERR_UNAVAILABLE;
	}
	conn_params_fill(db, &p);
	db->conn = PQconnectdbParams(p.keys, p.values, 1);
	if (db->conn != NULL) {
		PQsetNoticeReceiver(db->conn, db_notice, db);
	}
	if (PQstatus(db->conn) != CONNECTION_OK) {
		return connect_failed(db, now, NULL);
	}
	return connect_opened(db, now);
}

/*
 * The time one host gets, as PQconnectdb gives it: the connection's
 * connect_timeout (the URL's own, else ours), at least 2 s.
 */
static long long
connect_limit_ms(const struct db *db)
{
	PQconninfoOption *opts = PQconninfo(db->conn);
	long long s = db->ds->connect_timeout_s;

	for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++) {
		if (strcmp(o->keyword, "connect_timeout") == 0 &&
		    o->val != NULL && atoi(o->val) > 0) {
			s = atoi(o->val);
		}
	}
	PQconninfoFree(opts);
	return (s < 2 ? 2 : s) * 1000LL;
}

/*
 * libpq leaves a connection opened this way without a time limit
 * (connect_timeout is PQconnectdb's): ours is the same, per host, so a
 * host of the URL that drops packets does not keep the next one (the
 * primary, say) from being tried.  A new socket is a new host.
 */
int
db_connect_async(struct db *db, short *events)
{
	long long now = clock_now_ms();
	PostgresPollingStatusType st;

	*events = 0;
	if (db->connecting) {
		if (now >= db->connect_end_ms) {
			return connect_failed(db, now, "timeout expired");
		}
		st = PQconnectPoll(db->conn);
		if (PQsocket(db->conn) != db->connect_sock) {
			db->connect_sock = PQsocket(db->conn);
			db->connect_end_ms = now + db->connect_limit_ms;
		}
	} else {
		struct conn_params p;

		if (db_is_open(db)) {
			return TD_OK;
		}
		db_drop(db);
		if (now < db->next_attempt_ms) {
			return TD_ERR_UNAVAILABLE;
		}
		conn_params_fill(db, &p);
		db->conn = PQconnectStartParams(p.keys, p.values, 1);
		if (db->conn == NULL) {
			return connect_failed(db, now, "out of memory");
		}
		if (PQstatus(db->conn) == CONNECTION_BAD) {
			return connect_failed(db, now, NULL);
		}
		PQsetNoticeReceiver(db->conn, db_notice, db);
		db->connecting = true;
		db->connect_limit_ms = connect_limit_ms(db);
		db->connect_sock = PQsocket(db->conn);
		db->connect_end_ms = now + db->connect_limit_ms;
		/* libpq: first wait until the socket can be written. */
		st = PGRES_POLLING_WRITING;
	}
	switch (st) {
	case PGRES_POLLING_OK:
		db->connecting = false;
		return connect_opened(db, now);
	case PGRES_POLLING_READING: *events = POLLIN; return TD_OK;
	case PGRES_POLLING_WRITING: *events = POLLOUT; return TD_OK;
	default: return connect_failed(db, now, NULL);
	}
}

void
db_read_idle(struct db *db)
{
	if (!db_is_open(db)) {
		return;
	}
	/* Reads the server's FATAL, or the end of the stream. */
	if (PQconsumeInput(db->conn) == 0 ||
	    PQstatus(db->conn) != CONNECTION_OK) {
		log_warn("the database closed an idle connection: %s",
		    PQerrorMessage(db->conn));
		db_drop(db);
		return;
	}
	/* A notice is handled as it is read; anything else is not ours. */
	for (PGresult *r; (r = PQgetResult(db->conn)) != NULL;) {
		PQclear(r);
	}
}

int
db_socket(const struct db *db)
{
	return db->conn != NULL ? PQsocket(db->conn) : -1;
}

long long
db_wake_ms(const struct db *db)
{
	if (db->connecting) {
		return db->connect_end_ms;
	}
	if (db_is_open(db)) {
		return 0;
	}
	/* Down: the next attempt's time, maybe already past (1: at once). */
	return db->next_attempt_ms > 0 ? db->next_attempt_ms : 1;
}

int
db_error_from_sqlstate(const char *s)
{
	if (s == NULL || *s == '\0') {
		return TD_ERR_UNAVAILABLE;
	}
	if (strcmp(s, "40001") == 0 || strcmp(s, "40P01") == 0) {
		return TD_ERR_SERIALIZATION;
	}
	if (strcmp(s, "57014") == 0 || strcmp(s, "55P03") == 0) {
		return TD_ERR_BUSY;
	}
	/* 08: connection exceptions; 57P0x: shutdown, crash, cannot connect
	 * now. */
	if (strncmp(s, "08", 2) == 0 || strncmp(s, "57P", 3) == 0 ||
	    strcmp(s, "53300") == 0) {
		return TD_ERR_UNAVAILABLE;
	}
	/*
	 * 25006: a write reached a server that is read-only, an old primary
	 * being demoted or a standby the router still sends to.  Nothing was
	 * written; the connection is dropped and the next one finds the
	 * primary.
	 */
	if (strcmp(s, "25006") == 0) {
		return TD_ERR_UNAVAILABLE;
	}
	if (strncmp(s, "23", 2) == 0) {
		return TD_ERR_CONFLICT;
	}
	if (strncmp(s, "22", 2) == 0) {
		return TD_ERR_BAD_DATA;
	}
	/* Raised on purpose (017): nothing went wrong, nothing was written. */
	if (strcmp(s, "TDSLW") == 0) {
		return TD_ERR_FALLBACK;
	}
	return TD_ERR_INTERNAL;
}

int
db_exec(struct db *db, int q, const char *const *params, PGresult **res)
{
	const struct db_query *def = &db->queries[q];

	*res = NULL;
	for (int attempt = 0;; attempt++) {
		PGresult *r;
		const char *state;
		int err;

		db->sqlstate[0] = '\0';
		if (db_connect(db) != TD_OK) {
			return TD_ERR_UNAVAILABLE;
		}

		db->sync_wait_cancelled = false;
		r = NULL;
		if (db->ds->prepared && !db->ready[q]) {
			r = db_prepare(db, q);
		}
		if (r != NULL) {
			/*
			 * Not prepared: its error is the statement's.  A lost
			 * connection is TD_ERR_UNAVAILABLE, as when it is lost
			 * before a statement is sent: not known to have run.
			 */
		} else if (db->ds->prepared) {
			r = PQexecPrepared(db->conn, def->name, def->nparams,
			    params, NULL, NULL, 0);
		} else {
			r = PQexecParams(db->conn, def->sql, def->nparams, NULL,
			    params, NULL, NULL, 0);
		}
		if ((PQresultStatus(r) == PGRES_TUPLES_OK ||
		        PQresultStatus(r) == PGRES_COMMAND_OK) &&
		    !db->sync_wait_cancelled) {
			*res = r;
			return TD_OK;
		}
		if (db->sync_wait_cancelled) {
			/* Committed here, maybe on no standby: unknown. */
			log_warn(
			    "%s: commit not confirmed by a standby", def->name);
			PQclear(r);
			metrics_db_error("");
			db_drop(db);
			return TD_ERR_UNAVAILABLE;
		}

		state = PQresultErrorField(r, PG_DIAG_SQLSTATE);
		snprintf(db->sqlstate, sizeof(db->sqlstate), "%s",
		    state != NULL ? state : "");
		err = db_error_from_sqlstate(db->sqlstate);
		if (err != TD_ERR_FALLBACK) {
			metrics_db_error(db->sqlstate);
		}
		if (err == TD_ERR_INTERNAL || err == TD_ERR_UNAVAILABLE) {
			log_warn("%s: [%s] %s", def->name, db->sqlstate,
			    PQresultErrorMessage(r));
		}
		PQclear(r);

		/* After a reset the server has forgotten our statements. */
		if (strcmp(db->sqlstate, "26000") == 0 && attempt == 0) {
			db_drop(db);
			continue;
		}
		if (err == TD_ERR_UNAVAILABLE ||
		    PQstatus(db->conn) != CONNECTION_OK) {
			db_drop(db);
			if (def->idempotent && attempt == 0) {
				continue;
			}
			return TD_ERR_UNAVAILABLE;
		}
		return err;
	}
}

const char *
db_sqlstate(const struct db *db)
{
	return db->sqlstate;
}

void
db_free(struct db *db)
{
	if (db == NULL) {
		return;
	}
	db_drop(db);
	free(db->ready);
	free(db);
}
