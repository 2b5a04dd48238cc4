/*
 * account_mail.c - verifying an address and resetting a password, as
 * decisions over a store.  Neither answer ever says whether an address has
 * an account.
 */
#include "config.h"

#include <string.h>

#include "base/errors.h"
#include "domain/account_mail.h"

static enum account_mail_outcome
decide(struct account_mail_result *out, enum account_mail_outcome o)
{
	out->outcome = o;
	return o;
}

static enum account_mail_outcome
fail(struct account_mail_result *out, int err)
{
	out->error = err;
	return decide(out, MAIL_FAILED);
}

enum account_mail_outcome
account_verify_email(const struct account_mail_store *store,
    const unsigned char key[LINK_KEY_BYTES], const char *token, size_t len,
    int64_t now_s, struct account_mail_result *out)
{
	struct link_claim claim;
	int err;

	memset(out, 0, sizeof(*out));
	if (link_token_verify(token, len, key, &claim) != 0) {
		return decide(out, MAIL_INVALID_TOKEN);
	}
	if (claim.expires_s <= now_s) {
		return decide(out, MAIL_TOKEN_EXPIRED);
	}
	err = store->verify(
	    store->ctx, claim.user_id, claim.email_hash, &out->user);
	if (err == TD_ERR_NOT_FOUND) {
		/* The account is gone, or its address changed since. */
		return decide(out, MAIL_INVALID_TOKEN);
	}
	return err != 0 ? fail(out, err) : decide(out, MAIL_OK);
}

enum account_mail_outcome
account_request_reset(const struct account_mail_store *store, const char *email,
    size_t len, struct account_mail_result *out)
{
	char normalized[ACCOUNT_EMAIL_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	if (account_normalize_email(email, len, normalized) != 0) {
		out->field = "email";
		out->message = "email must be an address like fan@example.com";
		return decide(out, MAIL_INVALID);
	}
	err = store->request_reset(store->ctx, normalized);
	return err != 0 ? fail(out, err) : decide(out, MAIL_OK);
}

/* The token's hash, or -1 when it is no token of ours at all. */
static int
token_hash_of(
    const char *token, size_t len, char hash[SESSION_TOKEN_HASH_HEX_LEN + 1])
{
	if (session_token_parse(token, len) != 0) {
		return -1;
	}
	session_token_hash(token, hash);
	return 0;
}

static enum account_mail_outcome
refuse_reset(struct account_mail_result *out, enum reset_state state)
{
	return decide(out,
	    state == RESET_EXPIRED ? MAIL_TOKEN_EXPIRED : MAIL_INVALID_TOKEN);
}

enum account_mail_outcome
account_reset_password(const struct account_mail_store *store,
    const struct hash_gate *gate, const char *token, size_t token_len,
    const char *password, size_t password_len, struct account_mail_result *out)
{
	char hash[PASSWORD_HASH_MAX],
	    token_hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	enum reset_state state;
	int err, rc;

	memset(out, 0, sizeof(*out));
	rc = password_check_policy(password, password_len);
	if (rc != PASSWORD_OK) {
		out->field = "password";
		out->message = account_policy_message(rc);
		return decide(out, MAIL_INVALID);
	}
	if (token_hash_of(token, token_len, token_hash) != 0) {
		return decide(out, MAIL_INVALID_TOKEN);
	}
	/* A dead token costs no hashing. */
	if ((err = store->reset_state(store->ctx, token_hash, &state)) != 0) {
		return fail(out, err);
	}
	if (state != RESET_VALID) {
		return refuse_reset(out, state);
	}
	if ((err = account_gated_hash(gate, password, password_len, hash)) !=
	    0) {
		return fail(out, err);
	}
	/* Used once: a second request with it, even at the same time, fails. */
	if ((err = store->reset(store->ctx, token_hash, hash, &state)) != 0) {
		return fail(out, err);
	}
	return state == RESET_VALID ? decide(out, MAIL_OK)
	                            : refuse_reset(out, state);
}
