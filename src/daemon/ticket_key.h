/*
 * ticket_key.h - the tickets' signing key, a deployment secret: a file of
 * 32 random bytes (an Ed25519 seed) named by TICKETD_TICKET_KEY_FILE.
 *
 * The master reads it once before it forks; the key pair lives in memory
 * libsodium guards (no core dumps, read-only once made) that every worker
 * inherits.  The key itself is never logged nor printed.
 */
#ifndef TICKETD_TICKET_KEY_H
#define TICKETD_TICKET_KEY_H

#include <stddef.h>

#include "domain/ticket.h"

/*
 * Reads the seed at path and makes the key pair into *keys (free with
 * ticket_key_free()).  The file must be a regular file of exactly 32
 * bytes, owned by this user or root, neither writable by its group or
 * others nor readable by others (0600 or 0640).  Returns 0, or -1 with
 * what is wrong in err (errlen bytes).
 */
int ticket_key_load(
    const char *path, struct ticket_keys **keys, char *err, size_t errlen);

void ticket_key_free(struct ticket_keys *keys);

/*
 * Writes a fresh seed to path, which must not exist yet (mode 0600), and
 * the public key as base64url into pk_text (pk_len bytes, at least
 * TICKET_CODE_PUBLIC_KEY_TEXT_LEN + 1).  Returns 0, or -1 with what went
 * wrong in err; a file it could not finish is removed.
 */
int ticket_key_generate(
    const char *path, char *pk_text, size_t pk_len, char *err, size_t errlen);

#endif
