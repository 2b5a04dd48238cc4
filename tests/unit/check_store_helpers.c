/*
 * check_store_helpers.c - array literals for statement parameters: the
 * quoting, and truncation as an error rather than a silent cut.
 */
#include <check.h>
#include <stdint.h>
#include <string.h>

#include "base/errors.h"
#include "store/pg_array.h"
#include "store/rows.h"
#include "unit_main.h"

START_TEST(text_arrays_are_quoted)
{
	const char *items[] = {"a", "NULL", "x\"y", "b\\c"};
	char buf[64];

	ck_assert_int_eq(pg_array_text(buf, sizeof(buf), items, 4), 0);
	ck_assert_str_eq(buf, "{\"a\",\"NULL\",\"x\\\"y\",\"b\\\\c\"}");
}
END_TEST

START_TEST(empty_arrays)
{
	char buf[8];

	ck_assert_int_eq(pg_array_text(buf, sizeof(buf), NULL, 0), 0);
	ck_assert_str_eq(buf, "{}");
	ck_assert_int_eq(pg_array_int(buf, sizeof(buf), NULL, 0), 0);
	ck_assert_str_eq(buf, "{}");
}
END_TEST

START_TEST(int_arrays)
{
	const int items[] = {1, -2, 300};
	char buf[32];

	ck_assert_int_eq(pg_array_int(buf, sizeof(buf), items, 3), 0);
	ck_assert_str_eq(buf, "{1,-2,300}");
}
END_TEST

/* Every buffer one byte short of the literal is refused, never cut. */
START_TEST(text_truncation_is_an_error)
{
	const char *items[] = {"tier_a", "tier_b"};
	const size_t need = strlen("{\"tier_a\",\"tier_b\"}") + 1;
	char buf[32];

	for (size_t len = 0; len < need; len++) {
		ck_assert_int_eq(
		    pg_array_text(buf, len, items, 2), TD_ERR_TOO_LARGE);
	}
	ck_assert_int_eq(pg_array_text(buf, need, items, 2), 0);
}
END_TEST

START_TEST(int_truncation_is_an_error)
{
	const int items[] = {10, 20, 30};
	const size_t need = strlen("{10,20,30}") + 1;
	char buf[32];

	for (size_t len = 0; len < need; len++) {
		ck_assert_int_eq(
		    pg_array_int(buf, len, items, 3), TD_ERR_TOO_LARGE);
	}
	ck_assert_int_eq(pg_array_int(buf, need, items, 3), 0);
}
END_TEST

START_TEST(int64_arrays_keep_every_digit)
{
	const int64_t items[] = {0, 9223372036854775807LL, -1};
	const char *want = "{0,9223372036854775807,-1}";
	char buf[64];

	ck_assert_int_eq(pg_array_int64(buf, sizeof(buf), items, 3), 0);
	ck_assert_str_eq(buf, want);
	for (size_t len = 0; len <= strlen(want); len++) {
		ck_assert_int_eq(
		    pg_array_int64(buf, len, items, 3), TD_ERR_TOO_LARGE);
	}
}
END_TEST

/* A result of one row with a column "b" holding text (NULL: a NULL cell). */
static PGresult *
one_cell(const char *text)
{
	PGresult *r = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK);
	PGresAttDesc att = {.name = "b", .format = 0, .typid = 16};

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(PQsetResultAttrs(r, 1, &att), 1);
	ck_assert_int_eq(PQsetvalue(r, 0, 0, (char *)text,
	                     text != NULL ? (int)strlen(text) : -1),
	    1);
	return r;
}

START_TEST(booleans_are_t_or_f)
{
	PGresult *t = one_cell("t"), *f = one_cell("f");
	bool v = false;

	ck_assert_int_eq(rows_bool(t, 0, "b", &v), 0);
	ck_assert(v);
	ck_assert_int_eq(rows_bool(f, 0, "b", &v), 0);
	ck_assert(!v);
	PQclear(t);
	PQclear(f);
}
END_TEST

START_TEST(anything_else_is_no_boolean)
{
	const char *bad[] = {NULL, "", "true", "1", "T", "tt"};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		PGresult *r = one_cell(bad[i]);
		bool v = true;

		ck_assert_int_eq(rows_bool(r, 0, "b", &v), TD_ERR_INTERNAL);
		ck_assert_msg(v, "case %zu: left as it was", i);
		ck_assert_int_eq(rows_bool(r, 0, "other", &v), TD_ERR_INTERNAL);
		PQclear(r);
	}
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("store_helpers");
	TCase *tc = tcase_create("pg_array");

	tcase_add_test(tc, text_arrays_are_quoted);
	tcase_add_test(tc, empty_arrays);
	tcase_add_test(tc, int_arrays);
	tcase_add_test(tc, text_truncation_is_an_error);
	tcase_add_test(tc, int_truncation_is_an_error);
	tcase_add_test(tc, int64_arrays_keep_every_digit);
	suite_add_tcase(s, tc);
	tc = tcase_create("rows");
	tcase_add_test(tc, booleans_are_t_or_f);
	tcase_add_test(tc, anything_else_is_no_boolean);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
