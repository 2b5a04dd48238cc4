/*
 * csrf.c - cross-site request checks for state-changing requests.
 */
#include "config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "http/csrf.h"
#include "http/request.h"

/* scheme://host[:port], parsed; host points into the text it came from. */
struct origin {
	bool https;
	const char *host;
	size_t host_len;
	unsigned port;
};

static bool
is_safe_method(const char *method)
{
	return method != NULL &&
	       (strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0 ||
	           strcmp(method, "OPTIONS") == 0);
}

static bool
is_host_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
	       c == '~';
}

static bool
is_ipv6_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
	       (c >= 'A' && c <= 'F') || c == ':' || c == '.';
}

/*
 * Parses "host[:port]" - a name, an IPv4 address or a bracketed IPv6
 * address - up to the end of the string; the port defaults to the
 * scheme's.  Anything else (a path, userinfo, an empty port) fails: an
 * origin we cannot read is not our origin.  Returns 0 or -1.
 */
static int
parse_authority(const char *s, struct origin *o)
{
	const char *p = s;
	unsigned port = 0;
	int digits = 0;

	if (*p == '[') {
		p++;
		while (is_ipv6_char(*p)) {
			p++;
		}
		if (*p != ']' || p == s + 1) {
			return -1;
		}
		p++;
	} else {
		while (is_host_char(*p)) {
			p++;
		}
		if (p == s) {
			return -1;
		}
	}
	o->host = s;
	o->host_len = (size_t)(p - s);

	if (*p == '\0') {
		o->port = o->https ? 443 : 80;
		return 0;
	}
	if (*p++ != ':') {
		return -1;
	}
	for (; *p >= '0' && *p <= '9'; p++) {
		if (++digits > 5) {
			return -1;
		}
		port = port * 10 + (unsigned)(*p - '0');
	}
	if (digits == 0 || *p != '\0' || port == 0 || port > 65535) {
		return -1;
	}
	o->port = port;
	return 0;
}

/* Parses a serialized Origin, "scheme://host[:port]".  Returns 0 or -1. */
static int
parse_origin(const char *s, struct origin *o)
{
	if (strncasecmp(s, "https://", 8) == 0) {
		o->https = true;
		return parse_authority(s + 8, o);
	}
	if (strncasecmp(s, "http://", 7) == 0) {
		o->https = false;
		return parse_authority(s + 7, o);
	}
	return -1; /* "null" included: a sandboxed or opaque origin */
}

int
csrf_site_parse(const char *origin, struct csrf_site *site)
{
	struct origin o;
	const char *authority;

	if (parse_origin(origin, &o) != 0) {
		return -1;
	}
	authority = strstr(origin, "://") + 3;
	if (strlen(authority) >= sizeof(site->host)) {
		return -1;
	}
	strcpy(site->host, authority);
	site->https = o.https;
	return 0;
}

static bool
is_own_origin(const struct csrf_request *req)
{
	struct origin theirs, ours = {.https = req->https};

	if (parse_origin(req->origin, &theirs) != 0 || req->host == NULL ||
	    parse_authority(req->host, &ours) != 0) {
		return false;
	}
	return theirs.https == ours.https && theirs.port == ours.port &&
	       theirs.host_len == ours.host_len &&
	       strncasecmp(theirs.host, ours.host, ours.host_len) == 0;
}

/* Only the values the Fetch Metadata spec defines can pass. */
static bool
is_allowed_fetch_site(const char *site)
{
	return strcmp(site, "same-origin") == 0 ||
	       strcmp(site, "same-site") == 0 || strcmp(site, "none") == 0;
}

enum csrf_decision
csrf_check(const struct csrf_request *req)
{
	if (is_safe_method(req->method)) {
		return CSRF_OK;
	}
	if (!request_content_type_is_json(req->content_type)) {
		return CSRF_NOT_JSON;
	}
	if (req->sec_fetch_site != NULL &&
	    !is_allowed_fetch_site(req->sec_fetch_site)) {
		return CSRF_CROSS_SITE;
	}

	/*
	 * same-site passed above but still has to match here: a sibling
	 * subdomain is same-site and not ours.
	 */
	if (req->origin != NULL && !is_own_origin(req)) {
		return CSRF_CROSS_SITE;
	}
	return CSRF_OK;
}
