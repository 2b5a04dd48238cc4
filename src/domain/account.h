/*
 * account.h - fans and admins, their sessions and sign-in: the rules,
 * over a store it is given.  Plain C: no HTTP, JSON or SQL here.
 *
 * A session is a random 256-bit token (session_token.c) held only by the
 * fan's cookie; the store keeps its SHA-256.  A password is hashed with
 * Argon2id (password.c).  Sign-ins that fail repeatedly for one email,
 * known or not, slow that email down (ACCOUNT_FREE_FAILURES, then a
 * doubling wait), so neither guessing nor the slowing tells whether an
 * account exists.
 */
#ifndef TICKETD_ACCOUNT_H
#define TICKETD_ACCOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ids.h"
#include "domain/password.h"
#include "domain/session_token.h"

#define ACCOUNT_EMAIL_MAX 254
#define ACCOUNT_NAME_MAX_CHARS 100
#define ACCOUNT_NAME_MAX (ACCOUNT_NAME_MAX_CHARS * 4) /* UTF-8 bytes */
#define ACCOUNT_ID_LEN 34                             /* "u_" + 32 hex */

/*
 * Failed sign-ins of one email from one address answered normally before
 * slowing down.  Counted per address, so a stranger's guesses slow the
 * stranger, not the fan; all addresses together get ACCOUNT_EMAIL_SPREAD
 * times as many (a guessing botnet slows down too).
 */
#define ACCOUNT_FREE_FAILURES 5
#define ACCOUNT_EMAIL_SPREAD 20
/* The longest wait after repeated failures, and how long they count. */
#define ACCOUNT_MAX_WAIT_S 300
#define ACCOUNT_FAILURE_WINDOW_S 3600

/*
 * Staff check tickets in at the door (and may read any booking's
 * tickets); admins may do all staff do, and run the box office.
 */
enum role { ROLE_FAN, ROLE_ADMIN, ROLE_STAFF };

struct user {
	char id[IDS_SLUG_MAX + 1];
	char email[ACCOUNT_EMAIL_MAX + 1];
	char name[ACCOUNT_NAME_MAX + 1];
	enum role role;
	bool email_verified; /* the fan followed the link we emailed */
};

/* What the store knows of an email at sign-in, in one read. */
struct login_record {
	bool exists;
	struct user user;
	char password_hash[PASSWORD_HASH_MAX];
	int failures;          /* recent failed sign-ins, this address */
	int64_t last_failed_s; /* when its last one was */
	int email_failures;    /* recent failed sign-ins, every address */
	int64_t email_last_failed_s;
	int64_t now_s; /* the database's clock */
};

/* A session as the store has it. */
struct session_record {
	struct user user;
	int64_t created_s;
	int64_t last_seen_s;
	int64_t now_s; /* the database's clock */
};

/*
 * The store the account rules run against (store/account_store.c, or a
 * fake in the unit tests).  Each returns 0 or a negative td_error.
 */
struct account_store {
	void *ctx;
	/* TD_ERR_CONFLICT when the email is taken.  Starts a session too. */
	int (*create_user)(void *ctx, const struct user *u,
	    const char *password_hash, const char *token_hash);
	/* Always fills out (exists false for an unknown email). */
	int (*find_login)(void *ctx, const char *email, const char *address,
	    struct login_record *out);
	int (*record_failure)(
	    void *ctx, const char *email, const char *address);
	/* Clears the email's failures from address and starts a session. */
	/*
	 * ... while the account's hash is still password_hash (the one just
	 * verified); TD_ERR_NOT_FOUND when a reset changed it meanwhile.
	 */
	int (*start_session)(void *ctx, const char *email, const char *address,
	    const char *user_id, const char *token_hash,
	    const char *password_hash);
	/* TD_ERR_NOT_FOUND for an unknown or revoked session. */
	int (*find_session)(
	    void *ctx, const char *token_hash, struct session_record *out);
	int (*touch_session)(void *ctx, const char *token_hash);
	/* TD_ERR_NOT_FOUND when there was no live session to revoke. */
	int (*revoke_session)(void *ctx, const char *token_hash);
};

/*
 * Bounds the password hashes in flight (each ~19 MiB and ~15 ms of CPU):
 * enter returns 0, or TD_ERR_BUSY when no slot came free soon (the caller
 * answers 503 rather than queue).  Held only around the hash itself.
 */
struct hash_gate {
	void *ctx;
	int (*enter)(void *ctx);
	void (*leave)(void *ctx);
};

enum account_outcome {
	ACCOUNT_OK,
	ACCOUNT_INVALID, /* field names what is wrong */
	ACCOUNT_EMAIL_TAKEN,
	ACCOUNT_BAD_CREDENTIALS,
	ACCOUNT_THROTTLED, /* retry_after_s says when to try again */
	ACCOUNT_UNAUTHENTICATED,
	ACCOUNT_FAILED /* error says why (a td_error) */
};

struct account_result {
	enum account_outcome outcome;
	int error;
	const char *field;   /* ACCOUNT_INVALID: "email", "password", "name" */
	const char *message; /* ACCOUNT_INVALID: why, for a person */
	int retry_after_s;
	struct user user;
	char token[SESSION_TOKEN_LEN + 1]; /* a new session's token */
};

/*
 * Trims and lower-cases an email into out (ACCOUNT_EMAIL_MAX + 1 bytes)
 * and checks its shape: local@domain, printable ASCII without spaces,
 * a dot in the domain.  Returns 0 or TD_ERR_INVALID.
 */
int account_normalize_email(const char *email, size_t len, char *out);

/* Signs a new fan up and in.  Hashes the password: keep it off the read pool.
 */
enum account_outcome account_register(const struct account_store *store,
    const struct hash_gate *gate, const char *email, size_t email_len,
    const char *password, size_t password_len, const char *name,
    size_t name_len, struct account_result *out);

/*
 * Signs in from address (the client's).  Unknown email and wrong
 * password cost the same and answer the same.
 */
enum account_outcome account_login(const struct account_store *store,
    const struct hash_gate *gate, const char *email, size_t email_len,
    const char *password, size_t password_len, const char *address,
    struct account_result *out);

/*
 * The hash a session token (len bytes) is stored under, into hash
 * (SESSION_TOKEN_HASH_HEX_LEN + 1 bytes).  Returns 0, or TD_ERR_INVALID
 * for a token of the wrong shape: a forged shape never reaches the
 * database.
 */
int account_token_hash(const char *token, size_t len, char *hash);

/*
 * The account rules on the session a read found behind token_hash (rec;
 * NULL: none, and token_hash is not used), for a read that did more than
 * find it (a booking's check): ACCOUNT_OK with out->user when it is live,
 * touched when due; else ACCOUNT_UNAUTHENTICATED.
 */
enum account_outcome account_accept_session(const struct account_store *store,
    const char *token_hash, const struct session_record *rec,
    struct account_result *out);

/* The user behind a session token (the cookie's value, len bytes). */
enum account_outcome account_authenticate(const struct account_store *store,
    const char *token, size_t len, struct account_result *out);

/* Revokes the session of token. */
enum account_outcome account_logout(const struct account_store *store,
    const char *token, size_t len, struct account_result *out);

/* Hashes pw (len bytes) under the gate into hash.  0 or a td_error. */
int account_gated_hash(
    const struct hash_gate *gate, const char *pw, size_t len, char *hash);

/* Why password_check_policy() refused a password, for a person. */
const char *account_policy_message(int rc);

/* How long one more failed sign-in must wait, after failures of them. */
int account_wait_after(int failures);

/* "fan", "staff" or "admin"; and back (0 or TD_ERR_INVALID). */
const char *account_role_name(enum role role);
int account_role_parse(const char *s, enum role *role);

#endif
