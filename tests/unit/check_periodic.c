/*
 * check_periodic.c - a chore claimed once an interval, by one of many
 * processes.
 */
#include "config.h"

#include <check.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/periodic.h"
#include "unit_main.h"

START_TEST(due_at_once_then_once_an_interval)
{
	struct periodic *p = periodic_create(1000);

	ck_assert_ptr_nonnull(p);
	ck_assert(periodic_claim(p, 5000));
	ck_assert(!periodic_claim(p, 5000));
	ck_assert(!periodic_claim(p, 5999));
	ck_assert(periodic_claim(p, 6000));
	ck_assert(!periodic_claim(p, 6500));
	/* A long quiet spell: due once, not once per interval missed. */
	ck_assert(periodic_claim(p, 60000));
	ck_assert(!periodic_claim(p, 60001));
	periodic_destroy(p);
}
END_TEST

START_TEST(an_interval_below_one_is_one)
{
	struct periodic *p = periodic_create(0);

	ck_assert(periodic_claim(p, 10));
	ck_assert(!periodic_claim(p, 10));
	ck_assert(periodic_claim(p, 11));
	periodic_destroy(p);
}
END_TEST

/* Four processes race for the same 1,000 instants: each is claimed once. */
START_TEST(one_claim_per_interval_across_processes)
{
	enum { PROCS = 4, TICKS = 1000 };
	struct periodic *p = periodic_create(10);
	int *claims = mmap(NULL, sizeof(int) * TICKS, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	int status, total = 0;

	ck_assert_ptr_nonnull(p);
	ck_assert(claims != MAP_FAILED);
	for (int i = 0; i < PROCS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			for (int t = 0; t < TICKS; t++) {
				if (periodic_claim(p, 1000 + 10LL * t)) {
					__atomic_add_fetch(
					    &claims[t], 1, __ATOMIC_RELAXED);
				}
			}
			_exit(0);
		}
		ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	}
	for (int i = 0; i < PROCS; i++) {
		ck_assert_int_gt(wait(&status), 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	for (int t = 0; t < TICKS; t++) {
		/* A process that fell behind finds its instant taken. */
		ck_assert_int_le(claims[t], 1);
		total += claims[t];
	}
	ck_assert_int_gt(total, 0);
	munmap(claims, sizeof(int) * TICKS);
	periodic_destroy(p);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("periodic");
	TCase *tc = tcase_create("claims");

	tcase_add_test(tc, due_at_once_then_once_an_interval);
	tcase_add_test(tc, an_interval_below_one_is_one);
	tcase_add_test(tc, one_claim_per_interval_across_processes);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
