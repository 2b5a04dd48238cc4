/*
 * check_readiness.c - a node is ready once every worker of every pool
 * has started at the same time, and stays ready.
 */
#include "config.h"

#include <check.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/readiness.h"
#include "unit_main.h"

static const int sizes[2] = {2, 3}; /* a read pool of 2, a booking of 3 */

START_TEST(nothing_started_is_not_ready)
{
	struct readiness *r = readiness_create(sizes, 2);

	ck_assert_ptr_nonnull(r);
	ck_assert_int_eq(readiness_count(r, 0), 0);
	ck_assert_int_eq(readiness_count(r, 1), 0);
	ck_assert_int_eq(readiness_size(r, 0), 2);
	ck_assert_int_eq(readiness_size(r, 1), 3);
	ck_assert(!readiness_check(r));
	ck_assert(!readiness_ready(r));
	readiness_destroy(r);
}
END_TEST

/* The read pool all there is not enough: the booking pool is what waits. */
START_TEST(ready_when_the_last_worker_of_every_pool_starts)
{
	struct readiness *r = readiness_create(sizes, 2);

	readiness_started(r, 0, 0);
	readiness_started(r, 0, 1);
	readiness_started(r, 1, 0);
	readiness_started(r, 1, 2);
	ck_assert_int_eq(readiness_count(r, 0), 2);
	ck_assert_int_eq(readiness_count(r, 1), 2);
	ck_assert(!readiness_check(r));
	ck_assert(!readiness_ready(r));
	readiness_started(r, 1, 1);
	ck_assert_int_eq(readiness_count(r, 1), 3);
	/* Asked, not yet found: readiness_ready() is the latch only. */
	ck_assert(!readiness_ready(r));
	ck_assert(readiness_check(r));
	ck_assert(readiness_ready(r));
	readiness_destroy(r);
}
END_TEST

/* A worker that started twice counts once. */
START_TEST(a_worker_counts_once)
{
	struct readiness *r = readiness_create(sizes, 2);

	readiness_started(r, 1, 1);
	readiness_started(r, 1, 1);
	ck_assert_int_eq(readiness_count(r, 1), 1);
	readiness_destroy(r);
}
END_TEST

/* Gone before the node was ready: its replacement must start first. */
START_TEST(a_worker_gone_during_the_start_is_waited_for_again)
{
	struct readiness *r = readiness_create(sizes, 2);

	readiness_started(r, 0, 0);
	readiness_started(r, 0, 1);
	readiness_started(r, 1, 0);
	readiness_started(r, 1, 1);
	readiness_started(r, 1, 2);
	readiness_gone(r, 1, 2);
	ck_assert_int_eq(readiness_count(r, 1), 2);
	ck_assert(!readiness_check(r));
	readiness_started(r, 1, 2);
	ck_assert(readiness_check(r));
	readiness_destroy(r);
}
END_TEST

/* Once ready, a worker respawned later does not take the node out. */
START_TEST(ready_stays_ready)
{
	struct readiness *r = readiness_create(sizes, 2);

	for (int p = 0; p < 2; p++) {
		for (int s = 0; s < sizes[p]; s++) {
			readiness_started(r, p, s);
		}
	}
	ck_assert(readiness_check(r));
	readiness_gone(r, 1, 0);
	readiness_gone(r, 0, 1);
	ck_assert_int_eq(readiness_count(r, 0), 1);
	ck_assert_int_eq(readiness_count(r, 1), 2);
	ck_assert(readiness_check(r));
	ck_assert(readiness_ready(r));
	readiness_destroy(r);
}
END_TEST

/* A pool of none (no booking workers) waits for nobody. */
START_TEST(an_empty_pool_waits_for_nobody)
{
	const int read_only[2] = {1, 0};
	struct readiness *r = readiness_create(read_only, 2);

	ck_assert(!readiness_check(r));
	readiness_started(r, 0, 0);
	ck_assert(readiness_check(r));
	readiness_destroy(r);
}
END_TEST

/* Slots and pools outside the sizes change nothing. */
START_TEST(out_of_range_is_ignored)
{
	struct readiness *r = readiness_create(sizes, 2);

	readiness_started(r, 0, 2);
	readiness_started(r, 0, -1);
	readiness_started(r, 2, 0);
	readiness_started(r, -1, 0);
	ck_assert_int_eq(readiness_count(r, 0), 0);
	ck_assert_int_eq(readiness_count(r, 1), 0);
	ck_assert_int_eq(readiness_count(r, 2), 0);
	ck_assert_int_eq(readiness_size(r, 2), 0);
	readiness_destroy(r);
}
END_TEST

START_TEST(bad_sizes_are_refused)
{
	const int negative[2] = {1, -1};

	ck_assert_ptr_null(readiness_create(sizes, 0));
	ck_assert_ptr_null(readiness_create(sizes, READINESS_MAX_POOLS + 1));
	ck_assert_ptr_null(readiness_create(negative, 2));
}
END_TEST

/* The master's deadline: ready with the workers it has. */
START_TEST(declared_ready_with_the_workers_it_has)
{
	struct readiness *r = readiness_create(sizes, 2);

	readiness_started(r, 0, 0);
	ck_assert(!readiness_check(r));
	readiness_declare(r);
	ck_assert(readiness_ready(r));
	ck_assert(readiness_check(r));
	ck_assert(!readiness_answers_starting(r));
	ck_assert_int_eq(readiness_count(r, 0), 1);
	ck_assert_int_eq(readiness_count(r, 1), 0);
	readiness_destroy(r);
}
END_TEST

/* A reload's new master: the old one serves, so /health need not say
 * "starting"; the node itself is still not ready. */
START_TEST(covered_answers_as_ready_but_is_not)
{
	struct readiness *r = readiness_create(sizes, 2);

	ck_assert(readiness_answers_starting(r));
	readiness_cover(r);
	ck_assert(!readiness_answers_starting(r));
	ck_assert(!readiness_check(r));
	ck_assert(!readiness_ready(r));
	readiness_destroy(r);
}
END_TEST

/* Asked by /health: the first call that finds them all latches it. */
START_TEST(answers_starting_until_all_started)
{
	const int one_each[2] = {1, 1};
	struct readiness *r = readiness_create(one_each, 2);

	readiness_started(r, 0, 0);
	ck_assert(readiness_answers_starting(r));
	readiness_started(r, 1, 0);
	ck_assert(!readiness_answers_starting(r));
	ck_assert(readiness_ready(r));
	readiness_destroy(r);
}
END_TEST

/* The marks are shared: children forked after the mapping set them. */
START_TEST(workers_in_other_processes_mark_themselves)
{
	enum { WORKERS = 64 };
	const int big[2] = {WORKERS, WORKERS};
	struct readiness *r = readiness_create(big, 2);
	int status;

	ck_assert_ptr_nonnull(r);
	for (int i = 0; i < 2 * WORKERS; i++) {
		pid_t pid = fork();

		if (pid == 0) {
			readiness_started(r, i % 2, i / 2);
			_exit(0);
		}
		ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	}
	for (int i = 0; i < 2 * WORKERS; i++) {
		ck_assert_int_gt(wait(&status), 0);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	ck_assert_int_eq(readiness_count(r, 0), WORKERS);
	ck_assert_int_eq(readiness_count(r, 1), WORKERS);
	ck_assert(readiness_check(r));
	readiness_destroy(r);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("readiness");
	TCase *tc = tcase_create("start");

	tcase_add_test(tc, nothing_started_is_not_ready);
	tcase_add_test(tc, ready_when_the_last_worker_of_every_pool_starts);
	tcase_add_test(tc, a_worker_counts_once);
	tcase_add_test(tc, a_worker_gone_during_the_start_is_waited_for_again);
	tcase_add_test(tc, ready_stays_ready);
	tcase_add_test(tc, an_empty_pool_waits_for_nobody);
	tcase_add_test(tc, out_of_range_is_ignored);
	tcase_add_test(tc, bad_sizes_are_refused);
	tcase_add_test(tc, declared_ready_with_the_workers_it_has);
	tcase_add_test(tc, covered_answers_as_ready_but_is_not);
	tcase_add_test(tc, answers_starting_until_all_started);
	tcase_add_test(tc, workers_in_other_processes_mark_themselves);
	suite_add_tcase(s, tc);
	return unit_run(s);
}
