/*
 * account.c - sign-up, sign-in, sessions and sign-out as decisions over
 * an account store.
 */
#include "config.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "domain/account.h"

static const char *const role_names[] = {
    [ROLE_FAN] = "fan",
    [ROLE_ADMIN] = "admin",
    [ROLE_STAFF] = "staff",
};

#define NROLES (int)(sizeof(role_names) / sizeof(role_names[0]))

const char *
account_role_name(enum role role)
{
	return (int)role >= 0 && (int)role < NROLES ? role_names[role]
	                                            : role_names[ROLE_FAN];
}

int
account_role_parse(const char *s, enum role *role)
{
	for (int i = 0; i < NROLES; i++) {
		if (strcmp(s, role_names[i]) == 0) {
			*role = (enum role)i;
			return 0;
		}
	}
	return TD_ERR_INVALID;
}

static enum account_outcome
decide(struct account_result *out, enum account_outcome outcome)
{
	out->outcome = outcome;
	return outcome;
}

static enum account_outcome
fail(struct account_result *out, int err)
{
	out->error = err;
	return decide(out, ACCOUNT_FAILED);
}

static enum account_outcome
invalid(struct account_result *out, const char *field, const char *message)
{
	out->field = field;
	out->message = message;
	return decide(out, ACCOUNT_INVALID);
}

/* atext of RFC 5322 and the dot: what a local part may hold here. */
static bool
is_local_char(int c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~.", c));
}

static bool
is_domain_char(int c)
{
	return isalnum(c) || c == '-' || c == '.';
}

int
account_normalize_email(const char *email, size_t len, char *out)
{
	const char *at, *dot;
	size_t n = 0;

	while (len > 0 && isspace((unsigned char)*email)) {
		email++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)email[len - 1])) {
		len--;
	}
	if (len < 3 || len > ACCOUNT_EMAIL_MAX) {
		return TD_ERR_INVALID;
	}
	for (size_t i = 0; i < len; i++) {
		out[n++] = (char)tolower((unsigned char)email[i]);
	}
	out[n] = '\0';

	at = strchr(out, '@');
	if (at == NULL || at == out || strchr(at + 1, '@') != NULL ||
	    at - out > 64) {
		return TD_ERR_INVALID;
	}
	for (const char *p = out; p < at; p++) {
		if (!is_local_char((unsigned char)*p)) {
			return TD_ERR_INVALID;
		}
	}
	dot = strrchr(at, '.');
	if (dot == NULL || dot == at + 1 || dot[1] == '\0' ||
	    strstr(at, "..") != NULL) {
		return TD_ERR_INVALID;
	}
	for (const char *p = at + 1; *p != '\0'; p++) {
		if (!is_domain_char((unsigned char)*p)) {
			return TD_ERR_INVALID;
		}
	}
	return 0;
}

/* Counts UTF-8 code points (the text is already known to be valid). */
static size_t
utf8_chars(const char *s, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		n += ((unsigned char)s[i] & 0xc0) != 0x80;
	}
	return n;
}

/* Trims the name into out; checks 1..100 characters of clean UTF-8. */
static int
normalize_name(const char *name, size_t len, char *out)
{
	while (len > 0 && name[0] == ' ') {
		name++;
		len--;
	}
	while (len > 0 && name[len - 1] == ' ') {
		len--;
	}
	if (len == 0 || len > ACCOUNT_NAME_MAX ||
	    !ids_is_clean_utf8(name, len) ||
	    utf8_chars(name, len) > ACCOUNT_NAME_MAX_CHARS) {
		return TD_ERR_INVALID;
	}
	memcpy(out, name, len);
	out[len] = '\0';
	return 0;
}

const char *
account_policy_message(int rc)
{
	switch (rc) {
	case PASSWORD_ERR_TOO_SHORT:
		return "password must be at least 10 bytes";
	case PASSWORD_ERR_TOO_LONG: return "password must be at most 128 bytes";
	default: return "password must be valid UTF-8 without NUL";
	}
}

/* A new session for out->user: its token in out, its hash in hash. */
static void
new_session(struct account_result *out, char *hash)
{
	session_token_new(out->token);
	session_token_hash(out->token, hash);
}

int
account_gated_hash(
    const struct hash_gate *gate, const char *pw, size_t len, char *hash)
{
	int rc;

	if ((rc = gate->enter(gate->ctx)) != 0) {
		return rc;
	}
	rc = password_hash(pw, len, hash) == PASSWORD_OK ? 0 : TD_ERR_INTERNAL;
	gate->leave(gate->ctx);
	return rc;
}

/*
 * Verifies pw against hash under the gate: 0 on a match, TD_ERR_INVALID
 * on none.  No hash (unknown email) or one that is no Argon2id of ours
 * (the placeholder "!") is checked against the dummy hash, so that every
 * failure costs the same.
 */
static int
gated_verify(
    const struct hash_gate *gate, const char *hash, const char *pw, size_t len)
{
	int rc, match = 0;

	if ((rc = gate->enter(gate->ctx)) != 0) {
		return rc;
	}
	if (hash != NULL && strncmp(hash, "$argon2id$", 10) == 0) {
		match = password_verify(hash, pw, len) == PASSWORD_OK;
	} else {
		password_verify_dummy(pw, len);
	}
	gate->leave(gate->ctx);
	return match ? 0 : TD_ERR_INVALID;
}

enum account_outcome
account_register(const struct account_store *store,
    const struct hash_gate *gate, const char *email, size_t email_len,
    const char *password, size_t password_len, const char *name,
    size_t name_len, struct account_result *out)
{
	char hash[PASSWORD_HASH_MAX],
	    token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	if (account_normalize_email(email, email_len, out->user.email) != 0) {
		return invalid(out, "email",
		    "email must be an address like "
		    "fan@example.com");
	}
	rc = password_check_policy(password, password_len);
	if (rc != PASSWORD_OK) {
		return invalid(out, "password", account_policy_message(rc));
	}
	if (normalize_name(name, name_len, out->user.name) != 0) {
		return invalid(out, "name", "name must be 1 to 100 characters");
	}
	if ((rc = account_gated_hash(gate, password, password_len, hash)) !=
	    0) {
		return fail(out, rc);
	}
	ids_new_user_id(out->user.id);
	out->user.role = ROLE_FAN;
	new_session(out, token_hash);
	rc = store->create_user(store->ctx, &out->user, hash, token_hash);
	if (rc == TD_ERR_CONFLICT) {
		out->token[0] = '\0';
		return decide(out, ACCOUNT_EMAIL_TAKEN);
	}
	if (rc != 0) {
		out->token[0] = '\0';
		return fail(out, rc);
	}
	return decide(out, ACCOUNT_OK);
}

int
account_wait_after(int failures)
{
	int wait = 1;

	if (failures < ACCOUNT_FREE_FAILURES) {
		return 0;
	}
	for (int i = ACCOUNT_FREE_FAILURES; i < failures; i++) {
		wait *= 2;
		if (wait >= ACCOUNT_MAX_WAIT_S) {
			return ACCOUNT_MAX_WAIT_S;
		}
	}
	return wait;
}

/* Seconds still to wait after failures, the last at last_s; 0 for none. */
static int
wait_left(int failures, int64_t last_s, int64_t now_s)
{
	int64_t since = now_s - last_s;
	int wait;

	if (failures == 0 || since >= ACCOUNT_FAILURE_WINDOW_S) {
		return 0;
	}
	wait = account_wait_after(failures);
	return since < wait ? (int)(wait - since) : 0;
}

/*
 * Seconds this address must wait before trying the email again: its own
 * failures, or everyone's when there are ACCOUNT_EMAIL_SPREAD times more.
 */
static int
still_waiting(const struct login_record *rec)
{
	int mine = wait_left(rec->failures, rec->last_failed_s, rec->now_s);
	int all = wait_left(rec->email_failures / ACCOUNT_EMAIL_SPREAD,
	    rec->email_last_failed_s, rec->now_s);

	return mine > all ? mine : all;
}

enum account_outcome
account_login(const struct account_store *store, const struct hash_gate *gate,
    const char *email, size_t email_len, const char *password,
    size_t password_len, const char *address, struct account_result *out)
{
	char norm[ACCOUNT_EMAIL_MAX + 1];
	char token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	struct login_record rec;
	int rc, verified;

	memset(out, 0, sizeof(*out));
	/* A malformed email cannot be an account: the same answer, same cost.
	 */
	if (account_normalize_email(email, email_len, norm) != 0) {
		rc = gated_verify(gate, NULL, password, password_len);
		return rc == TD_ERR_BUSY ? fail(out, rc)
		                         : decide(out, ACCOUNT_BAD_CREDENTIALS);
	}
	memset(&rec, 0, sizeof(rec));
	if ((rc = store->find_login(store->ctx, norm, address, &rec)) != 0) {
		return fail(out, rc);
	}
	out->retry_after_s = still_waiting(&rec);
	if (out->retry_after_s > 0) {
		return decide(out, ACCOUNT_THROTTLED);
	}

	verified = gated_verify(gate, rec.exists ? rec.password_hash : NULL,
	    password, password_len);
	if (verified == TD_ERR_BUSY) {
		return fail(out, verified);
	}
	if (verified != 0) {
		if ((rc = store->record_failure(store->ctx, norm, address)) !=
		    0) {
			return fail(out, rc);
		}
		return decide(out, ACCOUNT_BAD_CREDENTIALS);
	}

	out->user = rec.user;
	new_session(out, token_hash);
	rc = store->start_session(store->ctx, norm, address, rec.user.id,
	    token_hash, rec.password_hash);
	if (rc == TD_ERR_NOT_FOUND) {
		/* A reset changed the password while this one was checked. */
		out->token[0] = '\0';
		return decide(out, ACCOUNT_BAD_CREDENTIALS);
	}
	if (rc != 0) {
		out->token[0] = '\0';
		return fail(out, rc);
	}
	return decide(out, ACCOUNT_OK);
}

int
account_token_hash(const char *token, size_t len, char *hash)
{
	char text[SESSION_TOKEN_LEN + 1];

	if (session_token_parse(token, len) != 0) {
		return TD_ERR_INVALID;
	}
	memcpy(text, token, len);
	text[len] = '\0';
	session_token_hash(text, hash);
	return 0;
}

enum account_outcome
account_accept_session(const struct account_store *store,
    const char *token_hash, const struct session_record *rec,
    struct account_result *out)
{
	int rc;

	memset(out, 0, sizeof(*out));
	if (rec == NULL ||
	    !session_is_live(rec->now_s, rec->created_s, rec->last_seen_s,
	        SESSION_ABSOLUTE_TTL_S, SESSION_IDLE_TTL_S)) {
		return decide(out, ACCOUNT_UNAUTHENTICATED);
	}
	/* Idle expiry needs last_seen, but not a write on every request. */
	if (session_should_touch(rec->now_s, rec->last_seen_s) &&
	    (rc = store->touch_session(store->ctx, token_hash)) != 0) {
		log_warn("cannot touch a session: %s", td_strerror(rc));
	}
	out->user = rec->user;
	return decide(out, ACCOUNT_OK);
}

/* The live session behind token_hash, into out->user. */
static enum account_outcome
authenticate_hash(const struct account_store *store, const char *token_hash,
    struct account_result *out)
{
	struct session_record rec;
	int rc;

	memset(&rec, 0, sizeof(rec));
	rc = store->find_session(store->ctx, token_hash, &rec);
	if (rc != 0 && rc != TD_ERR_NOT_FOUND) {
		return fail(out, rc);
	}
	return account_accept_session(
	    store, token_hash, rc == 0 ? &rec : NULL, out);
}

enum account_outcome
account_authenticate(const struct account_store *store, const char *token,
    size_t len, struct account_result *out)
{
	char token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];

	memset(out, 0, sizeof(*out));
	if (account_token_hash(token, len, token_hash) != 0) {
		return decide(out, ACCOUNT_UNAUTHENTICATED);
	}
	return authenticate_hash(store, token_hash, out);
}

enum account_outcome
account_logout(const struct account_store *store, const char *token, size_t len,
    struct account_result *out)
{
	char token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	int rc;

	memset(out, 0, sizeof(*out));
	if (account_token_hash(token, len, token_hash) != 0) {
		return decide(out, ACCOUNT_UNAUTHENTICATED);
	}
	/* Only a live session signs out: an expired one is already out. */
	if (authenticate_hash(store, token_hash, out) != ACCOUNT_OK) {
		return out->outcome;
	}
	rc = store->revoke_session(store->ctx, token_hash);
	if (rc == TD_ERR_NOT_FOUND) {
		return decide(out, ACCOUNT_UNAUTHENTICATED);
	}
	return rc == 0 ? decide(out, ACCOUNT_OK) : fail(out, rc);
}
