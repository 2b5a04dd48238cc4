/*
 * check_link_token.c - the verification link's token: what it signs comes
 * back, and nothing else verifies (any changed byte, another key, junk).
 */
#include "config.h"

#include <string.h>

#include <check.h>
#include <sodium.h>

#include "base/errors.h"
#include "domain/link_token.h"
#include "unit_main.h"

static unsigned char key[LINK_KEY_BYTES], other[LINK_KEY_BYTES];
static struct link_claim claim;
static char token[LINK_TOKEN_MAX + 1];

static void
setup(void)
{
	ck_assert_int_ge(sodium_init(), 0);
	memset(key, 7, sizeof(key));
	memset(other, 8, sizeof(other));
	memset(&claim, 0, sizeof(claim));
	snprintf(claim.user_id, sizeof(claim.user_id),
	    "u_0123456789abcdef0123456789abcdef");
	link_email_hash("ann@example.com", claim.email_hash);
	claim.expires_s = 1800000000;
	ck_assert_int_eq(link_token_sign(&claim, key, token, sizeof(token)), 0);
}

START_TEST(round_trip)
{
	struct link_claim got;

	ck_assert_uint_le(strlen(token), LINK_TOKEN_MAX);
	ck_assert_int_eq(link_token_verify(token, strlen(token), key, &got), 0);
	ck_assert_str_eq(got.user_id, claim.user_id);
	ck_assert_str_eq(got.email_hash, claim.email_hash);
	ck_assert_int_eq(got.expires_s, claim.expires_s);
}
END_TEST

START_TEST(every_changed_character_is_refused)
{
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct link_claim got;
	size_t n = strlen(token);

	for (size_t i = 0; i < n; i++) {
		char copy[LINK_TOKEN_MAX + 1];

		for (const char *c = alphabet; *c != '\0'; c++) {
			if (*c == token[i]) {
				continue;
			}
			memcpy(copy, token, n + 1);
			copy[i] = *c;
			/* The last character's low bits are no data: a change
			 * there may decode to the same bytes, never to others.
			 */
			if (link_token_verify(copy, n, key, &got) == 0) {
				ck_assert_uint_eq(i, n - 1);
				ck_assert_str_eq(got.user_id, claim.user_id);
			}
		}
	}
}
END_TEST

START_TEST(another_key_or_junk_is_refused)
{
	struct link_claim got;

	ck_assert_int_eq(link_token_verify(token, strlen(token), other, &got),
	    TD_ERR_INVALID);
	ck_assert_int_eq(link_token_verify("", 0, key, &got), TD_ERR_INVALID);
	ck_assert_int_eq(
	    link_token_verify("abc", 3, key, &got), TD_ERR_INVALID);
	ck_assert_int_eq(link_token_verify(token, strlen(token) - 4, key, &got),
	    TD_ERR_INVALID);
	ck_assert_int_eq(
	    link_token_verify("a+b/c=", 6, key, &got), TD_ERR_INVALID);
}
END_TEST

START_TEST(the_address_is_part_of_the_claim)
{
	char h1[LINK_EMAIL_HASH_HEX + 1], h2[LINK_EMAIL_HASH_HEX + 1];

	link_email_hash("ann@example.com", h1);
	link_email_hash("ann@example.org", h2);
	ck_assert_str_ne(h1, h2);
	ck_assert_uint_eq(strlen(h1), LINK_EMAIL_HASH_HEX);
}
END_TEST

START_TEST(the_key_is_derived_per_purpose)
{
	unsigned char seed[32], a[LINK_KEY_BYTES], b[LINK_KEY_BYTES];

	memset(seed, 1, sizeof(seed));
	link_token_key(seed, a);
	link_token_key(seed, b);
	ck_assert_int_eq(memcmp(a, b, sizeof(a)), 0);
	ck_assert_int_ne(memcmp(a, seed, sizeof(seed)), 0);
	seed[0] = 2;
	link_token_key(seed, b);
	ck_assert_int_ne(memcmp(a, b, sizeof(a)), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("link_token");
	TCase *tc = tcase_create("link_token");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, round_trip);
	tcase_add_test(tc, every_changed_character_is_refused);
	tcase_add_test(tc, another_key_or_junk_is_refused);
	tcase_add_test(tc, the_address_is_part_of_the_claim);
	tcase_add_test(tc, the_key_is_derived_per_purpose);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
