/*
 * check_settings.c - defaults, bounds, the config file and the environment.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/settings.h"
#include "unit_main.h"

START_TEST(defaults)
{
	struct settings s;

	settings_defaults(&s);
	ck_assert_str_eq(s.database_url, "postgresql:///ticketd");
	ck_assert_int_eq(s.payment.latency_ms, 100);
	ck_assert(
	    s.payment.decline_rate > 0.049 && s.payment.decline_rate < 0.051);
	ck_assert_int_ge(s.backlog, 1024);
	ck_assert_int_eq(s.max_body, 65536);
	ck_assert_str_eq(s.pidfile, "");
	settings_free(&s);
}
END_TEST

START_TEST(bounds)
{
	struct settings s;
	char err[256];

	settings_defaults(&s);
	ck_assert_int_eq(
	    settings_set(&s, "TICKETD_BOOK_WORKERS", "64", err, sizeof(err)),
	    0);
	ck_assert_int_eq(s.book_workers, 64);
	ck_assert_int_eq(
	    settings_set(&s, "TICKETD_BOOK_WORKERS", "0", err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "TICKETD_BOOK_WORKERS"));
	ck_assert_int_eq(
	    settings_set(&s, "TICKETD_BOOK_WORKERS", "12x", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(
	    settings_set(&s, "TICKETD_BOOK_WORKERS", "", err, sizeof(err)), -1);
	ck_assert_int_eq(settings_set(&s, "TICKETD_BACKLOG",
	                     "99999999999999999999", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(s.book_workers, 64);
	ck_assert_int_eq(
	    settings_set(&s, "PAYMENT_DECLINE_RATE", "0", err, sizeof(err)), 0);
	ck_assert(s.payment.decline_rate == 0.0);
	ck_assert_int_eq(
	    settings_set(&s, "PAYMENT_DECLINE_RATE", "1.5", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(
	    settings_set(&s, "PAYMENT_DECLINE_RATE", "nan", err, sizeof(err)),
	    -1);
	ck_assert_int_eq(
	    settings_set(&s, "LOG_LEVEL", "loud", err, sizeof(err)), -1);
	ck_assert_int_eq(
	    settings_set(&s, "NO_SUCH_SETTING", "1", err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "unknown setting"));
	settings_free(&s);
}
END_TEST

START_TEST(file_then_environment)
{
	char path[] = "/tmp/ticketd-settings-XXXXXX";
	struct settings s;
	char err[256];
	FILE *fp;
	int fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	fp = fdopen(fd, "w");
	fputs("# comment\n\nPAYMENT_LATENCY_MS = "
	      "7\nDATABASE_URL=postgresql://x/y\n",
	    fp);
	fclose(fp);

	settings_defaults(&s);
	ck_assert_int_eq(settings_load_file(&s, path, err, sizeof(err)), 0);
	ck_assert_int_eq(s.payment.latency_ms, 7);
	ck_assert_str_eq(s.database_url, "postgresql://x/y");

	setenv("PAYMENT_LATENCY_MS", "9", 1);
	ck_assert_int_eq(settings_load_env(&s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.payment.latency_ms, 9);
	setenv("PAYMENT_LATENCY_MS", "slow", 1);
	ck_assert_int_eq(settings_load_env(&s, err, sizeof(err)), -1);
	unsetenv("PAYMENT_LATENCY_MS");

	fp = fopen(path, "w");
	fputs("JUST_A_WORD\n", fp);
	fclose(fp);
	ck_assert_int_eq(settings_load_file(&s, path, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, ":1:"));
	unlink(path);
	ck_assert_int_eq(settings_load_file(&s, path, err, sizeof(err)), -1);
	settings_free(&s);
}
END_TEST

/* Behind a transaction pooler: statements go unnamed; on or off only. */
START_TEST(prepared_statements)
{
	struct settings s;
	char err[256];

	settings_defaults(&s);
	ck_assert(s.db.prepared);
	ck_assert_int_eq(
	    settings_set(&s, "DB_PREPARED_STATEMENTS", "off", err, sizeof(err)),
	    0);
	ck_assert(!s.db.prepared);
	ck_assert_int_eq(
	    settings_set(&s, "DB_PREPARED_STATEMENTS", "no", err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "DB_PREPARED_STATEMENTS"));
	ck_assert(!s.db.prepared);
	setenv("DB_PREPARED_STATEMENTS", "on", 1);
	ck_assert_int_eq(settings_load_env(&s, err, sizeof(err)), 0);
	unsetenv("DB_PREPARED_STATEMENTS");
	ck_assert(s.db.prepared);
	/* The replica's connections have their own switch. */
	ck_assert(s.read_prepared);
	ck_assert_int_eq(settings_set(&s, "DB_READ_PREPARED_STATEMENTS", "off",
	                     err, sizeof(err)),
	    0);
	ck_assert(!s.read_prepared);
	ck_assert(s.db.prepared);
	settings_free(&s);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("settings");
	TCase *tc = tcase_create("load");

	tcase_add_test(tc, defaults);
	tcase_add_test(tc, bounds);
	tcase_add_test(tc, file_then_environment);
	tcase_add_test(tc, prepared_statements);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
