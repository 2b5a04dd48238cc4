/*
 * check_master.c - a master whose start fails returns 1, tells its caller
 * that nothing was handed over, and frees only what it set up.
 *
 * Run under the sanitizer build: freeing a pool that was never set up is
 * an ASan report, which ends the forked test with an error.
 */
#include <check.h>
#include <string.h>

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

int
main(void)
{
	Suite *s = suite_create("master");
	TCase *tc = tcase_create("start");

	tcase_add_test(tc, failed_start_sets_handed_over);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
