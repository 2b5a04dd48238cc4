/*
 * check_csrf.c - the cross-site decision, one table row per rule.
 */
#include <check.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/csrf.h"
#include "unit_main.h"

#define JSON "application/json"
#define HOST "tickets.example"

static const struct {
	const char *name;
	const char *method, *content_type, *origin, *sec_fetch_site, *host;
	bool https;
	enum csrf_decision want;
} cases[] = {
    /* Safe methods pass whatever they carry. */
    {"GET cross-site", "GET", NULL, "https://evil.example", "cross-site", HOST,
        true, CSRF_OK},
    {"HEAD cross-site", "HEAD", "text/plain", "null", "cross-site", HOST, true,
        CSRF_OK},
    {"OPTIONS cross-site", "OPTIONS", NULL, "https://evil.example",
        "cross-site", HOST, true, CSRF_OK},
    {"lowercase get is not GET", "get", NULL, NULL, NULL, HOST, true,
        CSRF_NOT_JSON},
    {"no method", NULL, JSON, NULL, NULL, HOST, true, CSRF_OK},

    /* Content-Type. */
    {"POST no content type", "POST", NULL, NULL, NULL, HOST, true,
        CSRF_NOT_JSON},
    {"POST empty content type", "POST", "", NULL, NULL, HOST, true,
        CSRF_NOT_JSON},
    {"POST form", "POST", "application/x-www-form-urlencoded", NULL, NULL, HOST,
        true, CSRF_NOT_JSON},
    {"POST multipart", "POST", "multipart/form-data; boundary=x", NULL, NULL,
        HOST, true, CSRF_NOT_JSON},
    {"POST text/plain", "POST", "text/plain", NULL, NULL, HOST, true,
        CSRF_NOT_JSON},
    {"POST json-patch is not json", "POST", "application/json-patch+json", NULL,
        NULL, HOST, true, CSRF_NOT_JSON},
    {"POST jsonx", "POST", "application/jsonx", NULL, NULL, HOST, true,
        CSRF_NOT_JSON},
    {"POST json then junk", "POST", "application/json x", NULL, NULL, HOST,
        true, CSRF_NOT_JSON},
    {"POST json", "POST", JSON, NULL, NULL, HOST, true, CSRF_OK},
    {"POST json with charset", "POST", "application/json; charset=utf-8", NULL,
        NULL, HOST, true, CSRF_OK},
    {"POST json uppercase", "POST", "Application/JSON;Charset=UTF-8", NULL,
        NULL, HOST, true, CSRF_OK},
    {"POST json with spaces", "POST", "  application/json ; charset=utf-8",
        NULL, NULL, HOST, true, CSRF_OK},
    {"PUT form", "PUT", "text/plain", NULL, NULL, HOST, true, CSRF_NOT_JSON},
    {"DELETE without body", "DELETE", NULL, NULL, NULL, HOST, true,
        CSRF_NOT_JSON},
    {"PATCH json", "PATCH", JSON, NULL, NULL, HOST, true, CSRF_OK},
    {"not json wins over cross-site", "POST", "text/plain",
        "https://evil.example", "cross-site", HOST, true, CSRF_NOT_JSON},

    /* Sec-Fetch-Site. */
    {"cross-site", "POST", JSON, NULL, "cross-site", HOST, true,
        CSRF_CROSS_SITE},
    {"same-origin", "POST", JSON, NULL, "same-origin", HOST, true, CSRF_OK},
    {"same-site", "POST", JSON, NULL, "same-site", HOST, true, CSRF_OK},
    {"none", "POST", JSON, NULL, "none", HOST, true, CSRF_OK},
    {"unknown value", "POST", JSON, NULL, "same-planet", HOST, true,
        CSRF_CROSS_SITE},
    {"empty value", "POST", JSON, NULL, "", HOST, true, CSRF_CROSS_SITE},
    {"uppercase value is unknown", "POST", JSON, NULL, "Cross-Site", HOST, true,
        CSRF_CROSS_SITE},
    {"cross-site with our own Origin", "POST", JSON, "https://" HOST,
        "cross-site", HOST, true, CSRF_CROSS_SITE},

    /* Origin. */
    {"both absent: a non-browser client", "POST", JSON, NULL, NULL, HOST, true,
        CSRF_OK},
    {"own origin https", "POST", JSON, "https://" HOST, NULL, HOST, true,
        CSRF_OK},
    {"own origin http", "POST", JSON, "http://" HOST, NULL, HOST, false,
        CSRF_OK},
    {"own origin and same-origin", "POST", JSON, "https://" HOST, "same-origin",
        HOST, true, CSRF_OK},
    {"other site", "POST", JSON, "https://evil.example", NULL, HOST, true,
        CSRF_CROSS_SITE},
    {"same-origin claim, foreign Origin", "POST", JSON, "https://evil.example",
        "same-origin", HOST, true, CSRF_CROSS_SITE},
    {"same-site sibling", "POST", JSON, "https://shop." HOST, "same-site", HOST,
        true, CSRF_CROSS_SITE},
    {"our name as a suffix", "POST", JSON, "https://evil" HOST, NULL, HOST,
        true, CSRF_CROSS_SITE},
    {"our name as a prefix", "POST", JSON, "https://" HOST ".evil.example",
        NULL, HOST, true, CSRF_CROSS_SITE},
    {"null origin", "POST", JSON, "null", NULL, HOST, true, CSRF_CROSS_SITE},
    {"null origin with same-origin", "POST", JSON, "null", "same-origin", HOST,
        true, CSRF_CROSS_SITE},
    {"empty origin", "POST", JSON, "", NULL, HOST, true, CSRF_CROSS_SITE},
    {"http origin on https", "POST", JSON, "http://" HOST, NULL, HOST, true,
        CSRF_CROSS_SITE},
    {"https origin on http", "POST", JSON, "https://" HOST, NULL, HOST, false,
        CSRF_CROSS_SITE},
    {"uppercase origin host", "POST", JSON, "https://TICKETS.Example", NULL,
        HOST, true, CSRF_OK},
    {"uppercase origin scheme", "POST", JSON, "HTTPS://" HOST, NULL, HOST, true,
        CSRF_OK},
    {"uppercase Host header", "POST", JSON, "https://" HOST, NULL,
        "Tickets.EXAMPLE", true, CSRF_OK},
    {"own port", "POST", JSON, "http://localhost:8080", NULL, "localhost:8080",
        false, CSRF_OK},
    {"port mismatch", "POST", JSON, "http://localhost:8081", NULL,
        "localhost:8080", false, CSRF_CROSS_SITE},
    {"port in Origin only", "POST", JSON, "http://localhost:8080", NULL,
        "localhost", false, CSRF_CROSS_SITE},
    {"port in Host only", "POST", JSON, "http://localhost", NULL,
        "localhost:8080", false, CSRF_CROSS_SITE},
    {"default https port in Host", "POST", JSON, "https://" HOST, NULL,
        HOST ":443", true, CSRF_OK},
    {"default http port in Origin", "POST", JSON, "http://" HOST ":80", NULL,
        HOST, false, CSRF_OK},
    {"https port on http", "POST", JSON, "http://" HOST ":443", NULL, HOST,
        false, CSRF_CROSS_SITE},
    {"origin with a path", "POST", JSON, "https://" HOST "/", NULL, HOST, true,
        CSRF_CROSS_SITE},
    {"origin with userinfo", "POST", JSON, "https://evil.example@" HOST, NULL,
        HOST, true, CSRF_CROSS_SITE},
    {"origin with an empty port", "POST", JSON, "https://" HOST ":", NULL, HOST,
        true, CSRF_CROSS_SITE},
    {"origin with port 0", "POST", JSON, "https://" HOST ":0", NULL, HOST ":0",
        true, CSRF_CROSS_SITE},
    {"origin with port over 65535", "POST", JSON, "https://" HOST ":65536",
        NULL, HOST ":65536", true, CSRF_CROSS_SITE},
    {"origin with another scheme", "POST", JSON, "ftp://" HOST, NULL, HOST,
        true, CSRF_CROSS_SITE},
    {"origin without a scheme", "POST", JSON, HOST, NULL, HOST, true,
        CSRF_CROSS_SITE},
    {"origin with no host", "POST", JSON, "https://", NULL, HOST, true,
        CSRF_CROSS_SITE},
    {"origin but no Host", "POST", JSON, "https://" HOST, NULL, NULL, true,
        CSRF_CROSS_SITE},
    {"origin but empty Host", "POST", JSON, "https://" HOST, NULL, "", true,
        CSRF_CROSS_SITE},
    {"no Host and no Origin", "POST", JSON, NULL, "same-origin", NULL, true,
        CSRF_OK},
    {"IPv4 host", "POST", JSON, "http://127.0.0.1:8080", NULL, "127.0.0.1:8080",
        false, CSRF_OK},
    {"IPv6 host", "POST", JSON, "http://[::1]:8080", NULL, "[::1]:8080", false,
        CSRF_OK},
    {"IPv6 port mismatch", "POST", JSON, "http://[::1]:8081", NULL,
        "[::1]:8080", false, CSRF_CROSS_SITE},
    {"IPv6 unclosed", "POST", JSON, "http://[::1", NULL, "[::1", false,
        CSRF_CROSS_SITE},
};

START_TEST(decision_table)
{
	struct csrf_request req = {
	    .method = cases[_i].method,
	    .content_type = cases[_i].content_type,
	    .origin = cases[_i].origin,
	    .sec_fetch_site = cases[_i].sec_fetch_site,
	    .host = cases[_i].host,
	    .https = cases[_i].https,
	};
	enum csrf_decision got = csrf_check(&req);

	ck_assert_msg(got == cases[_i].want, "%s: got %d, want %d",
	    cases[_i].name, got, cases[_i].want);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("csrf");
	TCase *tc = tcase_create("decisions");

	tcase_add_loop_test(
	    tc, decision_table, 0, (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
