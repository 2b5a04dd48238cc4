/*
 * link_token.c - HMAC-SHA-256 over a small binary claim; the MAC is
 * compared in constant time by libsodium, and nothing is read from a token
 * before its MAC holds.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "base/errors.h"
#include "domain/link_token.h"

#define HASH_BYTES (LINK_EMAIL_HASH_HEX / 2)
#define BIN_MAX                                                                \
	(1 + IDS_SLUG_MAX + HASH_BYTES + 8 + crypto_auth_hmacsha256_BYTES)

void
link_email_hash(const char *email, char out[LINK_EMAIL_HASH_HEX + 1])
{
	unsigned char h[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(h, (const unsigned char *)email, strlen(email));
	sodium_bin2hex(out, LINK_EMAIL_HASH_HEX + 1, h, HASH_BYTES);
}

int
link_token_sign(const struct link_claim *claim,
    const unsigned char key[LINK_KEY_BYTES], char *out, size_t len)
{
	unsigned char bin[BIN_MAX];
	size_t idlen = strlen(claim->user_id), n = 0;
	uint64_t exp = (uint64_t)claim->expires_s;

	if (idlen < 2 || idlen > IDS_SLUG_MAX ||
	    len < sodium_base64_ENCODED_LEN(
	              BIN_MAX, sodium_base64_VARIANT_URLSAFE_NO_PADDING)) {
		return TD_ERR_INVALID;
	}
	bin[n++] = (unsigned char)idlen;
	memcpy(bin + n, claim->user_id, idlen);
	n += idlen;
	if (sodium_hex2bin(bin + n, HASH_BYTES, claim->email_hash,
	        LINK_EMAIL_HASH_HEX, NULL, NULL, NULL) != 0) {
		return TD_ERR_INVALID;
	}
	n += HASH_BYTES;
	for (int i = 7; i >= 0; i--) {
		bin[n++] = (unsigned char)(exp >> (8 * i));
	}
	crypto_auth_hmacsha256(bin + n, bin, n, key);
	n += crypto_auth_hmacsha256_BYTES;
	sodium_bin2base64(
	    out, len, bin, n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return 0;
}

int
link_token_verify(const char *text, size_t len,
    const unsigned char key[LINK_KEY_BYTES], struct link_claim *out)
{
	unsigned char bin[BIN_MAX];
	size_t n, idlen, signed_len;
	uint64_t exp = 0;

	/* Only the URL-safe alphabet: libsodium's decoder is lenient. */
	if (len == 0 || len > LINK_TOKEN_MAX) {
		return TD_ERR_INVALID;
	}
	for (size_t i = 0; i < len; i++) {
		char c = text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		        (c >= '0' && c <= '9') || c == '-' || c == '_')) {
			return TD_ERR_INVALID;
		}
	}
	if (sodium_base642bin(bin, sizeof(bin), text, len, NULL, &n, NULL,
	        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
	    n < 1 + 2 + HASH_BYTES + 8 + crypto_auth_hmacsha256_BYTES) {
		return TD_ERR_INVALID;
	}
	signed_len = n - crypto_auth_hmacsha256_BYTES;
	if (crypto_auth_hmacsha256_verify(
	        bin + signed_len, bin, signed_len, key) != 0) {
		return TD_ERR_INVALID;
	}
	idlen = bin[0];
	if (idlen < 2 || idlen > IDS_SLUG_MAX ||
	    signed_len != 1 + idlen + HASH_BYTES + 8) {
		return TD_ERR_INVALID;
	}
	memcpy(out->user_id, bin + 1, idlen);
	out->user_id[idlen] = '\0';
	if (!ids_is_slug(out->user_id)) {
		return TD_ERR_INVALID;
	}
	sodium_bin2hex(out->email_hash, sizeof(out->email_hash),
	    bin + 1 + idlen, HASH_BYTES);
	for (int i = 0; i < 8; i++) {
		exp = exp << 8 | bin[1 + idlen + HASH_BYTES + i];
	}
	out->expires_s = (int64_t)exp;
	return 0;
}

void
link_token_key(const unsigned char seed[32], unsigned char out[LINK_KEY_BYTES])
{
	static const char context[] = "ticketd email links v1";

	/* A key of its own, derived from the deployment's one secret. */
	crypto_generichash(out, LINK_KEY_BYTES, (const unsigned char *)context,
	    sizeof(context) - 1, seed, 32);
}
