/*
 * cookie.c - the session cookie in and out.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "http/cookie.h"

/*
 * RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon
 * and backslash.
 */
static bool
is_cookie_octet(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '"' && c != ',' && c != ';' &&
	       c != '\\';
}

static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

/* Narrows [*start, *end) past leading and trailing spaces and tabs. */
static void
trim(const char **start, const char **end)
{
	while (*start < *end && is_ows(**start)) {
		(*start)++;
	}
	while (*end > *start && is_ows((*end)[-1])) {
		(*end)--;
	}
}

/* Checks a found value's shape and strips the optional DQUOTEs. */
static int
check_value(const char **value, size_t *value_len)
{
	const char *v = *value;
	size_t n = *value_len;

	if (n > COOKIE_VALUE_MAX) {
		return COOKIE_ERR_TOO_LARGE;
	}
	if (n >= 2 && v[0] == '"' && v[n - 1] == '"') {
		v++;
		n -= 2;
	}
	if (n == 0) {
		return COOKIE_ERR_MALFORMED;
	}
	for (size_t i = 0; i < n; i++) {
		if (!is_cookie_octet((unsigned char)v[i])) {
			return COOKIE_ERR_MALFORMED;
		}
	}
	*value = v;
	*value_len = n;
	return COOKIE_OK;
}

int
cookie_find(
    const char *header, const char *name, const char **value, size_t *value_len)
{
	size_t name_len = strlen(name), header_len;
	const char *p, *end, *found = NULL;
	size_t found_len = 0;
	int count = 0, rc;

	if (header == NULL) {
		return COOKIE_ERR_ABSENT;
	}
	header_len = strnlen(header, COOKIE_HEADER_MAX + 1);
	if (header_len > COOKIE_HEADER_MAX) {
		return COOKIE_ERR_TOO_LARGE;
	}

	end = header + header_len;
	for (p = header; p < end; p++) {
		const char *pair = p, *pair_end, *eq, *n_end, *v;

		pair_end = memchr(p, ';', (size_t)(end - p));
		if (pair_end == NULL) {
			pair_end = end;
		}
		p = pair_end;

		/* A pair without '=' is a nameless cookie: never ours. */
		eq = memchr(pair, '=', (size_t)(pair_end - pair));
		if (eq == NULL) {
			continue;
		}
		n_end = eq;
		trim(&pair, &n_end);
		if ((size_t)(n_end - pair) != name_len ||
		    memcmp(pair, name, name_len) != 0) {
			continue;
		}

		/* Keep counting after a match: a second one is an error. */
		if (++count > 1) {
			return COOKIE_ERR_DUPLICATE;
		}
		v = eq + 1;
		trim(&v, &pair_end);
		found = v;
		found_len = (size_t)(pair_end - v);
	}

	if (count == 0) {
		return COOKIE_ERR_ABSENT;
	}
	rc = check_value(&found, &found_len);
	if (rc != COOKIE_OK) {
		return rc;
	}
	*value = found;
	*value_len = found_len;
	return COOKIE_OK;
}

static const char *
session_name(bool secure)
{
	return secure ? COOKIE_SESSION_NAME_SECURE : COOKIE_SESSION_NAME;
}

int
cookie_find_session(
    const char *header, bool secure, const char **value, size_t *value_len)
{
	return cookie_find(header, session_name(secure), value, value_len);
}

/*
 * Path=/ so every API path sees the cookie; HttpOnly keeps it from
 * script, so an XSS bug cannot read it; SameSite=Lax keeps browsers from
 * sending it on cross-site POSTs (csrf.c checks those anyway) while a
 * link from an email still arrives logged in.
 */
static int
format(const char *value, int64_t max_age_s, bool secure, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len,
	    "%s=%s; Path=/; Max-Age=%" PRId64 "; HttpOnly; SameSite=Lax%s",
	    session_name(secure), value, max_age_s, secure ? "; Secure" : "");
	if (n < 0 || (size_t)n >= len) {
		if (len > 0) {
			buf[0] = '\0';
		}
		return COOKIE_ERR_NO_ROOM;
	}
	return COOKIE_OK;
}

int
cookie_format_session(
    const char *token, int64_t max_age_s, bool secure, char *buf, size_t len)
{
	size_t token_len = strnlen(token, COOKIE_VALUE_MAX + 1);
	int rc = COOKIE_ERR_MALFORMED;

	if (token_len == 0 || token_len > COOKIE_VALUE_MAX) {
		goto fail;
	}
	for (size_t i = 0; i < token_len; i++) {
		if (!is_cookie_octet((unsigned char)token[i])) {
			goto fail;
		}
	}
	if (max_age_s < 0 || max_age_s > COOKIE_MAX_AGE_MAX_S) {
		goto fail;
	}
	return format(token, max_age_s, secure, buf, len);

fail:
	if (len > 0) {
		buf[0] = '\0';
	}
	return rc;
}

int
cookie_format_clear(bool secure, char *buf, size_t len)
{
	return format("", 0, secure, buf, len);
}
