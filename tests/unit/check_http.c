/*
 * check_http.c - content length bounds, body reading, routing, the JSON
 * envelope and the response head.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "http/context.h"
#include "http/replies.h"
#include "store/db.h"
#include "base/metrics.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"
#include "unit_main.h"

struct mem {
	const char *data;
	size_t len, pos;
	size_t chunk; /* at most this many bytes per read */
};

static int
mem_read(void *ctx, char *buf, int n)
{
	struct mem *m = ctx;
	size_t k = m->len - m->pos;

	if ((size_t)n < k) {
		k = (size_t)n;
	}
	if (k > m->chunk) {
		k = m->chunk;
	}
	memcpy(buf, m->data + m->pos, k);
	m->pos += k;
	return (int)k;
}

static const char *
error_code(const struct response *res)
{
	json_object *err, *code;

	if (!json_object_object_get_ex(res->body, "error", &err) ||
	    !json_object_object_get_ex(err, "code", &code)) {
		return "";
	}
	return json_object_get_string(code);
}

START_TEST(content_length_bounds)
{
	size_t n;

	ck_assert_int_eq(request_parse_length(NULL, 100, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(request_parse_length("", 100, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_int_eq(request_parse_length("100", 100, &n), 0);
	ck_assert_uint_eq(n, 100);
	ck_assert_int_eq(
	    request_parse_length("101", 100, &n), TD_ERR_TOO_LARGE);
	ck_assert_int_eq(
	    request_parse_length("99999999999999999999999999", 100, &n),
	    TD_ERR_TOO_LARGE);
	ck_assert_int_eq(request_parse_length("-1", 100, &n), TD_ERR_INVALID);
	ck_assert_int_eq(request_parse_length("1e2", 100, &n), TD_ERR_INVALID);
	ck_assert_int_eq(request_parse_length(" 5", 100, &n), TD_ERR_INVALID);
}
END_TEST

START_TEST(body_read_in_chunks)
{
	struct mem m = {"{\"a\":1}", 7, 0, 2};
	struct request req = {0};
	struct response res;

	response_init(&res);
	ck_assert_int_eq(
	    request_read_body(&req, "7", 64, mem_read, &m, &res), 0);
	ck_assert_uint_eq(req.body_len, 7);
	ck_assert_str_eq(req.body, "{\"a\":1}");
	request_free(&req);
	response_free(&res);
}
END_TEST

START_TEST(body_shorter_than_announced_is_400)
{
	struct mem m = {"abc", 3, 0, 64};
	struct request req = {0};
	struct response res;

	response_init(&res);
	ck_assert_int_eq(
	    request_read_body(&req, "10", 64, mem_read, &m, &res), -1);
	ck_assert_int_eq(res.status, 400);
	ck_assert_str_eq(error_code(&res), "INVALID_REQUEST");
	request_free(&req);
	response_free(&res);
}
END_TEST

START_TEST(body_over_cap_is_413)
{
	struct mem m = {"abc", 3, 0, 64};
	struct request req = {0};
	struct response res;

	response_init(&res);
	ck_assert_int_eq(
	    request_read_body(&req, "65", 64, mem_read, &m, &res), -1);
	ck_assert_int_eq(res.status, 413);
	ck_assert_str_eq(error_code(&res), "PAYLOAD_TOO_LARGE");
	ck_assert_ptr_null(req.body);
	response_free(&res);
}
END_TEST

START_TEST(malformed_length_is_400)
{
	struct mem m = {"", 0, 0, 64};
	struct request req = {0};
	struct response res;

	response_init(&res);
	ck_assert_int_eq(
	    request_read_body(&req, "x", 64, mem_read, &m, &res), -1);
	ck_assert_int_eq(res.status, 400);
	response_free(&res);
}
END_TEST

START_TEST(content_type_json)
{
	struct request req = {0};

	req.content_type = "application/json";
	ck_assert(request_is_json(&req));
	req.content_type = "Application/JSON; charset=utf-8";
	ck_assert(request_is_json(&req));
	req.content_type = "application/jsonp";
	ck_assert(!request_is_json(&req));
	req.content_type = "application/json x";
	ck_assert(!request_is_json(&req));
	req.content_type = "\tapplication/json\t;charset=utf-8";
	ck_assert(request_is_json(&req));
	req.content_type = "text/plain";
	ck_assert(!request_is_json(&req));
	req.content_type = "";
	ck_assert(!request_is_json(&req));
}
END_TEST

START_TEST(routes_match)
{
	struct route_match m;

	ck_assert_int_eq(router_match("GET", "/health", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_HEALTH);
	ck_assert_int_eq(router_match("GET", "/api/concerts", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_CONCERTS);
	ck_assert_int_eq(
	    router_match("GET", "/api/concerts/concert_001", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_CONCERT);
	ck_assert_uint_eq(m.param_len, 11);
	ck_assert(strncmp(m.param, "concert_001", m.param_len) == 0);
	ck_assert_int_eq(
	    router_match("HEAD", "/api/concerts/c1/availability", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_AVAILABILITY);
	ck_assert_int_eq(router_match("POST", "/api/bookings", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_BOOKINGS);
	ck_assert_int_eq(router_match("GET", "/api/bookings/bk_1", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_BOOKING);
	ck_assert_int_eq(
	    router_match("POST", "/api/bookings/bk_1/cancel", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_BOOKING_CANCEL);
	ck_assert_int_eq(router_match("GET", "/metrics", &m), 0);
	ck_assert_int_eq(m.id, ROUTE_METRICS);
}
END_TEST

START_TEST(unknown_routes_and_methods)
{
	struct route_match m;

	ck_assert_int_eq(
	    router_match("GET", "/api/nope", &m), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(
	    router_match("GET", "/api/concerts/", &m), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(
	    router_match("GET", "/api/concerts/a/b", &m), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(
	    router_match("GET", "/api/concertsx", &m), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(
	    router_match("DELETE", "/api/concerts", &m), TD_ERR_METHOD);
	ck_assert_str_eq(m.allow, "GET");
	ck_assert_int_eq(
	    router_match("GET", "/api/bookings", &m), TD_ERR_METHOD);
	ck_assert_str_eq(m.allow, "POST");
	ck_assert_int_eq(
	    router_match("GET", "/api/bookings/x/cancel", &m), TD_ERR_METHOD);
}
END_TEST

/* Dispatch answers routing errors without touching the database. */
START_TEST(dispatch_errors)
{
	struct api_context ctx = {0};
	struct request req = {0};
	struct response res;

	req.content_type = "";
	req.request_id = "-";

	response_init(&res);
	req.method = "GET";
	req.path = "/api/unknown";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 404);
	ck_assert_str_eq(error_code(&res), "NOT_FOUND");

	req.method = "PUT";
	req.path = "/api/concerts/c1";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 405);
	ck_assert_str_eq(error_code(&res), "METHOD_NOT_ALLOWED");
	ck_assert_str_eq(res.allow, "GET");

	req.method = "GET";
	req.path = "/api/concerts/bad id";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 400);
	ck_assert_str_eq(error_code(&res), "INVALID_REQUEST");

	req.path = "/api/bookings/"
	           "x1234567890123456789012345678901234567890123456789012345678"
	           "9012345";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 400);

	req.method = "POST";
	req.path = "/api/bookings";
	req.content_type = "text/plain";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 415);
	ck_assert_str_eq(error_code(&res), "UNSUPPORTED_MEDIA_TYPE");

	/* Nobody signed in: 401 before the body is read. */
	req.content_type = "application/json";
	req.body = "{\"concertId\":1}";
	req.body_len = strlen(req.body);
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 401);
	ck_assert_str_eq(error_code(&res), "UNAUTHENTICATED");

	/* A cross-site page's form or fetch: 403 before anything else. */
	req.origin = "https://evil.example";
	req.host = "tickets.example";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 403);
	ck_assert_str_eq(error_code(&res), "CSRF_REJECTED");

	/* A malformed session cookie is nobody. */
	req.origin = NULL;
	req.cookie = "ticketd_session=not-a-token";
	router_dispatch(&ctx, &req, &res);
	ck_assert_int_eq(res.status, 401);
	response_free(&res);
}
END_TEST

START_TEST(envelope_success_and_error)
{
	struct response res;
	const char *body;
	size_t len;

	response_init(&res);
	response_data(&res, 201, json_money(23000), NULL);
	body = response_body(&res, &len);
	ck_assert_str_eq(body, "{\"success\":true,\"data\":230.00}");
	ck_assert_uint_eq(len, strlen(body));

	response_error(&res, 409, "INSUFFICIENT_INVENTORY", "Not enough", NULL);
	ck_assert_str_eq(response_body(&res, &len),
	    "{\"success\":false,\"error\":{\"code\":\"INSUFFICIENT_INVENTORY\","
	    "\"message\":\"Not enough\"}}");

	response_invalid(&res, "userId", "bad/name");
	ck_assert_str_eq(response_body(&res, &len),
	    "{\"success\":false,\"error\":{\"code\":\"INVALID_REQUEST\","
	    "\"message\":\"bad/name\",\"details\":{\"field\":\"userId\"}}}");
	response_free(&res);
}
END_TEST

/* Every project error has its status and code; one test each. */
static const struct {
	int err, status;
	const char *code;
} error_replies[] = {
    {TD_ERR_UNAVAILABLE, 503, "SERVICE_UNAVAILABLE"},
    {TD_ERR_BUSY, 503, "SERVICE_UNAVAILABLE"},
    {TD_ERR_SERIALIZATION, 503, "SERVICE_UNAVAILABLE"},
    {TD_ERR_CONFLICT, 409, "CONFLICT"},
    {TD_ERR_BAD_DATA, 400, "INVALID_REQUEST"},
    {TD_ERR_INVALID, 400, "INVALID_REQUEST"},
    {TD_ERR_TOO_LARGE, 413, "PAYLOAD_TOO_LARGE"},
    {TD_ERR_METHOD, 405, "METHOD_NOT_ALLOWED"},
    {TD_ERR_NOT_FOUND, 404, "NOT_FOUND"},
    {TD_ERR_INTERNAL, 500, "INTERNAL_SERVER_ERROR"},
    /* The store runs book() instead: reaching a reply is a bug. */
    {TD_ERR_FALLBACK, 500, "INTERNAL_SERVER_ERROR"},
    {-99, 500, "INTERNAL_SERVER_ERROR"},
};

START_TEST(errors_map_to_statuses)
{
	struct response res;

	response_init(&res);
	reply_error(&res, error_replies[_i].err);
	ck_assert_int_eq(res.status, error_replies[_i].status);
	ck_assert_str_eq(error_code(&res), error_replies[_i].code);
	ck_assert_int_eq(res.retry_after, error_replies[_i].status == 503);
	response_free(&res);
}
END_TEST

static const struct {
	const char *sqlstate;
	int err;
} sqlstates[] = {
    {NULL, TD_ERR_UNAVAILABLE}, {"", TD_ERR_UNAVAILABLE},
    {"57P01", TD_ERR_UNAVAILABLE}, {"08006", TD_ERR_UNAVAILABLE},
    {"53300", TD_ERR_UNAVAILABLE},
    {"25006", TD_ERR_UNAVAILABLE}, /* reached a standby: not the primary */
    {"40001", TD_ERR_SERIALIZATION}, {"40P01", TD_ERR_SERIALIZATION},
    {"57014", TD_ERR_BUSY}, {"55P03", TD_ERR_BUSY}, {"23505", TD_ERR_CONFLICT},
    {"23514", TD_ERR_CONFLICT}, {"22001", TD_ERR_BAD_DATA},
    {"22021", TD_ERR_BAD_DATA}, {"42883", TD_ERR_INTERNAL},
    {"TDSLW", TD_ERR_FALLBACK}, /* the one-line booking's (017) */
    {"TDNOB", TD_ERR_INTERNAL}, /* book()'s own, caught inside it */
};

START_TEST(sqlstates_map_to_errors)
{
	ck_assert_int_eq(
	    db_error_from_sqlstate(sqlstates[_i].sqlstate), sqlstates[_i].err);
}
END_TEST

START_TEST(response_head)
{
	struct response res;
	char head[256];

	response_init(&res);
	response_unavailable(&res, "down");
	ck_assert_uint_gt(response_format_head(&res, head, sizeof(head)), 0);
	ck_assert_str_eq(head,
	    "Status: 503 Service Unavailable\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Cache-Control: no-store\r\n"
	    "Retry-After: 1\r\n\r\n");
	ck_assert_uint_eq(response_format_head(&res, head, 10), 0);

	response_error(&res, 405, "METHOD_NOT_ALLOWED", "no", NULL);
	res.retry_after = 0;
	res.allow = "GET";
	response_format_head(&res, head, sizeof(head));
	ck_assert_ptr_nonnull(
	    strstr(head, "Status: 405 Method Not Allowed\r\n"));
	ck_assert_ptr_nonnull(strstr(head, "Allow: GET\r\n"));
	response_free(&res);
}
END_TEST

/* Counters are shared memory: a forked child's increments show in the parent.
 */
START_TEST(metrics_shared_across_fork)
{
	char *text;
	pid_t pid;

	ck_assert_int_eq(metrics_init(), 0);
	metrics_request(ROUTE_BOOKINGS, 201, 3000);
	pid = fork();
	if (pid == 0) {
		metrics_request(ROUTE_BOOKINGS, 201, 40000);
		metrics_booking(METRIC_CONFIRMED);
		metrics_set_busy(1, 3, 1);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	metrics_db_error("");
	metrics_db_error("40P01");

	text = metrics_render(&(struct metrics_labels){.routes = router_names,
	    .nroutes = ROUTE_COUNT,
	    .pool_sizes = {2, 8}});
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_requests_total{route=\"bookings.create\","
	                 "status=\"201\"} 2\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_request_duration_seconds_bucket{route="
	                 "\"bookings.create\",le=\"0.005\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_request_duration_seconds_bucket{route="
	                 "\"bookings.create\",le=\"+Inf\"} 2\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_bookings_total{outcome=\"confirmed\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_db_errors_total{class=\"connection\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_db_errors_total{class=\"40\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_workers{pool=\"book\",state=\"busy\"} 1\n"));
	ck_assert_ptr_nonnull(
	    strstr(text, "ticketd_workers{pool=\"book\",state=\"idle\"} 7\n"));
	free(text);
}
END_TEST

static bool
rendered(const char *line)
{
	char *text =
	    metrics_render(&(struct metrics_labels){.routes = router_names,
	        .nroutes = ROUTE_COUNT,
	        .pool_sizes = {2, 8}});
	bool found = strstr(text, line) != NULL;

	free(text);
	return found;
}

/* A booking worker killed while it waits for the writer leaves its mark;
 * the master's reap (busy 0 for its slot) takes it away. */
START_TEST(metrics_writer_waiting_cleared_with_the_slot)
{
	pid_t pid;

	ck_assert_int_eq(metrics_init(), 0);
	pid = fork();
	if (pid == 0) {
		metrics_set_book_slot(5);
		metrics_set_busy(1, 5, 1);
		metrics_writer_waiting(true);
		_exit(0); /* as if killed: nothing cleared */
	}
	waitpid(pid, NULL, 0);
	ck_assert(rendered("ticketd_booking_writer_waiting 1\n"));
	metrics_set_busy(1, 5, 0);
	ck_assert(rendered("ticketd_booking_writer_waiting 0\n"));
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("http");
	TCase *tc = tcase_create("edge");

	tcase_add_test(tc, content_length_bounds);
	tcase_add_test(tc, body_read_in_chunks);
	tcase_add_test(tc, body_shorter_than_announced_is_400);
	tcase_add_test(tc, body_over_cap_is_413);
	tcase_add_test(tc, malformed_length_is_400);
	tcase_add_test(tc, content_type_json);
	tcase_add_test(tc, routes_match);
	tcase_add_test(tc, unknown_routes_and_methods);
	tcase_add_test(tc, dispatch_errors);
	tcase_add_test(tc, envelope_success_and_error);
	tcase_add_loop_test(tc, errors_map_to_statuses, 0,
	    sizeof(error_replies) / sizeof(error_replies[0]));
	tcase_add_loop_test(tc, sqlstates_map_to_errors, 0,
	    sizeof(sqlstates) / sizeof(sqlstates[0]));
	tcase_add_test(tc, response_head);
	tcase_add_test(tc, metrics_shared_across_fork);
	tcase_add_test(tc, metrics_writer_waiting_cleared_with_the_slot);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
