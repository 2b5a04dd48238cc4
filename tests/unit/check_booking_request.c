/*
 * check_booking_request.c - the strict booking body parser: every field's
 * error path answers 400 INVALID_REQUEST naming that field.
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "http/booking_request.h"
#include "unit_main.h"

#define KEY "550e8400-e29b-41d4-a716-446655440000"

static struct booking_request br;
static struct response res;

/* The signed-in fan the bodies are parsed for, then bound to as the
 * handler does: "u", the userId most of them carry (a userId is optional,
 * and must then name the fan). */
static int
parse_as(const char *body, const char *fan)
{
	struct user_claim claim;
	int rc;

	response_free(&res);
	response_init(&res);
	rc = booking_request_parse(body, strlen(body), &br, &claim, &res);
	return rc != 0 ? rc : booking_request_bind(&br, &claim, fan, &res);
}

static int
parse(const char *body)
{
	return parse_as(body, "u");
}

/* The error code and field of the last answer. */
static void
assert_invalid(const char *body, const char *field)
{
	json_object *err, *code, *details, *f;

	ck_assert_msg(parse(body) == TD_ERR_INVALID, "accepted: %s", body);
	ck_assert_int_eq(res.status, 400);
	ck_assert(json_object_object_get_ex(res.body, "error", &err));
	ck_assert(json_object_object_get_ex(err, "code", &code));
	ck_assert_str_eq(json_object_get_string(code), "INVALID_REQUEST");
	ck_assert(json_object_object_get_ex(err, "details", &details));
	ck_assert(json_object_object_get_ex(details, "field", &f));
	ck_assert_msg(strcmp(json_object_get_string(f), field) == 0,
	    "field %s, expected %s for %s", json_object_get_string(f), field,
	    body);
}

static void
setup(void)
{
	response_init(&res);
}

static void
teardown(void)
{
	response_free(&res);
}

START_TEST(valid_request_is_parsed_and_sorted)
{
	ck_assert_int_eq(
	    parse_as(
	        "{\"concertId\":\"concert_001\",\"userId\":\"ann\","
	        "\"tickets\":[{\"tierId\":\"tier_vip_001\",\"quantity\":2},"
	        "{\"tierId\":\"tier_ga_001\",\"quantity\":3}],"
	        "\"idempotencyKey\":\"550E8400-E29B-41D4-A716-446655440000\","
	        "\"totalAmount\":230.00}",
	        "ann"),
	    0);
	ck_assert_str_eq(br.concert_id, "concert_001");
	ck_assert_str_eq(br.user_id, "ann");
	ck_assert_int_eq(br.nlines, 2);
	ck_assert_str_eq(br.lines[0].tier_id, "tier_ga_001");
	ck_assert_int_eq(br.lines[0].quantity, 3);
	ck_assert_int_eq(br.lines[0].index, 1);
	ck_assert_str_eq(br.idempotency_key, KEY);
	ck_assert_int_eq(br.total_cents, 23000);
	ck_assert_str_eq(br.payment_method, "card");
}
END_TEST

START_TEST(money_is_exact)
{
	ck_assert_int_eq(
	    parse(
	        "{\"concertId\":\"c\",\"userId\":\"u\",\"tickets\":"
	        "[{\"tierId\":\"t\",\"quantity\":1}],\"idempotencyKey\":\"" KEY
	        "\","
	        "\"totalAmount\":19.99}"),
	    0);
	ck_assert_int_eq(br.total_cents, 1999);
	ck_assert_int_eq(
	    parse(
	        "{\"concertId\":\"c\",\"userId\":\"u\",\"tickets\":"
	        "[{\"tierId\":\"t\",\"quantity\":1}],\"idempotencyKey\":\"" KEY
	        "\","
	        "\"totalAmount\":230,\"paymentMethod\":\"test_decline\"}"),
	    0);
	ck_assert_int_eq(br.total_cents, 23000);
	ck_assert_str_eq(br.payment_method, "test_decline");
}
END_TEST

START_TEST(canonical_ignores_line_order_and_key)
{
	char *a, *b;

	parse("{\"concertId\":\"c\",\"userId\":\"u\",\"tickets\":[{\"tierId\":"
	      "\"a\","
	      "\"quantity\":1},{\"tierId\":\"b\",\"quantity\":2}],"
	      "\"idempotencyKey\":\"" KEY "\",\"totalAmount\":1}");
	a = booking_request_canonical(&br);
	parse("{\"totalAmount\":1.00,\"tickets\":[{\"quantity\":2,\"tierId\":"
	      "\"b\"},"
	      "{\"tierId\":\"a\",\"quantity\":1}],\"userId\":\"u\","
	      "\"concertId\":\"c\","
	      "\"idempotencyKey\":\"" KEY "\"}");
	b = booking_request_canonical(&br);
	ck_assert_str_eq(a, b);
	free(b);
	/* The same body from another fan is another request. */
	parse_as("{\"concertId\":\"c\",\"tickets\":[{\"tierId\":"
	         "\"a\","
	         "\"quantity\":1},{\"tierId\":\"b\",\"quantity\":2}],"
	         "\"idempotencyKey\":\"" KEY "\",\"totalAmount\":1}",
	    "v");
	b = booking_request_canonical(&br);
	ck_assert_str_ne(a, b);
	free(a);
	free(b);
}
END_TEST

#define GOOD_TAIL ",\"idempotencyKey\":\"" KEY "\",\"totalAmount\":10}"
#define LINE(t, q) "[{\"tierId\":" t ",\"quantity\":" q "}]"
#define BODY(c, u, tickets)                                                    \
	"{\"concertId\":" c ",\"userId\":" u ",\"tickets\":" tickets GOOD_TAIL

START_TEST(malformed_bodies)
{
	assert_invalid("{", "body");
	assert_invalid("[]", "body");
	assert_invalid("\"x\"", "body");
	assert_invalid(BODY("\"c\"", "\"u\"", LINE("\"t\"", "1")) "{}", "body");
	assert_invalid(BODY("\"c\"", "\"u\"", LINE("\"t\"", "1")) " x", "body");
	assert_invalid("{\"a\":[[[[[[[[[[1]]]]]]]]]]}", "body");
	assert_invalid("{\"concertId\":'c'}", "body");
	assert_invalid("{\"userId\":\"\xff\"}", "body");
	/* Escaped surrogates that are not a pair: json-c would decode them
	 * to U+FFFD. */
	assert_invalid("{\"userId\":\"a\\ud800b\"}", "body");
	assert_invalid("{\"userId\":\"a\\uDC00\"}", "body");
	assert_invalid("{\"userId\":\"\\ud800\\u0041\"}", "body");
	assert_invalid("{\"userId\":\"\\ud800\"}", "body");
}
END_TEST

START_TEST(concert_id_errors)
{
	assert_invalid("{\"userId\":\"u\"}", "concertId");
	assert_invalid(BODY("7", "\"u\"", LINE("\"t\"", "1")), "concertId");
	assert_invalid(BODY("null", "\"u\"", LINE("\"t\"", "1")), "concertId");
	assert_invalid(
	    BODY("\"a b\"", "\"u\"", LINE("\"t\"", "1")), "concertId");
	assert_invalid(BODY("\"\"", "\"u\"", LINE("\"t\"", "1")), "concertId");
	assert_invalid(
	    BODY("\"a\\u0000b\"", "\"u\"", LINE("\"t\"", "1")), "concertId");
}
END_TEST

/* The body's userId: optional, and when present the signed-in fan's. */
START_TEST(user_id_errors)
{
	/* Not a string: 400 naming the field. */
	assert_invalid(BODY("\"c\"", "1", LINE("\"t\"", "1")), "userId");
	assert_invalid(BODY("\"c\"", "null", LINE("\"t\"", "1")), "userId");
	assert_invalid(
	    BODY("\"c\"", "\"a\\u0000b\"", LINE("\"t\"", "1")), "userId");
	/* Raw surrogate bytes: json-c lets them through. */
	assert_invalid(
	    BODY("\"c\"", "\"\xed\xa0\x80\"", LINE("\"t\"", "1")), "userId");
}
END_TEST

static void
assert_forbidden(const char *body)
{
	json_object *err, *code, *details, *f;

	ck_assert_msg(parse(body) != 0, "accepted: %s", body);
	ck_assert_int_eq(res.status, 403);
	ck_assert(json_object_object_get_ex(res.body, "error", &err));
	ck_assert(json_object_object_get_ex(err, "code", &code));
	ck_assert_str_eq(json_object_get_string(code), "FORBIDDEN");
	ck_assert(json_object_object_get_ex(err, "details", &details));
	ck_assert(json_object_object_get_ex(details, "field", &f));
	ck_assert_str_eq(json_object_get_string(f), "userId");
}

START_TEST(user_id_of_another_fan_is_forbidden)
{
	assert_forbidden(BODY("\"c\"", "\"v\"", LINE("\"t\"", "1")));
	assert_forbidden(BODY("\"c\"", "\"\"", LINE("\"t\"", "1")));
	assert_forbidden(BODY("\"c\"", "\"U\"", LINE("\"t\"", "1")));
}
END_TEST

/* Longer than any fan's id, and than the claim's buffer: still 403. */
START_TEST(user_id_too_long_for_any_fan_is_forbidden)
{
	char body[1024], id[BOOKING_USER_MAX + 2];

	memset(id, 'u', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(body, sizeof(body),
	    "{\"concertId\":\"c\",\"userId\":\"%s\",\"tickets\":"
	    "[{\"tierId\":\"t\",\"quantity\":1}]" GOOD_TAIL,
	    id);
	assert_forbidden(body);
}
END_TEST

/* The fan is known only after the body is read: a bad field is 400 first. */
START_TEST(bad_field_answers_before_another_fans_user_id)
{
	assert_invalid(
	    BODY("\"c\"", "\"v\"", LINE("\"t\"", "0")), "tickets[0].quantity");
}
END_TEST

START_TEST(user_id_may_be_left_out)
{
	ck_assert_int_eq(parse("{\"concertId\":\"c\",\"tickets\":"
	                       "[{\"tierId\":\"t\",\"quantity\":1}]" GOOD_TAIL),
	    0);
	ck_assert_str_eq(br.user_id, "u");
}
END_TEST

/* One test per malformed ticket list, each naming its exact field. */
static const struct {
	const char *name;
	const char *body;
	const char *field;
} ticket_cases[] = {
    {"tickets not an array", BODY("\"c\"", "\"u\"", "{}"), "tickets"},
    {"no ticket lines", BODY("\"c\"", "\"u\"", "[]"), "tickets"},
    {"a line that is not an object", BODY("\"c\"", "\"u\"", "[1]"),
        "tickets[0]"},
    {"quantity 0", BODY("\"c\"", "\"u\"", LINE("\"t\"", "0")),
        "tickets[0].quantity"},
    {"quantity 11", BODY("\"c\"", "\"u\"", LINE("\"t\"", "11")),
        "tickets[0].quantity"},
    {"quantity -1", BODY("\"c\"", "\"u\"", LINE("\"t\"", "-1")),
        "tickets[0].quantity"},
    {"quantity 1.5", BODY("\"c\"", "\"u\"", LINE("\"t\"", "1.5")),
        "tickets[0].quantity"},
    {"quantity a string", BODY("\"c\"", "\"u\"", LINE("\"t\"", "\"2\"")),
        "tickets[0].quantity"},
    {"quantity a boolean", BODY("\"c\"", "\"u\"", LINE("\"t\"", "true")),
        "tickets[0].quantity"},
    {"quantity beyond int64",
        BODY("\"c\"", "\"u\"", LINE("\"t\"", "99999999999999999999999")),
        "tickets[0].quantity"},
    {"tierId not a slug", BODY("\"c\"", "\"u\"", LINE("\"a b\"", "1")),
        "tickets[0].tierId"},
    {"tierId a number", BODY("\"c\"", "\"u\"", LINE("5", "1")),
        "tickets[0].tierId"},
    {"no tierId", BODY("\"c\"", "\"u\"", "[{\"quantity\":1}]"),
        "tickets[0].tierId"},
    {"no quantity", BODY("\"c\"", "\"u\"", "[{\"tierId\":\"t\"}]"),
        "tickets[0].quantity"},
    {"a tier twice",
        BODY("\"c\"", "\"u\"",
            "[{\"tierId\":\"t\",\"quantity\":1},"
            "{\"tierId\":\"t\",\"quantity\":2}]"),
        "tickets[1].tierId"},
    {"eleven lines",
        BODY("\"c\"", "\"u\"",
            "[{\"tierId\":\"a\",\"quantity\":1},"
            "{\"tierId\":\"b\",\"quantity\":1},{\"tierId\":"
            "\"c\",\"quantity\":1},"
            "{\"tierId\":\"d\",\"quantity\":1},{\"tierId\":"
            "\"e\",\"quantity\":1},"
            "{\"tierId\":\"f\",\"quantity\":1},{\"tierId\":"
            "\"g\",\"quantity\":1},"
            "{\"tierId\":\"h\",\"quantity\":1},{\"tierId\":"
            "\"i\",\"quantity\":1},"
            "{\"tierId\":\"j\",\"quantity\":1},{\"tierId\":"
            "\"k\",\"quantity\":1}]"),
        "tickets"},
};

#define NTICKET_CASES (int)(sizeof(ticket_cases) / sizeof(ticket_cases[0]))

START_TEST(ticket_error)
{
	/* Check names the loop index (_i) of a failure; the table names the
	 * case. */
	assert_invalid(ticket_cases[_i].body, ticket_cases[_i].field);
}
END_TEST

#define HEAD                                                                   \
	"{\"concertId\":\"c\",\"userId\":\"u\",\"tickets\":" LINE("\"t\"", "1")

START_TEST(key_total_and_method_errors)
{
	assert_invalid(HEAD ",\"totalAmount\":1}", "idempotencyKey");
	assert_invalid(HEAD ",\"idempotencyKey\":\"nope\",\"totalAmount\":1}",
	    "idempotencyKey");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "x\",\"totalAmount\":1}",
	    "idempotencyKey");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY "\"}", "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":"
	                    "\"00000000-0000-0000-0000-000000000000\","
	                    "\"totalAmount\":1}",
	    "idempotencyKey");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":0300.00}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":\"1\"}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":-1}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":1.999}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":1e3}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY "\",\"totalAmount\":"
	                    "1e400}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY "\",\"totalAmount\":"
	                    "99999999999999999999}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":NaN}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY
	                    "\",\"totalAmount\":-Infinity}",
	    "totalAmount");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY "\",\"totalAmount\":1,"
	                    "\"paymentMethod\":\"cash\"}",
	    "paymentMethod");
	assert_invalid(HEAD ",\"idempotencyKey\":\"" KEY "\",\"totalAmount\":1,"
	                    "\"paymentMethod\":1}",
	    "paymentMethod");
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("booking_request");
	TCase *tc = tcase_create("parse");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, valid_request_is_parsed_and_sorted);
	tcase_add_test(tc, money_is_exact);
	tcase_add_test(tc, canonical_ignores_line_order_and_key);
	tcase_add_test(tc, malformed_bodies);
	tcase_add_test(tc, concert_id_errors);
	tcase_add_test(tc, user_id_errors);
	tcase_add_test(tc, user_id_of_another_fan_is_forbidden);
	tcase_add_test(tc, user_id_too_long_for_any_fan_is_forbidden);
	tcase_add_test(tc, bad_field_answers_before_another_fans_user_id);
	tcase_add_test(tc, user_id_may_be_left_out);
	tcase_add_loop_test(tc, ticket_error, 0, NTICKET_CASES);
	tcase_add_test(tc, key_total_and_method_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
