/*
 * link_token.h - the token of an email's verification link: signed with a
 * key only ticketd holds, so nothing needs storing to check it, and it says
 * whose address it verifies, which address, and until when.
 */
#ifndef TICKETD_LINK_TOKEN_H
#define TICKETD_LINK_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "domain/ids.h"

#define LINK_KEY_BYTES 32
#define LINK_EMAIL_HASH_HEX 32 /* the address, as 16 bytes of its SHA-256 */
/* base64url of id length, id, address hash, expiry, HMAC-SHA-256. */
#define LINK_TOKEN_MAX 162 /* 121 bytes at most */

struct link_claim {
	char user_id[IDS_SLUG_MAX + 1];
	char email_hash[LINK_EMAIL_HASH_HEX + 1]; /* hex */
	int64_t expires_s;                        /* Unix time */
};

/*
 * The links' key, derived from the deployment's secret seed (the tickets'
 * signing seed: one secret to keep, a key per purpose).
 */
void link_token_key(
    const unsigned char seed[32], unsigned char out[LINK_KEY_BYTES]);

/* The hex SHA-256 prefix of an address, as a claim and the store carry it. */
void link_email_hash(const char *email, char out[LINK_EMAIL_HASH_HEX + 1]);

/* Writes the token of claim into out (LINK_TOKEN_MAX + 1 bytes). */
int link_token_sign(const struct link_claim *claim,
    const unsigned char key[LINK_KEY_BYTES], char *out, size_t len);

/*
 * Checks text (len bytes) against key and reads its claim.  Returns 0 (the
 * caller checks expires_s against its clock), or TD_ERR_INVALID for
 * anything malformed or not signed with key.
 */
int link_token_verify(const char *text, size_t len,
    const unsigned char key[LINK_KEY_BYTES], struct link_claim *out);

#endif
