/*
 * check_master.c - a master whose start fails returns 1, tells its caller
 * that nothing was handed over, and frees only what it set up.
 *
 * Run under the sanitizer build: freeing a pool that was never set up is
 * an ASan report, which ends the forked test with an error.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "daemon/master.h"
#include "daemon/settings.h"
#include "unit_main.h"

/*
 * Leaves non-zero bytes where master_run's frame will be, so a pool that
 * is freed without being set up frees garbage instead of NULL.
 */
static void __attribute__((noinline)) dirty_stack(void)
{
	volatile unsigned char junk[4096];

	memset((void *)junk, 0xa5, sizeof(junk));
}

START_TEST(failed_start_sets_handed_over)
{
	struct settings cfg;
	char *argv[] = {"ticketd", NULL};
	int handed_over = 42, rc;

	settings_defaults(&cfg);
	/* A semaphore cannot hold a negative count: txn_slots_create fails. */
	cfg.txn_slots = -1;
	dirty_stack();
	rc = master_run(
	    &cfg, -1, -1, "/nonexistent/ticketd", argv, &handed_over);
	ck_assert_int_eq(rc, 1);
	ck_assert_int_eq(handed_over, 0);
	settings_free(&cfg);
}
END_TEST

static char *
slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	size_t n;

	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* logrotate renames the file and sends SIGUSR1: the next record goes to a
 * new file of that name, made 0640 (the test runs in its own fork). */
START_TEST(log_reopens_after_rotation)
{
	char dir[] = "/tmp/check-log-XXXXXX", path[64], rotated[64];
	struct stat st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/ticketd.log", dir);
	snprintf(rotated, sizeof(rotated), "%s/ticketd.log.1", dir);
	umask(022);
	log_init(LL_INFO, "test");
	ck_assert_int_eq(log_open_file(path), 0);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0640);
	log_info("before the rotation");
	ck_assert_int_eq(rename(path, rotated), 0);
	log_info("still the old file");
	log_reopen_request();
	log_debug("below the level, yet the file is reopened");
	log_info("after the rotation");

	ck_assert_ptr_nonnull(strstr(slurp(rotated), "before the rotation"));
	ck_assert_ptr_nonnull(strstr(slurp(rotated), "still the old file"));
	ck_assert_ptr_null(strstr(slurp(rotated), "after the rotation"));
	ck_assert_ptr_nonnull(strstr(slurp(path), "after the rotation"));
	ck_assert_int_eq(log_reopen_pending(), 0);
	unlink(path);
	unlink(rotated);
	rmdir(dir);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("master");
	TCase *tc = tcase_create("start");

	tcase_add_test(tc, failed_start_sets_handed_over);
	tcase_add_test(tc, log_reopens_after_rotation);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
