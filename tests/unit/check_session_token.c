/*
 * check_session_token.c - token shape, stored hash, expiry decisions.
 */
#include <check.h>
#include <string.h>

#include "domain/session_token.h"
#include "unit_main.h"

/* A token as we issue it: the last character's two low bits are zero. */
#define GOOD "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0"

#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define ABS SESSION_ABSOLUTE_TTL_S
#define IDLE SESSION_IDLE_TTL_S

static bool
is_url_safe(const char *s)
{
	return strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	                 "0123456789-_") == strlen(s);
}

START_TEST(new_token_is_43_url_safe_characters)
{
	char t[SESSION_TOKEN_LEN + 1];

	session_token_new(t);
	ck_assert_uint_eq(strlen(t), 43);
	ck_assert(is_url_safe(t));
}
END_TEST

START_TEST(new_token_parses)
{
	char t[SESSION_TOKEN_LEN + 1];

	/* Many, so the canonical last character is not luck. */
	for (int i = 0; i < 1000; i++) {
		session_token_new(t);
		ck_assert_msg(session_token_parse(t, strlen(t)) == 0, "%s", t);
	}
}
END_TEST

START_TEST(new_tokens_differ)
{
	char a[SESSION_TOKEN_LEN + 1], b[SESSION_TOKEN_LEN + 1];

	session_token_new(a);
	session_token_new(b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(hash_is_64_lowercase_hex)
{
	char h[SESSION_TOKEN_HASH_HEX_LEN + 1];

	session_token_hash(GOOD, h);
	ck_assert_uint_eq(strlen(h), 64);
	ck_assert_uint_eq(strspn(h, "0123456789abcdef"), 64);
}
END_TEST

START_TEST(hash_is_sha256_of_the_text)
{
	char h[SESSION_TOKEN_HASH_HEX_LEN + 1];

	/* printf %s "$GOOD" | sha256sum */
	session_token_hash(GOOD, h);
	ck_assert_str_eq(h, "d5d8a4e72feabcc6dbd09297b2ea0611"
	                    "61113c0a7da28a17b10414ee54851532");
}
END_TEST

START_TEST(hash_is_stable)
{
	char a[SESSION_TOKEN_HASH_HEX_LEN + 1],
	    b[SESSION_TOKEN_HASH_HEX_LEN + 1];

	session_token_hash(GOOD, a);
	session_token_hash(GOOD, b);
	ck_assert_str_eq(a, b);
}
END_TEST

START_TEST(hash_differs_for_different_tokens)
{
	char t[SESSION_TOKEN_LEN + 1];
	char a[SESSION_TOKEN_HASH_HEX_LEN + 1],
	    b[SESSION_TOKEN_HASH_HEX_LEN + 1];

	memcpy(t, GOOD, sizeof(t));
	session_token_hash(t, a);
	t[0] = 'b';
	session_token_hash(t, b);
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(hash_reads_only_the_token)
{
	char a[SESSION_TOKEN_HASH_HEX_LEN + 1],
	    b[SESSION_TOKEN_HASH_HEX_LEN + 1];

	session_token_hash(GOOD, a);
	session_token_hash(GOOD "trailing", b);
	ck_assert_str_eq(a, b);
}
END_TEST

static const struct {
	const char *name;
	const char *text;
	size_t len;
	int want;
} parse_cases[] = {
    {"good", GOOD, 43, 0},
    {"empty", "", 0, SESSION_TOKEN_ERR_LENGTH},
    {"42 characters", GOOD, 42, SESSION_TOKEN_ERR_LENGTH},
    {"44 characters", GOOD "A", 44, SESSION_TOKEN_ERR_LENGTH},
    {"'+' (standard base64)", "+bcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_0", 43,
        SESSION_TOKEN_ERR_ALPHABET},
    {"'/' (standard base64)", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-/0", 43,
        SESSION_TOKEN_ERR_ALPHABET},
    {"'=' padding", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_=", 43,
        SESSION_TOKEN_ERR_ALPHABET},
    {"space", "abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMN-0", 43,
        SESSION_TOKEN_ERR_ALPHABET},
    {"NUL inside", "abcdefghijklmnopqrstuvwxyz\0ABCDEFGHIJKLMN-0", 43,
        SESSION_TOKEN_ERR_ALPHABET},
    {"non-ASCII",
        "abcdefghijklmnopqrstuvwxyz\xc3\xa9"
        "BCDEFGHIJKLMN-_",
        43, SESSION_TOKEN_ERR_ALPHABET},
    /* '1' is value 53: low bits 01, a spelling we never issue. */
    {"non-canonical last character",
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_1", 43,
        SESSION_TOKEN_ERR_NONCANONICAL},
    {"canonical 'w' last", "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN-_w", 43,
        0},
};

START_TEST(parse_table)
{
	int got =
	    session_token_parse(parse_cases[_i].text, parse_cases[_i].len);

	ck_assert_msg(got == parse_cases[_i].want, "%s: got %d, want %d",
	    parse_cases[_i].name, got, parse_cases[_i].want);
}
END_TEST

static const struct {
	const char *name;
	int64_t now, created, last_seen;
	bool want;
} live_cases[] = {
    {"just created", T0, T0, T0, true},
    {"absolute: one second before", T0 + ABS - 1, T0, T0 + ABS - 2, true},
    {"absolute: at the limit", T0 + ABS, T0, T0 + ABS - 1, false},
    {"absolute: one second after", T0 + ABS + 1, T0, T0 + ABS, false},
    {"idle: one second before", T0 + IDLE - 1, T0, T0, true},
    {"idle: at the limit", T0 + IDLE, T0, T0, false},
    {"idle: one second after", T0 + IDLE + 1, T0, T0, false},
    {"idle counts from last_seen", T0 + 2 * IDLE - 1, T0, T0 + IDLE, true},
    {"idle limit from last_seen", T0 + 2 * IDLE, T0, T0 + IDLE, false},
    {"clock stepped back", T0 - 60, T0, T0, true},
    {"far past values do not overflow", INT64_MAX, INT64_MIN, INT64_MIN, false},
};

START_TEST(live_table)
{
	bool got = session_is_live(live_cases[_i].now, live_cases[_i].created,
	    live_cases[_i].last_seen, ABS, IDLE);

	ck_assert_msg(
	    got == live_cases[_i].want, "%s: got %d", live_cases[_i].name, got);
}
END_TEST

START_TEST(zero_ttl_is_never_live)
{
	ck_assert(!session_is_live(T0, T0, T0, 0, IDLE));
	ck_assert(!session_is_live(T0, T0, T0, ABS, 0));
	ck_assert(!session_is_live(T0, T0, T0, -1, IDLE));
}
END_TEST

START_TEST(ttls_are_30_and_7_days)
{
	ck_assert_int_eq(SESSION_ABSOLUTE_TTL_S, 2592000);
	ck_assert_int_eq(SESSION_IDLE_TTL_S, 604800);
}
END_TEST

static const struct {
	const char *name;
	int64_t now, last_seen;
	bool want;
} touch_cases[] = {
    {"same second", T0, T0, false},
    {"one second before the interval", T0 + SESSION_TOUCH_INTERVAL_S - 1, T0,
        false},
    {"at the interval", T0 + SESSION_TOUCH_INTERVAL_S, T0, true},
    {"one second after", T0 + SESSION_TOUCH_INTERVAL_S + 1, T0, true},
    {"last_seen in the future", T0, T0 + 3600, false},
};

START_TEST(touch_table)
{
	bool got = session_should_touch(
	    touch_cases[_i].now, touch_cases[_i].last_seen);

	ck_assert_msg(got == touch_cases[_i].want, "%s: got %d",
	    touch_cases[_i].name, got);
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
	Suite *s = suite_create("session_token");
	TCase *tokens = tcase_create("tokens");
	TCase *expiry = tcase_create("expiry");

	tcase_add_test(tokens, new_token_is_43_url_safe_characters);
	tcase_add_test(tokens, new_token_parses);
	tcase_add_test(tokens, new_tokens_differ);
	tcase_add_test(tokens, hash_is_64_lowercase_hex);
	tcase_add_test(tokens, hash_is_sha256_of_the_text);
	tcase_add_test(tokens, hash_is_stable);
	tcase_add_test(tokens, hash_differs_for_different_tokens);
	tcase_add_test(tokens, hash_reads_only_the_token);
	tcase_add_loop_test(tokens, parse_table, 0,
	    count(sizeof(parse_cases), sizeof(parse_cases[0])));
	suite_add_tcase(s, tokens);

	tcase_add_loop_test(expiry, live_table, 0,
	    count(sizeof(live_cases), sizeof(live_cases[0])));
	tcase_add_test(expiry, zero_ttl_is_never_live);
	tcase_add_test(expiry, ttls_are_30_and_7_days);
	tcase_add_loop_test(expiry, touch_table, 0,
	    count(sizeof(touch_cases), sizeof(touch_cases[0])));
	suite_add_tcase(s, expiry);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
