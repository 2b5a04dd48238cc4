/*
 * account_mail.h - what an account does by email: verify its address
 * through a signed, expiring link, and reset a forgotten password through
 * a single-use, expiring token (every session revoked after).  Plain C:
 * the store and the mailer do the rest.
 */
#ifndef TICKETD_ACCOUNT_MAIL_H
#define TICKETD_ACCOUNT_MAIL_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/account.h"
#include "domain/link_token.h"

#define VERIFY_LINK_TTL_S (48 * 3600)
#define RESET_TOKEN_TTL_S 3600

enum reset_state { RESET_VALID, RESET_UNKNOWN, RESET_USED, RESET_EXPIRED };

/* The store behind it (store/account_mail_store.c). */
struct account_mail_store {
	void *ctx;
	/*
	 * Marks the address verified when the account still has the address
	 * of email_hash; fills user.  TD_ERR_NOT_FOUND otherwise.
	 */
	int (*verify)(void *ctx, const char *user_id, const char *email_hash,
	    struct user *out);
	/* Owes a reset email to the account of email, if any (never says). */
	int (*request_reset)(void *ctx, const char *email);
	/* Owes the account a verification email again, if it is unverified. */
	int (*resend_verification)(void *ctx, const char *user_id);
	int (*reset_state)(
	    void *ctx, const char *token_hash, enum reset_state *out);
	/*
	 * Uses the token once: the new hash, the address verified, every
	 * session revoked.  *out: the token's state before (RESET_VALID: done).
	 */
	int (*reset)(void *ctx, const char *token_hash,
	    const char *password_hash, enum reset_state *out);
};

enum account_mail_outcome {
	MAIL_OK,
	MAIL_INVALID_TOKEN, /* forged, malformed, unknown, used, or the address
	                       changed */
	MAIL_TOKEN_EXPIRED,
	MAIL_INVALID, /* field, message: the new password or the email */
	MAIL_FAILED   /* error */
};

struct account_mail_result {
	enum account_mail_outcome outcome;
	int error;
	const char *field;
	const char *message;
	struct user user; /* MAIL_OK of a verification */
};

/* A verification link's token: marks the address verified (idempotent). */
enum account_mail_outcome account_verify_email(
    const struct account_mail_store *store,
    const unsigned char key[LINK_KEY_BYTES], const char *token, size_t len,
    int64_t now_s, struct account_mail_result *out);

/*
 * Asks for a reset email for email (len bytes): MAIL_OK whether or not the
 * address has an account, so the answer tells nobody which do.
 */
enum account_mail_outcome account_request_reset(
    const struct account_mail_store *store, const char *email, size_t len,
    struct account_mail_result *out);

/*
 * Sets a new password with a reset token (the email's), hashing it through
 * gate: checks the token before the costly hash, then uses it once.
 */
enum account_mail_outcome account_reset_password(
    const struct account_mail_store *store, const struct hash_gate *gate,
    const char *token, size_t token_len, const char *password,
    size_t password_len, struct account_mail_result *out);

#endif
