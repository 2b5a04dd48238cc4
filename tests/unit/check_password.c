/*
 * check_password.c - Argon2id hashes, the dummy verify, the policy.
 */
#include <check.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "domain/password.h"
#include "unit_main.h"

#define PW "correct horse battery"
#define PW_LEN (sizeof(PW) - 1)

/* Once, before Check forks each test: what the master does. */
static void
init_once(void)
{
	ck_assert_int_eq(password_init(), 0);
}

START_TEST(dummy_verify_refuses_before_init)
{
	/* Not a silent fast answer that would give the timing away. */
	ck_assert_int_eq(
	    password_verify_dummy(PW, PW_LEN), PASSWORD_ERR_INTERNAL);
}
END_TEST

START_TEST(init_is_idempotent)
{
	ck_assert_int_eq(password_init(), 0);
}
END_TEST

START_TEST(hash_then_verify_matches)
{
	char hash[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_hash(PW, PW_LEN, hash), 0);
	ck_assert_int_eq(password_verify(hash, PW, PW_LEN), 0);
}
END_TEST

START_TEST(wrong_password_is_mismatch)
{
	char hash[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_hash(PW, PW_LEN, hash), 0);
	ck_assert_int_eq(password_verify(hash, "correct horse batterY", PW_LEN),
	    PASSWORD_ERR_MISMATCH);
}
END_TEST

START_TEST(prefix_of_password_is_mismatch)
{
	char hash[PASSWORD_HASH_MAX];

	/* The length is the password's, not strlen's. */
	ck_assert_int_eq(password_hash(PW, PW_LEN, hash), 0);
	ck_assert_int_eq(
	    password_verify(hash, PW, PW_LEN - 1), PASSWORD_ERR_MISMATCH);
}
END_TEST

START_TEST(hash_is_argon2id_with_owasp_parameters)
{
	char hash[PASSWORD_HASH_MAX];
	const char *want = "$argon2id$v=19$m=19456,t=2,p=1$";

	ck_assert_int_eq(password_hash(PW, PW_LEN, hash), 0);
	ck_assert_msg(strncmp(hash, want, strlen(want)) == 0, "hash %s", hash);
	ck_assert_uint_lt(strlen(hash), PASSWORD_HASH_MAX);
}
END_TEST

START_TEST(same_password_hashes_differ)
{
	char a[PASSWORD_HASH_MAX], b[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_hash(PW, PW_LEN, a), 0);
	ck_assert_int_eq(password_hash(PW, PW_LEN, b), 0);
	ck_assert_str_ne(a, b);
	ck_assert_int_eq(password_verify(a, PW, PW_LEN), 0);
	ck_assert_int_eq(password_verify(b, PW, PW_LEN), 0);
}
END_TEST

START_TEST(malformed_hash_is_mismatch)
{
	ck_assert_int_eq(
	    password_verify("", PW, PW_LEN), PASSWORD_ERR_MISMATCH);
	ck_assert_int_eq(
	    password_verify("$argon2id$v=19$m=19456,t=2,p=1$", PW, PW_LEN),
	    PASSWORD_ERR_MISMATCH);
}
END_TEST

START_TEST(unterminated_hash_is_mismatch)
{
	char hash[PASSWORD_HASH_MAX];

	/* A stored value as long as the buffer is not read past it. */
	memset(hash, 'a', sizeof(hash));
	ck_assert_int_eq(
	    password_verify(hash, PW, PW_LEN), PASSWORD_ERR_MISMATCH);
}
END_TEST

START_TEST(dummy_verify_fails)
{
	ck_assert_int_eq(
	    password_verify_dummy(PW, PW_LEN), PASSWORD_ERR_MISMATCH);
	ck_assert_int_eq(password_verify_dummy("", 0), PASSWORD_ERR_MISMATCH);
}
END_TEST

/*
 * The dummy verify costs what a real one costs because it checks against
 * a real hash made with the same parameters (no timing in the test: a
 * timed assertion would fail at random on a loaded machine).
 */
START_TEST(dummy_hash_has_the_cost_of_a_real_one)
{
	const char *dummy = password_dummy_hash();

	ck_assert_int_eq(strncmp(dummy, "$argon2id$", 10), 0);
	ck_assert(!password_needs_rehash(dummy));
}
END_TEST

START_TEST(current_hash_needs_no_rehash)
{
	char hash[PASSWORD_HASH_MAX];

	ck_assert_int_eq(password_hash(PW, PW_LEN, hash), 0);
	ck_assert(!password_needs_rehash(hash));
}
END_TEST

START_TEST(other_parameters_need_rehash)
{
	char hash[PASSWORD_HASH_MAX];

	ck_assert_int_eq(
	    crypto_pwhash_str_alg(hash, PW, PW_LEN, 3, (size_t)8 * 1024 * 1024,
	        crypto_pwhash_ALG_ARGON2ID13),
	    0);
	ck_assert(password_needs_rehash(hash));
	/* It still verifies, so the login can go on and rehash. */
	ck_assert_int_eq(password_verify(hash, PW, PW_LEN), 0);
}
END_TEST

START_TEST(garbage_needs_rehash)
{
	ck_assert(password_needs_rehash(""));
	ck_assert(password_needs_rehash("$2y$10$abcdefghijklmnopqrstuv"));
}
END_TEST

static const struct {
	const char *name;
	const char *pw;
	size_t len;
	int want;
} policy_cases[] = {
    {"9 bytes", "123456789", 9, PASSWORD_ERR_TOO_SHORT},
    {"10 bytes", "1234567890", 10, 0},
    {"empty", "", 0, PASSWORD_ERR_TOO_SHORT},
    /* 9 characters, 10 bytes: the policy counts bytes. */
    {"10 bytes, 9 characters",
        "caf\xc3\xa9"
        "12345",
        10, 0},
    {"NUL inside",
        "12345\0"
        "67890",
        11, PASSWORD_ERR_ENCODING},
    {"NUL at the end", "1234567890\0", 11, PASSWORD_ERR_ENCODING},
    {"invalid byte 0xff", "1234567890\xff", 11, PASSWORD_ERR_ENCODING},
    {"truncated sequence", "1234567890\xc3", 11, PASSWORD_ERR_ENCODING},
    {"lone continuation byte",
        "12345\x80"
        "67890",
        11, PASSWORD_ERR_ENCODING},
    {"overlong slash",
        "12345\xc0\xaf"
        "6789",
        11, PASSWORD_ERR_ENCODING},
    {"surrogate",
        "12345\xed\xa0\x80"
        "6789",
        12, PASSWORD_ERR_ENCODING},
    {"above U+10FFFF",
        "12345\xf4\x90\x80\x80"
        "678",
        12, PASSWORD_ERR_ENCODING},
    {"emoji", "\xf0\x9f\x8e\xb5\xf0\x9f\x8e\xb5\xf0\x9f\x8e\xb5", 12, 0},
    {"tab allowed", "12345\t67890", 11, 0},
};

START_TEST(policy_table)
{
	ck_assert_msg(password_check_policy(policy_cases[_i].pw,
	                  policy_cases[_i].len) == policy_cases[_i].want,
	    "%s: got %d, want %d", policy_cases[_i].name,
	    password_check_policy(policy_cases[_i].pw, policy_cases[_i].len),
	    policy_cases[_i].want);
}
END_TEST

START_TEST(policy_128_bytes_accepted)
{
	char pw[PASSWORD_MAX_BYTES];

	memset(pw, 'a', sizeof(pw));
	ck_assert_int_eq(password_check_policy(pw, 128), 0);
}
END_TEST

START_TEST(policy_129_bytes_rejected)
{
	char pw[PASSWORD_MAX_BYTES + 1];

	memset(pw, 'a', sizeof(pw));
	ck_assert_int_eq(password_check_policy(pw, 129), PASSWORD_ERR_TOO_LONG);
}
END_TEST

START_TEST(longest_password_hashes_and_verifies)
{
	char pw[PASSWORD_MAX_BYTES], hash[PASSWORD_HASH_MAX];

	memset(pw, 'z', sizeof(pw));
	ck_assert_int_eq(password_hash(pw, sizeof(pw), hash), 0);
	ck_assert_int_eq(password_verify(hash, pw, sizeof(pw)), 0);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("password");
	TCase *uninit = tcase_create("uninitialized");
	TCase *hashes = tcase_create("hashes");
	TCase *policy = tcase_create("policy");
	int npolicy = (int)(sizeof(policy_cases) / sizeof(policy_cases[0]));

	/*
	 * First: the next test case's fixture initializes this process,
	 * and every later test inherits that.
	 */
	tcase_add_test(uninit, dummy_verify_refuses_before_init);
	suite_add_tcase(s, uninit);

	/* Argon2 at 19 MiB is slow under a loaded machine; allow for it. */
	tcase_set_timeout(hashes, 30);
	tcase_add_unchecked_fixture(hashes, init_once, NULL);
	tcase_add_test(hashes, init_is_idempotent);
	tcase_add_test(hashes, hash_then_verify_matches);
	tcase_add_test(hashes, wrong_password_is_mismatch);
	tcase_add_test(hashes, prefix_of_password_is_mismatch);
	tcase_add_test(hashes, hash_is_argon2id_with_owasp_parameters);
	tcase_add_test(hashes, same_password_hashes_differ);
	tcase_add_test(hashes, malformed_hash_is_mismatch);
	tcase_add_test(hashes, unterminated_hash_is_mismatch);
	tcase_add_test(hashes, dummy_verify_fails);
	tcase_add_test(hashes, dummy_hash_has_the_cost_of_a_real_one);
	tcase_add_test(hashes, current_hash_needs_no_rehash);
	tcase_add_test(hashes, other_parameters_need_rehash);
	tcase_add_test(hashes, garbage_needs_rehash);
	tcase_add_test(hashes, longest_password_hashes_and_verifies);
	suite_add_tcase(s, hashes);

	tcase_add_loop_test(policy, policy_table, 0, npolicy);
	tcase_add_test(policy, policy_128_bytes_accepted);
	tcase_add_test(policy, policy_129_bytes_rejected);
	suite_add_tcase(s, policy);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
