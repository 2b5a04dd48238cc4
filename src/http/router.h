/*
 * router.h - maps a method and a path to a route.
 */
#ifndef TICKETD_ROUTER_H
#define TICKETD_ROUTER_H

#include <stddef.h>

enum route_id {
	ROUTE_HEALTH,
	ROUTE_CONCERTS,
	ROUTE_CONCERT,
	ROUTE_AVAILABILITY,
	ROUTE_BOOKINGS,
	ROUTE_BOOKING,
	ROUTE_BOOKING_CANCEL,
	ROUTE_METRICS,
	ROUTE_COUNT
};

struct route_match {
	enum route_id id;
	const char *param; /* the ":id" segment, pointing into the path */
	size_t param_len;
	const char *allow; /* methods the path allows, for a 405 */
};

enum router_result {
	ROUTER_FOUND = 0,
	ROUTER_NOT_FOUND = -1,
	ROUTER_BAD_METHOD = -2
};

/*
 * Matches method and path.  Returns ROUTER_FOUND with m filled,
 * ROUTER_BAD_METHOD with m->allow set, or ROUTER_NOT_FOUND.
 */
int router_match(const char *method, const char *path, struct route_match *m);

/* A short name of the route for logs and metrics ("concerts.get"). */
const char *router_name(enum route_id id);

#endif
