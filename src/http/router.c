/*
 * router.c - a fixed table of routes; ":id" matches one path segment.
 */
#include "config.h"

#include <string.h>

#include "base/errors.h"
#include "base/metrics.h"
#include "domain/ids.h"
#include "http/api_admin_bookings.h"
#include "http/api_admin_concerts.h"
#include "http/api_auth.h"
#include "http/api_bookings.h"
#include "http/api_concerts.h"
#include "http/api_health.h"
#include "http/api_me.h"
#include "http/api_metrics.h"
#include "http/api_tickets.h"
#include "http/router.h"

struct route {
	enum route_id id;
	const char *method;
	const char *pattern;
	const char *allow;
	handler_fn *handler;
};

static const struct route routes[] = {
    {ROUTE_HEALTH, "GET", "/health", "GET", api_health},
    {ROUTE_CONCERTS, "GET", "/api/concerts", "GET", api_concerts_list},
    {ROUTE_CONCERT, "GET", "/api/concerts/:id", "GET", api_concerts_get},
    {ROUTE_AVAILABILITY, "GET", "/api/concerts/:id/availability", "GET",
        api_concerts_availability},
    {ROUTE_BOOKINGS, "POST", "/api/bookings", "POST", api_bookings_create},
    {ROUTE_BOOKING, "GET", "/api/bookings/:id", "GET", api_bookings_get},
    {ROUTE_BOOKING_CANCEL, "POST", "/api/bookings/:id/cancel", "POST",
        api_bookings_cancel},
    {ROUTE_BOOKING_TICKETS, "GET", "/api/bookings/:id/tickets", "GET",
        api_tickets_of_booking},
    {ROUTE_CHECKIN_KEY, "GET", "/api/checkin/key", "GET", api_checkin_key},
    {ROUTE_CHECKIN, "POST", "/api/checkin", "POST", api_checkin},
    {ROUTE_REGISTER, "POST", "/api/auth/register", "POST", api_auth_register},
    {ROUTE_LOGIN, "POST", "/api/auth/login", "POST", api_auth_login},
    {ROUTE_LOGOUT, "POST", "/api/auth/logout", "POST", api_auth_logout},
    {ROUTE_VERIFY_EMAIL, "POST", "/api/auth/verify-email", "POST",
        api_auth_verify_email},
    {ROUTE_VERIFY_RESEND, "POST", "/api/auth/verify-email/resend", "POST",
        api_auth_verify_resend},
    {ROUTE_RESET_REQUEST, "POST", "/api/auth/password-reset", "POST",
        api_auth_reset_request},
    {ROUTE_RESET_CONFIRM, "POST", "/api/auth/password-reset/confirm", "POST",
        api_auth_reset_confirm},
    {ROUTE_ME, "GET", "/api/me", "GET", api_me},
    {ROUTE_ME_BOOKINGS, "GET", "/api/me/bookings", "GET", api_me_bookings},
    {ROUTE_CONFIG, "GET", "/api/config", "GET", api_config},
    {ROUTE_ADMIN_CONCERTS, "GET", "/api/admin/concerts", "GET, POST",
        api_admin_concerts_list},
    {ROUTE_ADMIN_CONCERT_CREATE, "POST", "/api/admin/concerts", "GET, POST",
        api_admin_concerts_create},
    {ROUTE_ADMIN_CONCERT, "GET", "/api/admin/concerts/:id", "GET, PATCH",
        api_admin_concerts_get},
    {ROUTE_ADMIN_CONCERT_UPDATE, "PATCH", "/api/admin/concerts/:id",
        "GET, PATCH", api_admin_concerts_update},
    {ROUTE_ADMIN_SALES, "GET", "/api/admin/concerts/:id/sales", "GET",
        api_admin_concerts_sales},
    {ROUTE_ADMIN_CSV, "GET", "/api/admin/concerts/:id/bookings.csv", "GET",
        api_admin_concerts_csv},
    {ROUTE_ADMIN_BOOKINGS, "GET", "/api/admin/bookings", "GET",
        api_admin_bookings_search},
    {ROUTE_ADMIN_BOOKING, "GET", "/api/admin/bookings/:id", "GET",
        api_admin_bookings_get},
    {ROUTE_ADMIN_BOOKING_CANCEL, "POST", "/api/admin/bookings/:id/cancel",
        "POST", api_admin_bookings_cancel},
    /* nginx exposes it only on the operators' port, never on the public one. */
    {ROUTE_METRICS, "GET", "/metrics", "GET", api_metrics},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

_Static_assert(ROUTE_COUNT <= METRICS_MAX_ROUTES,
    "/metrics has no room for every route: raise METRICS_MAX_ROUTES");

const char *const router_names[ROUTE_COUNT] = {
    [ROUTE_HEALTH] = "health",
    [ROUTE_CONCERTS] = "concerts.list",
    [ROUTE_CONCERT] = "concerts.get",
    [ROUTE_AVAILABILITY] = "concerts.availability",
    [ROUTE_BOOKINGS] = "bookings.create",
    [ROUTE_BOOKING] = "bookings.get",
    [ROUTE_BOOKING_CANCEL] = "bookings.cancel",
    [ROUTE_REGISTER] = "auth.register",
    [ROUTE_LOGIN] = "auth.login",
    [ROUTE_LOGOUT] = "auth.logout",
    [ROUTE_ME] = "me.get",
    [ROUTE_VERIFY_EMAIL] = "auth.verify_email",
    [ROUTE_VERIFY_RESEND] = "auth.verify_resend",
    [ROUTE_RESET_REQUEST] = "auth.reset_request",
    [ROUTE_RESET_CONFIRM] = "auth.reset_confirm",
    [ROUTE_ME_BOOKINGS] = "me.bookings",
    [ROUTE_CONFIG] = "config",
    [ROUTE_METRICS] = "metrics",
    [ROUTE_ADMIN_CONCERTS] = "admin.concerts.list",
    [ROUTE_ADMIN_CONCERT_CREATE] = "admin.concerts.create",
    [ROUTE_ADMIN_CONCERT] = "admin.concerts.get",
    [ROUTE_ADMIN_CONCERT_UPDATE] = "admin.concerts.update",
    [ROUTE_ADMIN_SALES] = "admin.concerts.sales",
    [ROUTE_ADMIN_CSV] = "admin.concerts.csv",
    [ROUTE_ADMIN_BOOKINGS] = "admin.bookings.search",
    [ROUTE_ADMIN_BOOKING] = "admin.bookings.get",
    [ROUTE_ADMIN_BOOKING_CANCEL] = "admin.bookings.cancel",
    [ROUTE_BOOKING_TICKETS] = "bookings.tickets",
    [ROUTE_CHECKIN_KEY] = "checkin.key",
    [ROUTE_CHECKIN] = "checkin.admit",
};

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
		return 0;
	}
	return path_known ? TD_ERR_METHOD : TD_ERR_NOT_FOUND;
}

/* Copies the ":id" segment into id, or answers 400 and returns -1. */
static int
copy_id_or_reply(const struct route_match *m, char *id, struct response *res)
{
	if (m->param == NULL) {
		return 0;
	}
	if (m->param_len > IDS_SLUG_MAX) {
		response_invalid(
		    res, "id", "The id is longer than 64 characters");
		return -1;
	}
	memcpy(id, m->param, m->param_len);
	id[m->param_len] = '\0';
	if (!ids_is_slug(id)) {
		response_invalid(
		    res, "id", "The id may hold only A-Z a-z 0-9 _ -");
		return -1;
	}
	return 0;
}

int
router_dispatch(
    struct api_context *ctx, const struct request *req, struct response *res)
{
	char id[IDS_SLUG_MAX + 1] = "";
	struct route_match m;

	switch (router_match(req->method, req->path, &m)) {
	case TD_ERR_NOT_FOUND:
		response_error(
		    res, 404, "NOT_FOUND", "No such API route", NULL);
		return ROUTE_COUNT;
	case TD_ERR_METHOD:
		response_error(res, 405, "METHOD_NOT_ALLOWED",
		    "Method not allowed on this route", NULL);
		res->allow = m.allow;
		return ROUTE_COUNT;
	}
	if (copy_id_or_reply(&m, id, res) == 0) {
		for (size_t i = 0; i < NROUTES; i++) {
			if (routes[i].id == m.id) {
				routes[i].handler(ctx, req, id, res);
				break;
			}
		}
	}
	return m.id;
}
