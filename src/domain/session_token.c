/*
 * session_token.c - session tokens, their stored hash, and expiry.
 */
#include "config.h"

#include <sodium.h>

#include "domain/session_token.h"

_Static_assert(
    SESSION_TOKEN_LEN + 1 == sodium_base64_ENCODED_LEN(SESSION_TOKEN_BYTES,
                                 sodium_base64_VARIANT_URLSAFE_NO_PADDING),
    "SESSION_TOKEN_LEN must be the encoded length of SESSION_TOKEN_BYTES");
_Static_assert(SESSION_TOKEN_HASH_HEX_LEN == crypto_hash_sha256_BYTES * 2,
    "SESSION_TOKEN_HASH_HEX_LEN must be SHA-256 in hex");

void
session_token_new(char out[SESSION_TOKEN_LEN + 1])
{
	unsigned char bytes[SESSION_TOKEN_BYTES];

	randombytes_buf(bytes, sizeof(bytes));
	sodium_bin2base64(out, SESSION_TOKEN_LEN + 1, bytes, sizeof(bytes),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(bytes, sizeof(bytes));
}

void
session_token_hash(
    const char *token, char out_hex[SESSION_TOKEN_HASH_HEX_LEN + 1])
{
	unsigned char digest[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(
	    digest, (const unsigned char *)token, SESSION_TOKEN_LEN);
	sodium_bin2hex(
	    out_hex, SESSION_TOKEN_HASH_HEX_LEN + 1, digest, sizeof(digest));
}

/* The 6-bit value of a base64url character, or -1 outside the alphabet. */
static int
base64url_value(char c)
{
	if (c >= 'A' && c <= 'Z') {
		return c - 'A';
	}
	if (c >= 'a' && c <= 'z') {
		return c - 'a' + 26;
	}
	if (c >= '0' && c <= '9') {
		return c - '0' + 52;
	}
	if (c == '-') {
		return 62;
	}
	if (c == '_') {
		return 63;
	}
	return -1;
}

int
session_token_parse(const char *text, size_t len)
{
	int v = 0;

	if (len != SESSION_TOKEN_LEN) {
		return SESSION_TOKEN_ERR_LENGTH;
	}
	for (size_t i = 0; i < len; i++) {
		v = base64url_value(text[i]);
		if (v < 0) {
			return SESSION_TOKEN_ERR_ALPHABET;
		}
	}

	/*
	 * 43 characters carry 258 bits for 256: the last character's two
	 * low bits are zero in every token we issue.  Refusing the other
	 * spellings keeps one token to one cookie value.
	 */
	if ((v & 0x3) != 0) {
		return SESSION_TOKEN_ERR_NONCANONICAL;
	}
	return SESSION_TOKEN_OK;
}

/* b - a when b is later than a, else 0; no signed overflow for any input. */
static uint64_t
elapsed(int64_t a, int64_t b)
{
	return b > a ? (uint64_t)b - (uint64_t)a : 0;
}

bool
session_is_live(int64_t now_s, int64_t created_s, int64_t last_seen_s,
    int64_t absolute_ttl_s, int64_t idle_ttl_s)
{
	if (absolute_ttl_s <= 0 || idle_ttl_s <= 0) {
		return false;
	}
	return elapsed(created_s, now_s) < (uint64_t)absolute_ttl_s &&
	       elapsed(last_seen_s, now_s) < (uint64_t)idle_ttl_s;
}

bool
session_should_touch(int64_t now_s, int64_t last_seen_s)
{
	return elapsed(last_seen_s, now_s) >=
	       (uint64_t)SESSION_TOUCH_INTERVAL_S;
}
