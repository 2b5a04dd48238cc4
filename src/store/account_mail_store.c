/*
 * account_mail_store.c - the statements of account_mail.c's port, all on
 * the primary (a fan who just verified reads it back).
 */
#include "config.h"

#include <string.h>

#include "base/log.h"
#include "store/account_mail_store.h"
#include "store/account_store.h"
#include "store/rows.h"
#include "store/statements.h"

static int
exec_only(struct store *s, int q, const char *const *params)
{
	PGresult *r;
	int err = db_exec(s->primary, q, params, &r);

	PQclear(r);
	return err;
}

static int
verify(void *ctx, const char *user_id, const char *email_hash, struct user *out)
{
	struct store *s = ctx;
	const char *params[2] = {user_id, email_hash};
	PGresult *r;
	int err;

	if ((err = db_exec(s->primary, Q_VERIFY_EMAIL, params, &r)) != 0) {
		return err;
	}
	err = PQntuples(r) == 0 ? TD_ERR_NOT_FOUND
	                        : account_store_read_user(r, out);
	PQclear(r);
	return err;
}

static int
request_reset(void *ctx, const char *email)
{
	const char *params[1] = {email};

	return exec_only(ctx, Q_RESET_REQUEST, params);
}

static int
resend_verification(void *ctx, const char *user_id)
{
	const char *params[1] = {user_id};

	return exec_only(ctx, Q_VERIFY_RESEND, params);
}

static int
parse_state(const char *text, enum reset_state *out)
{
	static const char *const names[] = {
	    [RESET_VALID] = "valid",
	    [RESET_UNKNOWN] = "unknown",
	    [RESET_USED] = "used",
	    [RESET_EXPIRED] = "expired",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strcmp(text, names[i]) == 0) {
			*out = (enum reset_state)i;
			return 0;
		}
	}
	log_error("reset token state %s", text);
	return TD_ERR_INTERNAL;
}

/* The "state" column of r's first row; no row is an unknown token. */
static int
read_state(const PGresult *r, enum reset_state *out)
{
	char state[16];
	int err;

	if (PQntuples(r) == 0) {
		*out = RESET_UNKNOWN;
		return 0;
	}
	if ((err = rows_text(r, 0, "state", state, sizeof(state))) != 0) {
		return err;
	}
	return parse_state(state, out);
}

static int
reset_state(void *ctx, const char *token_hash, enum reset_state *out)
{
	struct store *s = ctx;
	const char *params[1] = {token_hash};
	PGresult *r;
	int err;

	if ((err = db_exec(s->primary, Q_RESET_STATE, params, &r)) == 0) {
		err = read_state(r, out);
	}
	PQclear(r);
	return err;
}

static int
reset(void *ctx, const char *token_hash, const char *password_hash,
    enum reset_state *out)
{
	struct store *s = ctx;
	const char *params[2] = {token_hash, password_hash};
	PGresult *r;
	int err;

	if ((err = store_exec_txn(s, Q_RESET_CONFIRM, params, &r)) == 0) {
		err = read_state(r, out);
	}
	PQclear(r);
	return err;
}

void
account_mail_store_bind(struct store *s, struct account_mail_store *port)
{
	port->ctx = s;
	port->verify = verify;
	port->request_reset = request_reset;
	port->resend_verification = resend_verification;
	port->reset_state = reset_state;
	port->reset = reset;
}
