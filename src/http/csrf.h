/*
 * csrf.h - whether a state-changing request may have come from another
 * site's page, decided from its headers alone.
 *
 * Two defences, so one browser quirk does not open the door: the body
 * must be JSON (a cross-site form or a no-CORS fetch cannot send
 * application/json without a preflight, which we never grant), and the
 * browser's own word on where the request came from - Sec-Fetch-Site and
 * Origin - must not name another site.  A request with neither header
 * comes from a non-browser client (curl, the tests), which has no
 * ambient cookies to abuse, and passes.
 */
#ifndef TICKETD_CSRF_H
#define TICKETD_CSRF_H

#include <stdbool.h>

enum csrf_decision {
	CSRF_OK = 0,
	CSRF_NOT_JSON = -1,  /* answer 415 */
	CSRF_CROSS_SITE = -2 /* answer 403 */
};

/*
 * The request as nginx's FastCGI params describe it.  NULL means the
 * header was absent; a header that is present but empty is judged as
 * sent (an empty Origin is not an origin, and is refused).  https must be
 * the scheme the browser used (nginx's HTTPS or REQUEST_SCHEME, or the
 * proxy's word when TLS ends in front of nginx): otherwise every Origin
 * looks foreign and each POST is refused.
 */
struct csrf_request {
	const char *method;         /* REQUEST_METHOD, case-sensitive */
	const char *content_type;   /* CONTENT_TYPE; NULL or "" if absent */
	const char *origin;         /* HTTP_ORIGIN */
	const char *sec_fetch_site; /* HTTP_SEC_FETCH_SITE */
	const char *host;           /* HTTP_HOST: host[:port] as sent */
	bool https;                 /* the browser's scheme was https */
};

/*
 * This site as the public sees it, when TLS ends in front of nginx (a
 * load balancer): the origin browsers send is then not what nginx
 * serves, so it is configured (TICKETD_PUBLIC_ORIGIN).
 */
struct csrf_site {
	bool https;
	char host[256]; /* "host[:port]" as in the origin */
};

/*
 * Reads "scheme://host[:port]" (http or https, no path) into site.
 * Returns 0, or -1 for anything else.
 */
int csrf_site_parse(const char *origin, struct csrf_site *site);

/*
 * Decides, in this order:
 *  - GET, HEAD and OPTIONS pass: they change nothing.
 *  - Otherwise the Content-Type must be application/json (any case, any
 *    parameters), else CSRF_NOT_JSON.
 *  - Sec-Fetch-Site "cross-site" - or any value other than "same-origin",
 *    "same-site" and "none" - is CSRF_CROSS_SITE.
 *  - An Origin that is not exactly the request's own scheme://host[:port]
 *    (scheme and host compared case-insensitively, a default port equal
 *    to its absence) is CSRF_CROSS_SITE; so is "null", and so is any
 *    Origin when the Host is missing or malformed.
 * Returns CSRF_OK when every check passed.
 */
enum csrf_decision csrf_check(const struct csrf_request *req);

#endif
