/*
 * check_money_ids.c - exact money, id shapes, strict UTF-8, payment dice.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/ids.h"
#include "domain/money.h"
#include "domain/payment.h"
#include "domain/utf8.h"
#include "unit_main.h"

START_TEST(money_parses_exactly)
{
	int64_t c;

	ck_assert_int_eq(money_parse_cents("19.99", &c), 0);
	ck_assert_int_eq(c, 1999);
	ck_assert_int_eq(money_parse_cents("230", &c), 0);
	ck_assert_int_eq(c, 23000);
	ck_assert_int_eq(money_parse_cents("230.5", &c), 0);
	ck_assert_int_eq(c, 23050);
	ck_assert_int_eq(money_parse_cents("0.01", &c), 0);
	ck_assert_int_eq(c, 1);
	ck_assert_int_eq(money_parse_cents("0", &c), 0);
	ck_assert_int_eq(c, 0);
	ck_assert_int_eq(money_parse_cents("0.01", &c), 0);
	ck_assert_int_eq(c, 1);
	ck_assert_int_eq(money_parse_cents("10000000.00", &c), 0);
	ck_assert_int_eq(c, MONEY_MAX_CENTS);
}
END_TEST

START_TEST(money_rejects)
{
	int64_t c;
	const char *bad[] = {"", "-1", "+1", "1.", ".5", "1.234", "1e2", "NaN",
	    "Infinity", "10000000.01", "1 ", "0x10", "999999999999999",
	    "0300.00", "00", "01", "00.5"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ck_assert_msg(
		    money_parse_cents(bad[i], &c) == -1, "accepted %s", bad[i]);
	}
}
END_TEST

START_TEST(money_formats)
{
	char buf[24];

	ck_assert_str_eq(money_format(23000, buf, sizeof(buf)), "230.00");
	ck_assert_str_eq(money_format(1999, buf, sizeof(buf)), "19.99");
	ck_assert_str_eq(money_format(5, buf, sizeof(buf)), "0.05");
	ck_assert_str_eq(money_format(-150, buf, sizeof(buf)), "-1.50");
}
END_TEST

START_TEST(slugs)
{
	char long_id[80];

	ck_assert(ids_is_slug("concert_001"));
	ck_assert(ids_is_slug("A-z_9"));
	ck_assert(!ids_is_slug(""));
	ck_assert(!ids_is_slug("a b"));
	ck_assert(!ids_is_slug("a/b"));
	ck_assert(!ids_is_slug("é"));
	memset(long_id, 'a', 64);
	long_id[64] = '\0';
	ck_assert(ids_is_slug(long_id));
	long_id[64] = 'a';
	long_id[65] = '\0';
	ck_assert(!ids_is_slug(long_id));
}
END_TEST

START_TEST(uuids)
{
	char out[IDS_UUID_LEN + 1];

	ck_assert_int_eq(
	    ids_normalize_uuid("550E8400-E29B-41D4-A716-446655440000", out), 0);
	ck_assert_str_eq(out, "550e8400-e29b-41d4-a716-446655440000");
	ck_assert_int_eq(
	    ids_normalize_uuid("550e8400e29b41d4a716446655440000", out), -1);
	ck_assert_int_eq(
	    ids_normalize_uuid("550e8400-e29b-41d4-a716-44665544000g", out),
	    -1);
	ck_assert_int_eq(ids_normalize_uuid("", out), -1);
	/* The nil UUID is no key anyone chose. */
	ck_assert_int_eq(
	    ids_normalize_uuid("00000000-0000-0000-0000-000000000000", out),
	    -1);
	ck_assert_int_eq(
	    ids_normalize_uuid("00000000-0000-0000-0000-000000000001", out), 0);
}
END_TEST

START_TEST(booking_ids_are_fresh_slugs)
{
	char a[IDS_BOOKING_ID_LEN + 1], b[IDS_BOOKING_ID_LEN + 1];

	ids_new_booking_id(a);
	ids_new_booking_id(b);
	ck_assert_uint_eq(strlen(a), IDS_BOOKING_ID_LEN);
	ck_assert(ids_is_slug(a));
	ck_assert_str_ne(a, b);
}
END_TEST

START_TEST(utf8_strict)
{
	ck_assert(ids_is_clean_utf8("caf\xc3\xa9", 5));
	ck_assert(ids_is_clean_utf8("\xf0\x9f\x8e\xb5", 4));  /* U+1F3B5 */
	ck_assert(!ids_is_clean_utf8("\xc0\xaf", 2));         /* overlong '/' */
	ck_assert(!ids_is_clean_utf8("\xe0\x80\xaf", 3));     /* overlong */
	ck_assert(!ids_is_clean_utf8("\xed\xa0\x80", 3));     /* surrogate */
	ck_assert(!ids_is_clean_utf8("\xf4\x90\x80\x80", 4)); /* > U+10FFFF */
	ck_assert(!ids_is_clean_utf8("\xc3", 1));             /* truncated */
	ck_assert(!ids_is_clean_utf8("a\x01", 2));            /* control */
	ck_assert(!ids_is_clean_utf8("\xc2\x85", 2));         /* C1 control */
	ck_assert(!ids_is_clean_utf8("\xff", 1));
}
END_TEST

START_TEST(utf8_whole_prefixes)
{
	/* "caf\xc3\xa9" cut after 4 bytes loses the half of the e-acute. */
	ck_assert_uint_eq(utf8_whole_prefix("caf\xc3\xa9", 5), 5);
	ck_assert_uint_eq(utf8_whole_prefix("caf\xc3\xa9", 4), 3);
	ck_assert_uint_eq(utf8_whole_prefix("\xe2\x82\xac\xe2\x82", 5), 3);
	ck_assert_uint_eq(utf8_whole_prefix("\xe2\x82\xac\xe2", 4), 3);
	ck_assert_uint_eq(utf8_whole_prefix("\xf0\x9f\x8e\xb5", 4), 4);
	ck_assert_uint_eq(utf8_whole_prefix("\xf0\x9f\x8e\xb5", 3), 0);
	ck_assert_uint_eq(utf8_whole_prefix("abc", 3), 3);
	ck_assert_uint_eq(utf8_whole_prefix("", 0), 0);
}
END_TEST

START_TEST(payment_decisions_are_deterministic)
{
	const char *key = "550e8400-e29b-41d4-a716-446655440000";
	int declined = 0;
	char k[40];

	/*
	 * The draw is FNV-1a 64 of the key, its top 53 bits as a fraction.
	 * Computed apart from the code under test (Python's arithmetic):
	 * "550e8400-…-446655440000" draws 0.98315927..., and
	 * "00000000-0000-4000-8000-000000001450" draws 0.0000339717...
	 */
	const char *low = "00000000-0000-4000-8000-000000001450";

	ck_assert(!payment_declines(key, "card", 0.0));
	ck_assert(!payment_declines(low, "card", 0.0));
	ck_assert(payment_declines(key, "card", 1.0));
	ck_assert(payment_declines(low, "card", 1.0));
	ck_assert(payment_declines(key, "test_decline", 0.0));
	ck_assert(payment_declines(low, "test_decline", 0.0));
	ck_assert(!payment_declines(key, "card", 0.5));
	ck_assert(!payment_declines(key, "card", 0.98));
	ck_assert(payment_declines(key, "card", 0.99));
	ck_assert(payment_declines(low, "card", 0.05));
	ck_assert(payment_declines(low, "card", 0.0001));
	ck_assert(!payment_declines(low, "card", 0.00003));

	/* About the configured share of keys decline. */
	for (int i = 0; i < 10000; i++) {
		snprintf(k, sizeof(k), "00000000-0000-4000-8000-%012d", i);
		declined += payment_declines(k, "card", 0.05);
	}
	ck_assert_int_gt(declined, 350);
	ck_assert_int_lt(declined, 650);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("money_ids");
	TCase *tc = tcase_create("values");

	tcase_add_test(tc, money_parses_exactly);
	tcase_add_test(tc, money_rejects);
	tcase_add_test(tc, money_formats);
	tcase_add_test(tc, slugs);
	tcase_add_test(tc, uuids);
	tcase_add_test(tc, booking_ids_are_fresh_slugs);
	tcase_add_test(tc, utf8_strict);
	tcase_add_test(tc, utf8_whole_prefixes);
	tcase_add_test(tc, payment_decisions_are_deterministic);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
