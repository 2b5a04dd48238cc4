/*
 * app.c - routing a request to its handler.
 */
#include "config.h"

#include <string.h>

#include "app.h"
#include "bookings.h"
#include "concerts.h"
#include "health.h"
#include "router.h"

static handler_fn *const handlers[ROUTE_COUNT] = {
    [ROUTE_HEALTH] = health_check,
    [ROUTE_CONCERTS] = concerts_list,
    [ROUTE_CONCERT] = concerts_get,
    [ROUTE_AVAILABILITY] = concerts_availability,
    [ROUTE_BOOKINGS] = bookings_create,
    [ROUTE_BOOKING] = bookings_get,
    [ROUTE_BOOKING_CANCEL] = bookings_cancel,
};

void
app_dispatch(struct app *app, const struct request *req, struct response *res)
{
	char id[IDS_SLUG_MAX + 1] = "";
	struct route_match m;

	switch (router_match(req->method, req->path, &m)) {
	case ROUTER_NOT_FOUND:
		response_error(res, 404, "NOT_FOUND", "No such API route", NULL);
		return;
	case ROUTER_BAD_METHOD:
		response_error(res, 405, "METHOD_NOT_ALLOWED",
		    "Method not allowed on this route", NULL);
		res->allow = m.allow;
		return;
	}

	if (m.param != NULL) {
		if (m.param_len > IDS_SLUG_MAX) {
			response_invalid(res, "id", "The id is longer than 64 characters");
			return;
		}
		memcpy(id, m.param, m.param_len);
		id[m.param_len] = '\0';
		if (!ids_is_slug(id)) {
			response_invalid(res, "id", "The id may hold only A-Z a-z 0-9 _ -");
			return;
		}
	}
	handlers[m.id](app, req, id, res);
}

void
app_reply_db_error(struct response *res, int err)
{
	switch (err) {
	case DB_ERR_UNAVAILABLE:
		response_unavailable(res, "The database is unavailable; retry shortly");
		return;
	case DB_ERR_TIMEOUT:
	case DB_ERR_SERIALIZATION:
		response_unavailable(res, "The system is busy; retry shortly");
		return;
	case DB_ERR_CONSTRAINT:
		response_error(res, 409, "CONFLICT",
		    "The request conflicts with the current state", NULL);
		return;
	case DB_ERR_DATA:
		response_invalid(res, "body", "A value does not fit its field");
		return;
	default:
		response_internal(res);
		return;
	}
}
