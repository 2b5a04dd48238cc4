/*
 * account_store.c - users, sessions and failed sign-ins in PostgreSQL.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/account_store.h"
#include "store/rows.h"
#include "store/statements.h"

/* Runs statement q on the primary and drops its result. */
static int
run(struct store *s, int q, const char *const *params, int *affected)
{
	PGresult *r;
	int err = db_exec(s->primary, q, params, &r);

	if (err == 0 && affected != NULL) {
		*affected = (int)strtol(PQcmdTuples(r), NULL, 10);
	}
	PQclear(r);
	return err;
}

/* prefix and name, the name of a column read with a prefix (both are
 * this file's constants: one that does not fit is a bug). */
static const char *
named(char *buf, size_t len, const char *prefix, const char *name)
{
	int n = snprintf(buf, len, "%s%s", prefix, name);

	if (n < 0 || (size_t)n >= len) {
		log_error("column name %s%s does not fit", prefix, name);
		abort();
	}
	return buf;
}

/* The user of r's first row, its columns' names prefixed by prefix. */
static int
read_user(const PGresult *r, const char *prefix, struct user *u)
{
	char c[32], role[16];
	int err, verified;

	if ((err = rows_text(r, 0, named(c, sizeof(c), prefix, "id"), u->id,
	         sizeof(u->id))) != 0 ||
	    (err = rows_text(r, 0, named(c, sizeof(c), prefix, "email"),
	         u->email, sizeof(u->email))) != 0 ||
	    (err = rows_text(r, 0, named(c, sizeof(c), prefix, "name"), u->name,
	         sizeof(u->name))) != 0 ||
	    (err = rows_text(r, 0, named(c, sizeof(c), prefix, "role"), role,
	         sizeof(role))) != 0) {
		return err;
	}
	if (account_role_parse(role, &u->role) != 0) {
		log_error("user %s has role %s", u->id, role);
		return TD_ERR_INTERNAL;
	}
	verified = PQfnumber(r, named(c, sizeof(c), prefix, "email_verified"));
	u->email_verified = PQntuples(r) > 0 && verified >= 0 &&
	                    strcmp(PQgetvalue(r, 0, verified), "t") == 0;
	return 0;
}

int
account_store_read_user(const PGresult *r, struct user *u)
{
	return read_user(r, "", u);
}

int
account_store_read_session(
    const PGresult *r, const char *prefix, struct session_record *out)
{
	char c[32];
	int err;

	if ((err = read_user(r, prefix, &out->user)) != 0 ||
	    (err = rows_int64(r, 0, named(c, sizeof(c), prefix, "created_s"),
	         &out->created_s)) != 0 ||
	    (err = rows_int64(r, 0, named(c, sizeof(c), prefix, "last_seen_s"),
	         &out->last_seen_s)) != 0) {
		return err;
	}
	return rows_int64(
	    r, 0, named(c, sizeof(c), prefix, "now_s"), &out->now_s);
}

static int
create_user(void *ctx, const struct user *u, const char *password_hash,
    const char *token_hash)
{
	const char *params[5] = {
	    u->id, u->email, u->name, password_hash, token_hash};

	/* A taken email is 23505 on users_email: TD_ERR_CONFLICT. */
	return run(ctx, Q_USER_CREATE, params, NULL);
}

static int
find_login(
    void *ctx, const char *email, const char *address, struct login_record *out)
{
	char window[16];
	const char *params[3] = {email, address, window};
	struct store *s = ctx;
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(window, sizeof(window), "%d", ACCOUNT_FAILURE_WINDOW_S);
	if ((err = db_exec(s->primary, Q_LOGIN_LOOKUP, params, &r)) != 0) {
		return err;
	}
	out->exists = !rows_is_null(r, 0, "id");
	if ((out->exists &&
	        ((err = account_store_read_user(r, &out->user)) != 0 ||
	            (err = rows_text(r, 0, "password_hash", out->password_hash,
	                 sizeof(out->password_hash))) != 0)) ||
	    (err = rows_int(r, 0, "failures", &out->failures)) != 0 ||
	    (err = rows_int64(r, 0, "last_failed_s", &out->last_failed_s)) !=
	        0 ||
	    (err = rows_int(r, 0, "email_failures", &out->email_failures)) !=
	        0 ||
	    (err = rows_int64(r, 0, "email_last_failed_s",
	         &out->email_last_failed_s)) != 0 ||
	    (err = rows_int64(r, 0, "now_s", &out->now_s)) != 0) {
		PQclear(r);
		return err;
	}
	PQclear(r);
	return 0;
}

static int
record_failure(void *ctx, const char *email, const char *address)
{
	char window[16];
	const char *params[3] = {email, address, window};

	snprintf(window, sizeof(window), "%d", ACCOUNT_FAILURE_WINDOW_S);
	return run(ctx, Q_LOGIN_FAILED, params, NULL);
}

static int
start_session(void *ctx, const char *email, const char *address,
    const char *user_id, const char *token_hash, const char *password_hash)
{
	char lifetime[24];
	const char *params[6] = {
	    email, token_hash, user_id, address, lifetime, password_hash};
	int started = 0, err;

	snprintf(lifetime, sizeof(lifetime), "%lld",
	    (long long)SESSION_ABSOLUTE_TTL_S);
	err = run(ctx, Q_SESSION_START, params, &started);
	/* The password changed since it was verified. */
	return err == 0 && started == 0 ? TD_ERR_NOT_FOUND : err;
}

static int
find_session(void *ctx, const char *token_hash, struct session_record *out)
{
	const char *params[1] = {token_hash};
	struct store *s = ctx;
	PGresult *r;
	int err;

	if ((err = db_exec(s->primary, Q_SESSION_FIND, params, &r)) != 0) {
		return err;
	}
	err = PQntuples(r) == 0 ? TD_ERR_NOT_FOUND
	                        : account_store_read_session(r, "", out);
	PQclear(r);
	return err;
}

static int
touch_session(void *ctx, const char *token_hash)
{
	const char *params[1] = {token_hash};

	return run(ctx, Q_SESSION_TOUCH, params, NULL);
}

static int
revoke_session(void *ctx, const char *token_hash)
{
	const char *params[1] = {token_hash};
	int err, n = 0;

	err = run(ctx, Q_SESSION_REVOKE, params, &n);
	return err != 0 ? err : n == 0 ? TD_ERR_NOT_FOUND : 0;
}

void
account_store_bind(struct store *s, struct account_store *port)
{
	port->ctx = s;
	port->create_user = create_user;
	port->find_login = find_login;
	port->record_failure = record_failure;
	port->start_session = start_session;
	port->find_session = find_session;
	port->touch_session = touch_session;
	port->revoke_session = revoke_session;
}
