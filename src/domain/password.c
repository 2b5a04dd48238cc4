/*
 * password.c - Argon2id password hashes through libsodium.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include <sodium.h>

#include "domain/password.h"
#include "domain/utf8.h"

_Static_assert(PASSWORD_HASH_MAX == crypto_pwhash_STRBYTES,
    "PASSWORD_HASH_MAX must match libsodium's encoded hash size");
_Static_assert(PASSWORD_MAX_BYTES <= crypto_pwhash_PASSWD_MAX,
    "the policy allows passwords libsodium cannot hash");

/*
 * Made by password_init() in the master and inherited by every worker;
 * "" until then, which password_verify_dummy() refuses rather than answer
 * in microseconds and give the timing away.
 */
static char dummy_hash[PASSWORD_HASH_MAX];

int
password_init(void)
{
	unsigned char secret[32];
	int rc = PASSWORD_ERR_INTERNAL;

	if (dummy_hash[0] != '\0') {
		return PASSWORD_OK;
	}
	if (sodium_init() < 0) {
		goto out;
	}

	/* Nobody knows these bytes, so no password can ever match. */
	randombytes_buf(secret, sizeof(secret));
	if (crypto_pwhash_str_alg(dummy_hash, (const char *)secret,
	        sizeof(secret), PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT,
	        crypto_pwhash_ALG_ARGON2ID13) != 0) {
		dummy_hash[0] = '\0';
		goto out;
	}
	rc = PASSWORD_OK;

out:
	sodium_memzero(secret, sizeof(secret));
	return rc;
}

int
password_hash(const char *pw, size_t len, char out[PASSWORD_HASH_MAX])
{
	/* _alg pins Argon2id: crypto_pwhash_str's default may change. */
	if (crypto_pwhash_str_alg(out, pw, len, PASSWORD_OPSLIMIT,
	        PASSWORD_MEMLIMIT, crypto_pwhash_ALG_ARGON2ID13) != 0) {
		out[0] = '\0';
		return PASSWORD_ERR_INTERNAL;
	}
	return PASSWORD_OK;
}

int
password_verify(const char *hash, const char *pw, size_t len)
{
	/* libsodium reads the hash as a string: refuse one it would overrun. */
	if (strnlen(hash, PASSWORD_HASH_MAX) == PASSWORD_HASH_MAX) {
		return PASSWORD_ERR_MISMATCH;
	}
	if (crypto_pwhash_str_verify(hash, pw, len) != 0) {
		return PASSWORD_ERR_MISMATCH;
	}
	return PASSWORD_OK;
}

int
password_verify_dummy(const char *pw, size_t len)
{
	int rc;

	if (dummy_hash[0] == '\0') {
		return PASSWORD_ERR_INTERNAL;
	}

	/* Only the time matters: whatever libsodium says, it is no match. */
	rc = crypto_pwhash_str_verify(dummy_hash, pw, len);
	(void)rc;
	return PASSWORD_ERR_MISMATCH;
}

const char *
password_dummy_hash(void)
{
	return dummy_hash;
}

bool
password_needs_rehash(const char *hash)
{
	if (strnlen(hash, PASSWORD_HASH_MAX) == PASSWORD_HASH_MAX) {
		return true;
	}
	/* Also true for a hash of another algorithm (argon2i, say). */
	return crypto_pwhash_argon2id_str_needs_rehash(
	           hash, PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0;
}

/*
 * Strict UTF-8 that allows every code point but U+0000.  Not
 * ids_is_clean_utf8(): that one also refuses tabs and other controls,
 * which the password contract allows.
 */
static bool
is_utf8_without_nul(const unsigned char *p, size_t len)
{
	const unsigned char *end = p + len;
	uint32_t cp;

	while (p < end) {
		if (utf8_next(&p, end, &cp) != 0 || cp == 0) {
			return false;
		}
	}
	return true;
}

int
password_check_policy(const char *pw, size_t len)
{
	if (len < PASSWORD_MIN_BYTES) {
		return PASSWORD_ERR_TOO_SHORT;
	}
	if (len > PASSWORD_MAX_BYTES) {
		return PASSWORD_ERR_TOO_LONG;
	}
	if (!is_utf8_without_nul((const unsigned char *)pw, len)) {
		return PASSWORD_ERR_ENCODING;
	}
	return PASSWORD_OK;
}
