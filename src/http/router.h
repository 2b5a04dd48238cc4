/*
 * router.h - the table of routes: a method and a path to a handler.
 */
#ifndef TICKETD_ROUTER_H
#define TICKETD_ROUTER_H

#include <stddef.h>

#include "http/context.h"

enum route_id {
	ROUTE_HEALTH,
	ROUTE_CONCERTS,
	ROUTE_CONCERT,
	ROUTE_AVAILABILITY,
	ROUTE_BOOKINGS,
	ROUTE_BOOKING,
	ROUTE_BOOKING_CANCEL,
	ROUTE_REGISTER,
	ROUTE_LOGIN,
	ROUTE_LOGOUT,
	ROUTE_ME,
	ROUTE_ME_BOOKINGS,
	ROUTE_CONFIG,
	ROUTE_METRICS,
	ROUTE_ADMIN_CONCERTS,
	ROUTE_ADMIN_CONCERT_CREATE,
	ROUTE_ADMIN_CONCERT,
	ROUTE_ADMIN_CONCERT_UPDATE,
	ROUTE_ADMIN_SALES,
	ROUTE_ADMIN_CSV,
	ROUTE_ADMIN_BOOKINGS,
	ROUTE_ADMIN_BOOKING,
	ROUTE_ADMIN_BOOKING_CANCEL,
	ROUTE_BOOKING_TICKETS,
	ROUTE_CHECKIN_KEY,
	ROUTE_CHECKIN,
	ROUTE_VERIFY_EMAIL,
	ROUTE_VERIFY_RESEND,
	ROUTE_RESET_REQUEST,
	ROUTE_RESET_CONFIRM,
	ROUTE_COUNT
};

struct route_match {
	enum route_id id;
	const char *param; /* the ":id" segment, pointing into the path */
	size_t param_len;
	const char *allow; /* methods the path allows, for a 405 */
};

/*
 * Matches method and path.  Returns 0 with m filled, TD_ERR_METHOD with
 * m->allow set (the path is known, the method is not), or
 * TD_ERR_NOT_FOUND.
 */
int router_match(const char *method, const char *path, struct route_match *m);

/*
 * Routes req and runs its handler; answers 404 NOT_FOUND, 405 (with
 * Allow) or 400 for a malformed id itself.  Returns the route
 * (ROUTE_COUNT when none matched), for metrics.
 */
int router_dispatch(
    struct api_context *ctx, const struct request *req, struct response *res);

/* Short names of the routes for logs and metrics ("concerts.get"). */
extern const char *const router_names[ROUTE_COUNT];

#endif
