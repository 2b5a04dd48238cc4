/*
 * app.c - routing a request to its handler.
 */
#include "config.h"

#include <string.h>

#include "http/app.h"
#include "http/bookings.h"
#include "http/concerts.h"
#include "http/health.h"
#include "base/metrics.h"
#include "http/router.h"

static handler_fn metrics_endpoint;

static handler_fn *const handlers[ROUTE_COUNT] = {
    [ROUTE_HEALTH] = health_check,
    [ROUTE_CONCERTS] = concerts_list,
    [ROUTE_CONCERT] = concerts_get,
    [ROUTE_AVAILABILITY] = concerts_availability,
    [ROUTE_BOOKINGS] = bookings_create,
    [ROUTE_BOOKING] = bookings_get,
    [ROUTE_BOOKING_CANCEL] = bookings_cancel,
    [ROUTE_METRICS] = metrics_endpoint,
};

static void
metrics_endpoint(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	response_text(res, 200,
	    metrics_render(app->cfg->read_workers, app->cfg->book_workers),
	    "text/plain; version=0.0.4");
}

int
app_dispatch(struct app *app, const struct request *req, struct response *res)
{
	char id[IDS_SLUG_MAX + 1] = "";
	struct route_match m;

	switch (router_match(req->method, req->path, &m)) {
	case ROUTER_NOT_FOUND:
		response_error(
		    res, 404, "NOT_FOUND", "No such API route", NULL);
		return ROUTE_COUNT;
	case ROUTER_BAD_METHOD:
		response_error(res, 405, "METHOD_NOT_ALLOWED",
		    "Method not allowed on this route", NULL);
		res->allow = m.allow;
		return ROUTE_COUNT;
	}

	if (m.param != NULL) {
		if (m.param_len > IDS_SLUG_MAX) {
			response_invalid(
			    res, "id", "The id is longer than 64 characters");
			return m.id;
		}
		memcpy(id, m.param, m.param_len);
		id[m.param_len] = '\0';
		if (!ids_is_slug(id)) {
			response_invalid(
			    res, "id", "The id may hold only A-Z a-z 0-9 _ -");
			return m.id;
		}
	}
	handlers[m.id](app, req, id, res);
	return m.id;
}

int
app_exec_read(struct app *app, int q, const char *const *params, PGresult **res)
{
	if (app->db_read != NULL) {
		int err = db_exec(app->db_read, q, params, res);

		if (err != DB_ERR_UNAVAILABLE) {
			return err;
		}
	}
	return db_exec(app->db, q, params, res);
}

void
app_reply_db_error(struct response *res, int err)
{
	switch (err) {
	case DB_ERR_UNAVAILABLE:
		response_unavailable(
		    res, "The database is unavailable; retry shortly");
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
	default: response_internal(res); return;
	}
}
