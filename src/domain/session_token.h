/*
 * session_token.h - the secret a fan's session cookie carries, and when a
 * session has expired.
 *
 * The cookie holds 256 random bits as URL-safe base64.  The database
 * holds only the token's SHA-256, so a leaked table or backup cannot be
 * replayed as cookies; the token itself has enough entropy that a fast
 * unsalted hash is as good as a slow one here.
 */
#ifndef TICKETD_SESSION_TOKEN_H
#define TICKETD_SESSION_TOKEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SESSION_TOKEN_BYTES 32 /* 256 bits from the kernel's CSPRNG */
#define SESSION_TOKEN_LEN 43   /* base64url of 32 bytes, no padding */
#define SESSION_TOKEN_HASH_HEX_LEN 64

/* A session ends 30 days after login however busy it is... */
#define SESSION_ABSOLUTE_TTL_S (INT64_C(30) * 24 * 3600)
/* ...or after 7 days without a request. */
#define SESSION_IDLE_TTL_S (INT64_C(7) * 24 * 3600)
/*
 * last_seen is written at most this often: a write per request would put
 * a row update on every page view.  The idle timeout is then late by at
 * most this much, which against 7 days does not matter.
 */
#define SESSION_TOUCH_INTERVAL_S INT64_C(300)

enum session_token_error {
	SESSION_TOKEN_OK = 0,
	SESSION_TOKEN_ERR_LENGTH = -1,      /* not exactly SESSION_TOKEN_LEN */
	SESSION_TOKEN_ERR_ALPHABET = -2,    /* outside [A-Za-z0-9_-] */
	SESSION_TOKEN_ERR_NONCANONICAL = -3 /* we never issue this spelling */
};

/*
 * Writes a fresh token (SESSION_TOKEN_LEN characters and a NUL) into out.
 * It cannot fail: libsodium aborts the process rather than hand out
 * predictable bytes.
 */
void session_token_new(char out[SESSION_TOKEN_LEN + 1]);

/*
 * Writes the lowercase hex SHA-256 of the SESSION_TOKEN_LEN characters of
 * token (and a NUL) into out_hex: what the database stores and looks up.
 * Pass only a token that session_token_parse() accepted.
 */
void session_token_hash(
    const char *token, char out_hex[SESSION_TOKEN_HASH_HEX_LEN + 1]);

/*
 * Checks that len bytes of text have the exact shape of a token we issue,
 * before the database sees them: SESSION_TOKEN_LEN characters of the
 * URL-safe base64 alphabet, with the unused low bits of the last
 * character zero.  Returns 0 or a session_token_error.
 */
int session_token_parse(const char *text, size_t len);

/*
 * True while a session created at created_s and last seen at last_seen_s
 * is live at now_s (Unix seconds): strictly less than absolute_ttl_s since
 * creation and strictly less than idle_ttl_s since last seen.  Times in
 * the future count as zero elapsed, so a clock stepped backwards does not
 * log anyone out; a TTL of zero or less means nothing is live.
 */
bool session_is_live(int64_t now_s, int64_t created_s, int64_t last_seen_s,
    int64_t absolute_ttl_s, int64_t idle_ttl_s);

/*
 * True when last_seen_s is SESSION_TOUCH_INTERVAL_S or more behind now_s,
 * so the caller should write now_s as the new last_seen.
 */
bool session_should_touch(int64_t now_s, int64_t last_seen_s);

#endif
