/*
 * check_cookie.c - finding the session cookie, writing Set-Cookie.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/cookie.h"
#include "unit_main.h"

#define TOKEN "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0"

static const struct {
	const char *name;
	const char *header;
	int want;
	const char *value; /* when want is COOKIE_OK */
} find_cases[] = {
    {"single cookie", "ticketd_session=" TOKEN, COOKIE_OK, TOKEN},
    {"first among others", "ticketd_session=abc; theme=dark; lang=de",
        COOKIE_OK, "abc"},
    {"middle among others", "theme=dark; ticketd_session=abc; lang=de",
        COOKIE_OK, "abc"},
    {"last among others", "theme=dark; lang=de; ticketd_session=abc", COOKIE_OK,
        "abc"},
    {"no space after ';'", "theme=dark;ticketd_session=abc;lang=de", COOKIE_OK,
        "abc"},
    {"spaces and tabs around", "theme=dark;  \tticketd_session = abc \t; x=1",
        COOKIE_OK, "abc"},
    {"trailing ';'", "ticketd_session=abc;", COOKIE_OK, "abc"},
    {"quoted value", "a=1; ticketd_session=\"abc\"; b=2", COOKIE_OK, "abc"},
    {"other cookie malformed", "junk={\"json\": [1,2]}; ticketd_session=abc",
        COOKIE_OK, "abc"},
    {"nameless pair skipped", "ticketd_session; ticketd_session=abc", COOKIE_OK,
        "abc"},
    {"'=' inside the value is a cookie-octet", "ticketd_session=ab=c",
        COOKIE_OK, "ab=c"},
    {"absent: NULL header", NULL, COOKIE_ERR_ABSENT, NULL},
    {"absent: empty header", "", COOKIE_ERR_ABSENT, NULL},
    {"absent: other cookies only", "theme=dark; lang=de", COOKIE_ERR_ABSENT,
        NULL},
    {"absent: name prefix", "xticketd_session=abc", COOKIE_ERR_ABSENT, NULL},
    {"absent: name suffix", "ticketd_session2=abc", COOKIE_ERR_ABSENT, NULL},
    {"absent: other case", "TICKETD_SESSION=abc", COOKIE_ERR_ABSENT, NULL},
    {"absent: name only as a value", "x=ticketd_session", COOKIE_ERR_ABSENT,
        NULL},
    {"empty value", "ticketd_session=", COOKIE_ERR_MALFORMED, NULL},
    {"empty value among others", "a=1; ticketd_session=; b=2",
        COOKIE_ERR_MALFORMED, NULL},
    {"empty quoted value", "ticketd_session=\"\"", COOKIE_ERR_MALFORMED, NULL},
    {"unbalanced quote", "ticketd_session=\"abc", COOKIE_ERR_MALFORMED, NULL},
    {"quote inside", "ticketd_session=ab\"c", COOKIE_ERR_MALFORMED, NULL},
    {"space inside value", "ticketd_session=ab c", COOKIE_ERR_MALFORMED, NULL},
    {"comma inside value", "ticketd_session=ab,c", COOKIE_ERR_MALFORMED, NULL},
    {"backslash inside value", "ticketd_session=ab\\c", COOKIE_ERR_MALFORMED,
        NULL},
    {"control byte inside value", "ticketd_session=ab\x01z",
        COOKIE_ERR_MALFORMED, NULL},
    {"non-ASCII inside value", "ticketd_session=caf\xc3\xa9",
        COOKIE_ERR_MALFORMED, NULL},
    {"duplicated", "ticketd_session=abc; ticketd_session=def",
        COOKIE_ERR_DUPLICATE, NULL},
    {"duplicated with the same value",
        "ticketd_session=abc; a=1; ticketd_session=abc", COOKIE_ERR_DUPLICATE,
        NULL},
    {"duplicated, first one empty", "ticketd_session=; ticketd_session=abc",
        COOKIE_ERR_DUPLICATE, NULL},
};

START_TEST(find_table)
{
	const char *value = NULL;
	size_t len = 0;
	int got =
	    cookie_find_session(find_cases[_i].header, false, &value, &len);

	ck_assert_msg(got == find_cases[_i].want, "%s: got %d, want %d",
	    find_cases[_i].name, got, find_cases[_i].want);
	if (find_cases[_i].want == COOKIE_OK) {
		ck_assert_uint_eq(len, strlen(find_cases[_i].value));
		ck_assert_msg(memcmp(value, find_cases[_i].value, len) == 0,
		    "%s: got %.*s", find_cases[_i].name, (int)len, value);
	}
}
END_TEST

/* Over HTTPS only the __Host- cookie is ours: a plain one (a sibling
 * subdomain can set that for the parent domain) is not read. */
START_TEST(find_secure_name)
{
	const char *value;
	size_t len;

	ck_assert_int_eq(
	    cookie_find_session("ticketd_session=abc", true, &value, &len),
	    COOKIE_ERR_ABSENT);
	ck_assert_int_eq(cookie_find_session(
	                     "ticketd_session=evil; __Host-ticketd_session=abc",
	                     true, &value, &len),
	    COOKIE_OK);
	ck_assert_uint_eq(len, 3);
	ck_assert(memcmp(value, "abc", 3) == 0);
	ck_assert_int_eq(cookie_find_session(
	                     "__Host-ticketd_session=abc", false, &value, &len),
	    COOKIE_ERR_ABSENT);
}
END_TEST

START_TEST(find_by_other_name)
{
	const char *value;
	size_t len;

	ck_assert_int_eq(
	    cookie_find("a=1; theme=dark", "theme", &value, &len), COOKIE_OK);
	ck_assert_uint_eq(len, 4);
	ck_assert(memcmp(value, "dark", 4) == 0);
}
END_TEST

/* A header of exactly COOKIE_HEADER_MAX bytes, or one more. */
static char *
header_of(size_t size)
{
	static const char prefix[] = "ticketd_session=abc; pad=";
	char *h = malloc(size + 1);

	ck_assert_ptr_nonnull(h);
	memcpy(h, prefix, sizeof(prefix) - 1);
	memset(h + sizeof(prefix) - 1, 'x', size - (sizeof(prefix) - 1));
	h[size] = '\0';
	return h;
}

START_TEST(header_at_the_limit_is_read)
{
	char *h = header_of(COOKIE_HEADER_MAX);
	const char *value;
	size_t len;

	ck_assert_int_eq(
	    cookie_find_session(h, false, &value, &len), COOKIE_OK);
	ck_assert_uint_eq(len, 3);
	free(h);
}
END_TEST

START_TEST(header_over_the_limit_is_too_large)
{
	char *h = header_of(COOKIE_HEADER_MAX + 1);
	const char *value;
	size_t len;

	ck_assert_int_eq(
	    cookie_find_session(h, false, &value, &len), COOKIE_ERR_TOO_LARGE);
	free(h);
}
END_TEST

START_TEST(value_at_the_limit_is_read)
{
	char h[64 + COOKIE_VALUE_MAX];
	const char *value;
	size_t len;
	int n = snprintf(h, sizeof(h), "ticketd_session=");

	memset(h + n, 'v', COOKIE_VALUE_MAX);
	h[n + COOKIE_VALUE_MAX] = '\0';
	ck_assert_int_eq(
	    cookie_find_session(h, false, &value, &len), COOKIE_OK);
	ck_assert_uint_eq(len, COOKIE_VALUE_MAX);
}
END_TEST

START_TEST(value_over_the_limit_is_too_large)
{
	char h[64 + COOKIE_VALUE_MAX];
	const char *value;
	size_t len;
	int n = snprintf(h, sizeof(h), "ticketd_session=");

	memset(h + n, 'v', COOKIE_VALUE_MAX + 1);
	h[n + COOKIE_VALUE_MAX + 1] = '\0';
	ck_assert_int_eq(
	    cookie_find_session(h, false, &value, &len), COOKIE_ERR_TOO_LARGE);
}
END_TEST

START_TEST(set_cookie_without_secure)
{
	char buf[COOKIE_SET_MAX];

	ck_assert_int_eq(
	    cookie_format_session(TOKEN, 2592000, false, buf, sizeof(buf)),
	    COOKIE_OK);
	ck_assert_str_eq(buf, "ticketd_session=" TOKEN "; Path=/; "
	                      "Max-Age=2592000; HttpOnly; SameSite=Lax");
}
END_TEST

START_TEST(set_cookie_with_secure)
{
	char buf[COOKIE_SET_MAX];

	ck_assert_int_eq(
	    cookie_format_session(TOKEN, 60, true, buf, sizeof(buf)),
	    COOKIE_OK);
	ck_assert_str_eq(buf, "__Host-ticketd_session=" TOKEN "; Path=/; "
	                      "Max-Age=60; HttpOnly; SameSite=Lax; Secure");
}
END_TEST

START_TEST(clearing_cookie)
{
	char buf[COOKIE_SET_MAX];

	ck_assert_int_eq(
	    cookie_format_clear(false, buf, sizeof(buf)), COOKIE_OK);
	ck_assert_str_eq(
	    buf, "ticketd_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax");
	ck_assert_int_eq(
	    cookie_format_clear(true, buf, sizeof(buf)), COOKIE_OK);
	ck_assert_str_eq(buf, "__Host-ticketd_session=; Path=/; Max-Age=0; "
	                      "HttpOnly; SameSite=Lax; Secure");
}
END_TEST

START_TEST(set_cookie_exact_fit)
{
	const char *want = "ticketd_session=" TOKEN
	                   "; Path=/; Max-Age=60; HttpOnly; SameSite=Lax";
	size_t need = strlen(want) + 1;
	char buf[COOKIE_SET_MAX];

	ck_assert_int_eq(
	    cookie_format_session(TOKEN, 60, false, buf, need), COOKIE_OK);
	ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(set_cookie_one_byte_short)
{
	const char *want = "ticketd_session=" TOKEN
	                   "; Path=/; Max-Age=60; HttpOnly; SameSite=Lax";
	char buf[COOKIE_SET_MAX];

	ck_assert_int_eq(
	    cookie_format_session(TOKEN, 60, false, buf, strlen(want)),
	    COOKIE_ERR_NO_ROOM);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(clearing_cookie_buffer_too_small)
{
	char buf[16];

	ck_assert_int_eq(
	    cookie_format_clear(true, buf, sizeof(buf)), COOKIE_ERR_NO_ROOM);
	ck_assert_str_eq(buf, "");
	ck_assert_int_eq(cookie_format_clear(true, buf, 0), COOKIE_ERR_NO_ROOM);
}
END_TEST

START_TEST(longest_cookie_fits_set_max)
{
	char token[COOKIE_VALUE_MAX + 1], buf[COOKIE_SET_MAX];

	memset(token, 't', COOKIE_VALUE_MAX);
	token[COOKIE_VALUE_MAX] = '\0';
	ck_assert_int_eq(cookie_format_session(token, COOKIE_MAX_AGE_MAX_S,
	                     true, buf, sizeof(buf)),
	    COOKIE_OK);
}
END_TEST

static const struct {
	const char *name;
	const char *token;
	int64_t max_age;
} bad_set_cases[] = {
    {"empty token", "", 60},
    {"';' would inject an attribute", "abc; Domain=evil.example", 60},
    {"CRLF would inject a header", "abc\r\nSet-Cookie: x=1", 60},
    {"space", "ab c", 60},
    {"quote", "ab\"c", 60},
    {"negative Max-Age", TOKEN, -1},
    {"Max-Age over 400 days", TOKEN, COOKIE_MAX_AGE_MAX_S + 1},
};

START_TEST(bad_set_table)
{
	char buf[COOKIE_SET_MAX] = "x";
	int got = cookie_format_session(bad_set_cases[_i].token,
	    bad_set_cases[_i].max_age, true, buf, sizeof(buf));

	ck_assert_msg(got == COOKIE_ERR_MALFORMED, "%s: got %d",
	    bad_set_cases[_i].name, got);
	ck_assert_str_eq(buf, "");
}
END_TEST

START_TEST(token_over_value_max_is_refused)
{
	char token[COOKIE_VALUE_MAX + 2], buf[COOKIE_SET_MAX * 2];

	memset(token, 't', COOKIE_VALUE_MAX + 1);
	token[COOKIE_VALUE_MAX + 1] = '\0';
	ck_assert_int_eq(
	    cookie_format_session(token, 60, true, buf, sizeof(buf)),
	    COOKIE_ERR_MALFORMED);
}
END_TEST

static int
count(size_t size, size_t one)
{
	return (int)(size / one);
}

static Suite *
suite(void)
{
	Suite *s = suite_create("cookie");
	TCase *find = tcase_create("find");
	TCase *set = tcase_create("set");

	tcase_add_loop_test(find, find_table, 0,
	    count(sizeof(find_cases), sizeof(find_cases[0])));
	tcase_add_test(find, find_by_other_name);
	tcase_add_test(find, find_secure_name);
	tcase_add_test(find, header_at_the_limit_is_read);
	tcase_add_test(find, header_over_the_limit_is_too_large);
	tcase_add_test(find, value_at_the_limit_is_read);
	tcase_add_test(find, value_over_the_limit_is_too_large);
	suite_add_tcase(s, find);

	tcase_add_test(set, set_cookie_without_secure);
	tcase_add_test(set, set_cookie_with_secure);
	tcase_add_test(set, clearing_cookie);
	tcase_add_test(set, set_cookie_exact_fit);
	tcase_add_test(set, set_cookie_one_byte_short);
	tcase_add_test(set, clearing_cookie_buffer_too_small);
	tcase_add_test(set, longest_cookie_fits_set_max);
	tcase_add_loop_test(set, bad_set_table, 0,
	    count(sizeof(bad_set_cases), sizeof(bad_set_cases[0])));
	tcase_add_test(set, token_over_value_max_is_refused);
	suite_add_tcase(s, set);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
