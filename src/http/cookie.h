/*
 * cookie.h - the session cookie: finding it in the Cookie header nginx
 * passes as HTTP_COOKIE, and writing the Set-Cookie value that sets or
 * clears it.
 *
 * Nothing here allocates: a found value points into the header, and
 * Set-Cookie values are written into the caller's buffer.
 */
#ifndef TICKETD_COOKIE_H
#define TICKETD_COOKIE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * Over HTTPS the session cookie carries the __Host- prefix: browsers then
 * accept it only Secure, with Path=/ and no Domain, so a sibling
 * subdomain can neither set nor shadow it.  Over plain HTTP (development)
 * the prefix is impossible, and the plain name is used.
 */
#define COOKIE_SESSION_NAME "ticketd_session"
#define COOKIE_SESSION_NAME_SECURE "__Host-ticketd_session"

/*
 * nginx's largest header line (large_client_header_buffers 8k): a fan
 * whose other cookies are long is still signed in.
 */
#define COOKIE_HEADER_MAX 8192
/* A session token is 43 characters; anything much longer is not one. */
#define COOKIE_VALUE_MAX 128
/* Browsers clamp Max-Age to 400 days (RFC 6265bis); so do we. */
#define COOKIE_MAX_AGE_MAX_S (INT64_C(400) * 24 * 3600)
/* Enough for any Set-Cookie value cookie_format_*() can write. */
#define COOKIE_SET_MAX 256

enum cookie_error {
	COOKIE_OK = 0,
	COOKIE_ERR_ABSENT = -1,    /* no cookie of that name */
	COOKIE_ERR_MALFORMED = -2, /* empty value, or bytes RFC 6265 forbids */
	COOKIE_ERR_DUPLICATE = -3, /* the name twice: which one is ours? */
	COOKIE_ERR_TOO_LARGE = -4, /* header over COOKIE_HEADER_MAX, or value
	                              over COOKIE_VALUE_MAX */
	COOKIE_ERR_NO_ROOM = -5    /* formatting: the buffer is too small */
};

/*
 * Finds the cookie called name (compared exactly: cookie names are case
 * sensitive) in a Cookie header, "a=1; b=2" (RFC 6265 cookie-string;
 * whitespace around names and values is skipped).  header may be NULL
 * when the request had none.  On 0, *value points into header and
 * *value_len is its length (not NUL-terminated); a value in double quotes
 * is returned without them.  Other cookies are skipped without being
 * checked: a malformed cookie someone else set must not log a fan out.
 * Returns 0, COOKIE_ERR_ABSENT, COOKIE_ERR_MALFORMED, COOKIE_ERR_DUPLICATE
 * (a second cookie of the name, perhaps set for a parent domain by a
 * sibling site: neither is trusted) or COOKIE_ERR_TOO_LARGE.
 */
int cookie_find(const char *header, const char *name, const char **value,
    size_t *value_len);

/* cookie_find() for the session cookie (its __Host- name when secure). */
int cookie_find_session(
    const char *header, bool secure, const char **value, size_t *value_len);

/*
 * Writes the Set-Cookie value that stores token for max_age_s seconds:
 * "ticketd_session=<token>; Path=/; Max-Age=N; HttpOnly; SameSite=Lax";
 * when secure (the site is served over HTTPS) the name is
 * "__Host-ticketd_session" and "; Secure" follows.  Returns 0,
 * COOKIE_ERR_MALFORMED (token empty, too long or with bytes a cookie value
 * cannot hold - which would inject attributes; max_age_s outside
 * 0..COOKIE_MAX_AGE_MAX_S) or COOKIE_ERR_NO_ROOM.  On error buf is "", so
 * a cut-off cookie is never sent.
 */
int cookie_format_session(
    const char *token, int64_t max_age_s, bool secure, char *buf, size_t len);

/*
 * Writes the Set-Cookie value that deletes the session cookie at logout:
 * an empty value with Max-Age=0 and the same Path, so the browser
 * replaces the cookie it holds.  Returns 0 or COOKIE_ERR_NO_ROOM (buf is
 * then "").
 */
int cookie_format_clear(bool secure, char *buf, size_t len);

#endif
