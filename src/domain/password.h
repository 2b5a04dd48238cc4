/*
 * password.h - fans' passwords: Argon2id hashes (libsodium) and the policy
 * a new password must meet.
 *
 * Hashing costs about 17 ms of CPU and 19 MiB of memory per call on the
 * deployment machine (DESIGN.md): call it from the booking pool only,
 * bound concurrent hashes and rate-limit logins in the caller.
 *
 * Passwords are byte strings with a length, never NUL-terminated strings:
 * the policy counts bytes and a NUL inside is refused rather than cut.
 */
#ifndef TICKETD_PASSWORD_H
#define TICKETD_PASSWORD_H

#include <stdbool.h>
#include <stddef.h>

/*
 * OWASP's minimum for Argon2id (t=2, m=19 MiB, p=1).  libsodium's
 * "interactive" preset is 64 MiB, which a prefork pool pays per
 * concurrent hash; these are what every stored hash is made with.
 */
#define PASSWORD_OPSLIMIT 2
#define PASSWORD_MEMLIMIT ((size_t)19 * 1024 * 1024)

/* Room for an encoded hash and its NUL (crypto_pwhash_STRBYTES). */
#define PASSWORD_HASH_MAX 128

/* The policy's bounds, in bytes of UTF-8. */
#define PASSWORD_MIN_BYTES 10
#define PASSWORD_MAX_BYTES 128

enum password_error {
	PASSWORD_OK = 0,
	PASSWORD_ERR_MISMATCH = -1,  /* wrong password, or an unusable hash */
	PASSWORD_ERR_TOO_SHORT = -2, /* policy: under PASSWORD_MIN_BYTES */
	PASSWORD_ERR_TOO_LONG = -3,  /* policy: over PASSWORD_MAX_BYTES */
	PASSWORD_ERR_ENCODING = -4,  /* policy: not UTF-8, or a NUL inside */
	PASSWORD_ERR_INTERNAL = -5   /* out of memory, or no password_init() */
};

/*
 * Initializes libsodium (sodium_init: CPU feature detection, which picks
 * the fast Argon2 code, and the random source) and makes the hash that
 * password_verify_dummy() checks against.  Call it once in the master
 * before forking: the workers inherit both, and the dummy hash's ~17 ms
 * is paid once instead of once per worker.  Calling it again is harmless.
 * Returns 0, or PASSWORD_ERR_INTERNAL when libsodium cannot start or the
 * dummy hash cannot be made (out of memory).
 */
int password_init(void);

/*
 * Hashes len bytes of pw into out as libsodium's encoded string
 * ("$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>", NUL-terminated), with
 * a fresh random salt.  It does not apply the policy: the caller runs
 * password_check_policy() first, so a policy change never needs a
 * different hash function.  Returns 0, or PASSWORD_ERR_INTERNAL (out of
 * memory for Argon2's 19 MiB); out is then "".
 */
int password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX]);

/*
 * Checks len bytes of pw against an encoded hash as stored (NUL-terminated,
 * shorter than PASSWORD_HASH_MAX) in constant time with respect to the
 * password.  Returns 0 on a match, PASSWORD_ERR_MISMATCH otherwise -
 * libsodium reports a malformed hash and an out-of-memory failure the
 * same way, so those are mismatches too.
 */
int password_verify(const char *hash, const char *pw, size_t len);

/*
 * For a login whose email matches no fan: does the work of one
 * password_verify() against a hash made by password_init() from random
 * bytes nobody knows, so "no such email" and "wrong password" take the
 * same time and a timing probe cannot list the fans' emails.  Returns
 * PASSWORD_ERR_MISMATCH always, or PASSWORD_ERR_INTERNAL when
 * password_init() was not called.
 */
int password_verify_dummy(const char *pw, size_t len);

/* The hash password_verify_dummy() checks against ("" before init). */
const char *password_dummy_hash(void);

/*
 * True when hash was made with other parameters than PASSWORD_OPSLIMIT
 * and PASSWORD_MEMLIMIT (or cannot be parsed): after a successful login
 * the caller hashes the password again and stores the new hash.
 */
bool password_needs_rehash(const char *hash);

/*
 * The policy for a new password: PASSWORD_MIN_BYTES..PASSWORD_MAX_BYTES
 * bytes of strict UTF-8 (no overlong forms, no surrogates, nothing above
 * U+10FFFF) without NUL.  Returns 0, PASSWORD_ERR_TOO_SHORT,
 * PASSWORD_ERR_TOO_LONG or PASSWORD_ERR_ENCODING.  Logins do not apply it:
 * a password set under an older policy must still work.
 */
int password_check_policy(const char *pw, size_t len);

#endif
