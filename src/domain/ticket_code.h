/*
 * ticket_code.h - the code printed on a ticket (a QR code): which
 * booking, which of its tickets and which concert, signed with Ed25519 so
 * that a door device holding only the public key can check it offline.
 *
 * Format, version 1 (what a door device implements):
 *
 *   code    = "T1." base64url(payload || signature)     no padding
 *   signed  = "T1." || payload                          the prefix too
 *   payload = id(booking) || index || id(concert)
 *   index   = 1 byte, the ticket's place in its booking (0-based)
 *   id      = 1 byte L in 1..64, then L bytes [A-Za-z0-9_-]       a slug
 *           | 1 byte 0x80+P, P in 0..8, then P slug bytes and 16
 *             bytes: the slug is the P bytes and 32 lowercase hex
 *             digits of the 16 bytes (ticketd's own ids: "bk_", "c_")
 *   signature = crypto_sign_detached (Ed25519, 64 bytes) of signed
 *
 * An id that has the packed shape is always packed, so a ticket has
 * exactly one code.  A booking id and a concert id of ticketd's own make
 * a code of 142 characters.  Any other version is a new prefix.
 */
#ifndef TICKETD_TICKET_CODE_H
#define TICKETD_TICKET_CODE_H

#include <stddef.h>

#include "domain/ids.h"

#define TICKET_CODE_PREFIX "T1."
#define TICKET_CODE_PREFIX_LEN 3
#define TICKET_CODE_PUBLIC_KEY_BYTES 32 /* crypto_sign_PUBLICKEYBYTES */
#define TICKET_CODE_SECRET_KEY_BYTES 64 /* crypto_sign_SECRETKEYBYTES */
#define TICKET_CODE_SEED_BYTES 32       /* crypto_sign_SEEDBYTES */
#define TICKET_CODE_SIGNATURE_BYTES 64  /* crypto_sign_BYTES */
#define TICKET_CODE_INDEX_MAX 255       /* one byte */

/* The bytes after the prefix: the longest and shortest payload, signed. */
#define TICKET_CODE_ID_MAX_BYTES (1 + IDS_SLUG_MAX)
#define TICKET_CODE_BIN_MAX                                                    \
	(2 * TICKET_CODE_ID_MAX_BYTES + 1 + TICKET_CODE_SIGNATURE_BYTES)
#define TICKET_CODE_BIN_MIN (2 * 2 + 1 + TICKET_CODE_SIGNATURE_BYTES)

/* base64url without padding of n bytes: 4 characters per 3 bytes. */
#define TICKET_CODE_B64_LEN(n) (((n) / 3) * 4 + ((n) % 3 ? (n) % 3 + 1 : 0))

/* The longest and shortest codes, in characters. */
#define TICKET_CODE_MAX_LEN                                                    \
	(TICKET_CODE_PREFIX_LEN + TICKET_CODE_B64_LEN(TICKET_CODE_BIN_MAX))
#define TICKET_CODE_MIN_LEN                                                    \
	(TICKET_CODE_PREFIX_LEN + TICKET_CODE_B64_LEN(TICKET_CODE_BIN_MIN))

/* The public key as base64url without padding (43 characters). */
#define TICKET_CODE_PUBLIC_KEY_TEXT_LEN                                        \
	TICKET_CODE_B64_LEN(TICKET_CODE_PUBLIC_KEY_BYTES)

/* What a code says. */
struct ticket_claim {
	char booking_id[IDS_SLUG_MAX + 1];
	int index; /* 0 .. TICKET_CODE_INDEX_MAX */
	char concert_id[IDS_SLUG_MAX + 1];
};

/*
 * The key pair of a 32-byte seed (the secret a deployment keeps in
 * TICKETD_TICKET_KEY_FILE).  Deterministic: one seed, one pair.
 */
void ticket_code_keypair(const unsigned char seed[TICKET_CODE_SEED_BYTES],
    unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES],
    unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES]);

/*
 * Writes the code of claim, signed with sk, and a NUL into out (len
 * bytes; TICKET_CODE_MAX_LEN + 1 always fit).  Returns 0, TD_ERR_INVALID
 * when the claim's ids are not slugs or its index is out of range, or
 * TD_ERR_TOO_LARGE when out is too small.
 */
int ticket_code_sign(const struct ticket_claim *claim,
    const unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES], char *out,
    size_t len);

/*
 * Checks the len bytes of code (no NUL needed) against the public key pk
 * and fills out with what it says.  Reads at most TICKET_CODE_MAX_LEN
 * bytes of it and nothing outside fixed buffers.  Returns 0, or
 * TD_ERR_INVALID for anything else: another version, a length out of
 * range, a character outside base64url, a non-canonical spelling, a bad
 * signature, or a payload that does not parse to its last byte.
 */
int ticket_code_verify(const char *code, size_t len,
    const unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES],
    struct ticket_claim *out);

/*
 * Writes pk as base64url without padding and a NUL into out (len bytes,
 * at least TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1).  Returns 0 or
 * TD_ERR_TOO_LARGE.
 */
int ticket_code_public_key_text(
    const unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES], char *out,
    size_t len);

#endif
