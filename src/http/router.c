/*
 * router.c - a fixed table of routes; ":id" matches one path segment.
 */
#include "config.h"

#include <string.h>

#include "http/router.h"

struct route {
	enum route_id id;
	const char *method;
	const char *pattern;
	const char *allow;
	const char *name;
};

static const struct route routes[] = {
    {ROUTE_HEALTH, "GET", "/health", "GET", "health"},
    {ROUTE_CONCERTS, "GET", "/api/concerts", "GET", "concerts.list"},
    {ROUTE_CONCERT, "GET", "/api/concerts/:id", "GET", "concerts.get"},
    {ROUTE_AVAILABILITY, "GET", "/api/concerts/:id/availability", "GET",
        "concerts.availability"},
    {ROUTE_BOOKINGS, "POST", "/api/bookings", "POST", "bookings.create"},
    {ROUTE_BOOKING, "GET", "/api/bookings/:id", "GET", "bookings.get"},
    {ROUTE_BOOKING_CANCEL, "POST", "/api/bookings/:id/cancel", "POST",
        "bookings.cancel"},
    /* nginx exposes it only on the operators' port, never on the public one. */
    {ROUTE_METRICS, "GET", "/metrics", "GET", "metrics"},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/* Matches path against pattern; captures the ":id" segment. */
static int
path_matches(const char *pattern, const char *path, const char **param,
    size_t *param_len)
{
	const char *pat = pattern, *p = path;

	*param = NULL;
	*param_len = 0;
	while (*pat != '\0') {
		if (pat[0] == ':' && pat[1] == 'i' && pat[2] == 'd') {
			const char *start = p;

			while (*p != '\0' && *p != '/') {
				p++;
			}
			if (p == start) {
				return 0;
			}
			*param = start;
			*param_len = (size_t)(p - start);
			pat += 3;
			continue;
		}
		if (*pat++ != *p++) {
			return 0;
		}
	}
	return *p == '\0';
}

int
router_match(const char *method, const char *path, struct route_match *m)
{
	int path_known = 0;

	/* HEAD is GET without a body: nginx drops the body for us. */
	if (strcmp(method, "HEAD") == 0) {
		method = "GET";
	}

	for (size_t i = 0; i < NROUTES; i++) {
		const char *param;
		size_t param_len;

		if (!path_matches(
		        routes[i].pattern, path, &param, &param_len)) {
			continue;
		}
		if (strcmp(routes[i].method, method) != 0) {
			m->allow = routes[i].allow;
			path_known = 1;
			continue;
		}
		m->id = routes[i].id;
		m->param = param;
		m->param_len = param_len;
		m->allow = routes[i].allow;
		return ROUTER_FOUND;
	}
	return path_known ? ROUTER_BAD_METHOD : ROUTER_NOT_FOUND;
}

const char *
router_name(enum route_id id)
{
	for (size_t i = 0; i < NROUTES; i++) {
		if (routes[i].id == id) {
			return routes[i].name;
		}
	}
	return "unknown";
}
