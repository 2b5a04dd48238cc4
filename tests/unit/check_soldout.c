/*
 * check_soldout.c - the shared table of sold-out tiers: marks, expiry,
 * clears, a full probe window, collisions, sharing across fork(2), and a
 * writer killed mid-write.
 *
 * Times are passed in, so expiry is exact; the tests across processes
 * use a TTL of a minute and assert nothing about time.
 */
#include <check.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/soldout.h"
#include "unit_main.h"

#define T0 1000000LL /* a time, in ms, for the tests that pass times in */
#define TTL 500
#define LONG_TTL 60000

static struct soldout *t;
static char name[SOLDOUT_NAME_MAX + 1];

static void
setup(void)
{
	t = soldout_create(TTL);
	ck_assert_ptr_nonnull(t);
	memset(name, 0, sizeof(name));
}

static void
teardown(void)
{
	soldout_destroy(t);
}

static int
mark_at(const char *tier, long long now)
{
	return soldout_mark(
	    t, soldout_stamp(t, now), "c1", tier, "General", now);
}

static int
find_at(const char *tier, long long now)
{
	return soldout_find(t, "c1", tier, now, name, sizeof(name));
}

/*
 * The table's hash (FNV-1a over the tier id) and its home slot: the
 * tests below need ids that collide on purpose.
 */
static unsigned
home_of(const char *id)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)id; *p; p++) {
		h = (h ^ *p) * 1099511628211ULL;
	}
	return (unsigned)((h != 0 ? h : 1) & (SOLDOUT_SLOTS - 1));
}

/* n ids "k<i>" that share one home slot. */
static void
colliding_ids(char ids[][16], int n)
{
	unsigned home = home_of("k0");
	int found = 0;

	for (int i = 0; found < n; i++) {
		char id[16];

		snprintf(id, sizeof(id), "k%d", i);
		if (home_of(id) == home) {
			memcpy(ids[found++], id, sizeof(id));
		}
	}
}

START_TEST(mark_then_find)
{
	ck_assert_int_eq(find_at("ga", T0), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(mark_at("ga", T0), 0);
	ck_assert_int_eq(find_at("ga", T0), 0);
	ck_assert_str_eq(name, "General");
	/* Another tier, and the same tier named with another concert. */
	ck_assert_int_eq(find_at("vip", T0), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(soldout_find(t, "c2", "ga", T0, name, sizeof(name)),
	    TD_ERR_NOT_FOUND);
}
END_TEST

START_TEST(expires_a_ttl_after_the_read_began)
{
	struct soldout_stamp st = soldout_stamp(t, T0);

	/* Marked 400 ms after the read began: believed until T0 + TTL. */
	ck_assert_int_eq(
	    soldout_mark(t, st, "c1", "ga", "General", T0 + 400), 0);
	ck_assert_int_eq(find_at("ga", T0 + TTL - 1), 0);
	ck_assert_int_eq(find_at("ga", T0 + TTL), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(find_at("ga", T0 + 10 * TTL), TD_ERR_NOT_FOUND);
}
END_TEST

START_TEST(a_mark_already_expired_is_not_kept)
{
	struct soldout_stamp st = soldout_stamp(t, T0);

	ck_assert_int_eq(
	    soldout_mark(t, st, "c1", "ga", "General", T0 + TTL), TD_ERR_BUSY);
	ck_assert_int_eq(find_at("ga", T0 + TTL - 1), TD_ERR_NOT_FOUND);
}
END_TEST

START_TEST(marked_again_lives_again)
{
	ck_assert_int_eq(mark_at("ga", T0), 0);
	ck_assert_int_eq(mark_at("ga", T0 + TTL), 0);
	ck_assert_int_eq(find_at("ga", T0 + TTL + TTL - 1), 0);
	ck_assert_int_eq(find_at("ga", T0 + TTL + TTL), TD_ERR_NOT_FOUND);
}
END_TEST

START_TEST(clear_forgets_every_mark)
{
	ck_assert_int_eq(mark_at("ga", T0), 0);
	ck_assert_int_eq(mark_at("vip", T0), 0);
	soldout_clear(t);
	ck_assert_int_eq(find_at("ga", T0), TD_ERR_NOT_FOUND);
	ck_assert_int_eq(find_at("vip", T0), TD_ERR_NOT_FOUND);
	/* And a fresh read may mark again. */
	ck_assert_int_eq(mark_at("ga", T0 + 1), 0);
	ck_assert_int_eq(find_at("ga", T0 + 1), 0);
}
END_TEST

/*
 * A read that began before a cancellation may see the tier empty and
 * mark it after the cancellation cleared the table: that mark must not
 * be believed, whether it is refused or written.
 */
START_TEST(a_read_older_than_a_clear_marks_nothing)
{
	struct soldout_stamp before = soldout_stamp(t, T0);

	soldout_clear(t);
	ck_assert_int_eq(soldout_mark(t, before, "c1", "ga", "General", T0),
	    TD_ERR_CONFLICT);
	ck_assert_int_eq(find_at("ga", T0), TD_ERR_NOT_FOUND);
}
END_TEST

START_TEST(a_mark_written_as_the_clear_came_is_not_believed)
{
	struct soldout_stamp before = soldout_stamp(t, T0);

	/* The mark passed its check and was written; then the clear. */
	ck_assert_int_eq(soldout_mark(t, before, "c1", "ga", "General", T0), 0);
	soldout_clear(t);
	ck_assert_int_eq(find_at("ga", T0), TD_ERR_NOT_FOUND);
}
END_TEST

START_TEST(colliding_tiers_each_keep_their_own)
{
	char ids[3][16];

	colliding_ids(ids, 3);
	for (int i = 0; i < 3; i++) {
		char tier_name[64];

		snprintf(tier_name, sizeof(tier_name), "Tier %s", ids[i]);
		ck_assert_int_eq(soldout_mark(t, soldout_stamp(t, T0), "c1",
		                     ids[i], tier_name, T0),
		    0);
	}
	for (int i = 0; i < 3; i++) {
		char want[64];

		snprintf(want, sizeof(want), "Tier %s", ids[i]);
		ck_assert_int_eq(find_at(ids[i], T0), 0);
		ck_assert_str_eq(name, want);
	}
}
END_TEST

/* SOLDOUT_PROBE + 1 colliding ids, all but the last marked at T0. */
static void
fill_window(char ids[][16])
{
	colliding_ids(ids, SOLDOUT_PROBE + 1);
	for (int i = 0; i < SOLDOUT_PROBE; i++) {
		ck_assert_int_eq(mark_at(ids[i], T0), 0);
	}
}

START_TEST(a_full_window_does_not_cache)
{
	char ids[SOLDOUT_PROBE + 1][16];

	fill_window(ids);
	ck_assert_int_eq(mark_at(ids[SOLDOUT_PROBE], T0), TD_ERR_BUSY);
	ck_assert_int_eq(find_at(ids[SOLDOUT_PROBE], T0), TD_ERR_NOT_FOUND);
	/* A key marked again takes its own slot, not a second one. */
	ck_assert_int_eq(mark_at(ids[0], T0 + 1), 0);
	ck_assert_int_eq(mark_at(ids[SOLDOUT_PROBE], T0 + 1), TD_ERR_BUSY);
	for (int i = 0; i < SOLDOUT_PROBE; i++) {
		ck_assert_int_eq(find_at(ids[i], T0 + 1), 0);
	}
	/* Expired slots are free again. */
	ck_assert_int_eq(mark_at(ids[SOLDOUT_PROBE], T0 + TTL), 0);
	ck_assert_int_eq(find_at(ids[SOLDOUT_PROBE], T0 + TTL), 0);
}
END_TEST

START_TEST(a_clear_frees_a_full_window)
{
	char ids[SOLDOUT_PROBE + 1][16];

	fill_window(ids);
	soldout_clear(t);
	ck_assert_int_eq(mark_at(ids[SOLDOUT_PROBE], T0), 0);
	ck_assert_int_eq(find_at(ids[SOLDOUT_PROBE], T0), 0);
}
END_TEST

START_TEST(the_longest_ids_and_name_fit_and_no_longer)
{
	char id[SOLDOUT_ID_MAX + 2], long_name[SOLDOUT_NAME_MAX + 2];
	struct soldout_stamp st = soldout_stamp(t, T0);

	memset(id, 'i', SOLDOUT_ID_MAX);
	id[SOLDOUT_ID_MAX] = '\0';
	memset(long_name, 'n', SOLDOUT_NAME_MAX);
	long_name[SOLDOUT_NAME_MAX] = '\0';
	ck_assert_int_eq(soldout_mark(t, st, id, id, long_name, T0), 0);
	ck_assert_int_eq(soldout_find(t, id, id, T0, name, sizeof(name)), 0);
	ck_assert_str_eq(name, long_name);

	long_name[SOLDOUT_NAME_MAX] = 'n';
	long_name[SOLDOUT_NAME_MAX + 1] = '\0';
	ck_assert_int_eq(
	    soldout_mark(t, st, "c1", "ga", long_name, T0), TD_ERR_TOO_LARGE);
	id[SOLDOUT_ID_MAX] = 'i';
	id[SOLDOUT_ID_MAX + 1] = '\0';
	ck_assert_int_eq(
	    soldout_mark(t, st, "c1", id, "General", T0), TD_ERR_TOO_LARGE);
	ck_assert_int_eq(
	    soldout_mark(t, st, id, "ga", "General", T0), TD_ERR_TOO_LARGE);
}
END_TEST

static void
wait_ok(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
}

/* A mark made by one worker is seen by another; a clear too. */
START_TEST(shared_across_fork)
{
	struct soldout *s = soldout_create(LONG_TTL);
	long long now = clock_now_ms();
	pid_t pid;

	ck_assert_ptr_nonnull(s);
	pid = fork();
	if (pid == 0) {
		_exit(soldout_mark(s, soldout_stamp(s, now), "c1", "ga",
		          "General", now) == 0
		          ? 0
		          : 1);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	wait_ok(pid);
	ck_assert_int_eq(
	    soldout_find(s, "c1", "ga", now, name, sizeof(name)), 0);
	ck_assert_str_eq(name, "General");

	pid = fork();
	if (pid == 0) {
		soldout_clear(s);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	wait_ok(pid);
	ck_assert_int_eq(soldout_find(s, "c1", "ga", now, name, sizeof(name)),
	    TD_ERR_NOT_FOUND);
	soldout_destroy(s);
}
END_TEST

/* A name of SOLDOUT_NAME_MAX copies of c. */
static void
fill_name(char *buf, char c)
{
	memset(buf, c, SOLDOUT_NAME_MAX);
	buf[SOLDOUT_NAME_MAX] = '\0';
}

/* Marks tier, with names of all 'a' and all 'b' in turn, until killed. */
static void __attribute__((noreturn))
keep_marking(struct soldout *s, const char *tier)
{
	char names[2][SOLDOUT_NAME_MAX + 1];
	long long now = clock_now_ms();

	fill_name(names[0], 'a');
	fill_name(names[1], 'b');
	for (unsigned i = 0;; i++) {
		soldout_mark(
		    s, soldout_stamp(s, now), "c1", tier, names[i & 1], now);
	}
}

/* While another process rewrites an entry, no read sees half of each. */
START_TEST(a_reader_never_sees_a_torn_entry)
{
	struct soldout *s = soldout_create(LONG_TTL);
	char all_a[SOLDOUT_NAME_MAX + 1], all_b[SOLDOUT_NAME_MAX + 1];
	long long now = clock_now_ms();
	int seen = 0, status;
	pid_t pid;

	ck_assert_ptr_nonnull(s);
	fill_name(all_a, 'a');
	fill_name(all_b, 'b');
	pid = fork();
	if (pid == 0) {
		keep_marking(s, "ga");
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	/* From its first mark on (a slot being written reads as empty). */
	while (soldout_find(s, "c1", "ga", now, name, sizeof(name)) != 0) {
		usleep(100);
	}
	/* At least 200,000 reads and 1,000 that found it: a writer preempted
	 * mid-write hides the mark until it runs again, however long. */
	for (int i = 0; i < 200000 || seen < 1000; i++) {
		if (soldout_find(s, "c1", "ga", now, name, sizeof(name)) == 0) {
			seen++;
			ck_assert(strcmp(name, all_a) == 0 ||
			          strcmp(name, all_b) == 0);
		}
	}
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	fprintf(stderr, "torn-entry test: %d reads found the mark\n", seen);
	soldout_destroy(s);
}
END_TEST

/*
 * A writer killed at any point, here while its key's window is full so
 * that its own slot is the only one the key can have: the next writer
 * takes the slot over, and the other keys' marks are untouched.  Whether
 * a kill lands mid-write is luck; that the table works after each one
 * is not.
 */
START_TEST(a_writer_killed_mid_write_blocks_nothing)
{
	struct soldout *s = soldout_create(LONG_TTL);
	char ids[SOLDOUT_PROBE][16];
	long long now = clock_now_ms();
	int torn = 0;

	ck_assert_ptr_nonnull(s);
	colliding_ids(ids, SOLDOUT_PROBE);
	for (int i = 0; i < SOLDOUT_PROBE; i++) {
		ck_assert_int_eq(soldout_mark(s, soldout_stamp(s, now), "c1",
		                     ids[i], "General", now),
		    0);
	}
	for (int round = 0; round < 100; round++) {
		pid_t pid = fork();
		int status;

		if (pid == 0) {
			keep_marking(s, ids[0]);
		}
		ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
		usleep((useconds_t)(200 + round * 37 % 800));
		kill(pid, SIGKILL);
		ck_assert_int_eq(waitpid(pid, &status, 0), pid);
		torn +=
		    soldout_find(s, "c1", ids[0], now, name, sizeof(name)) != 0;

		ck_assert_int_eq(soldout_mark(s, soldout_stamp(s, now), "c1",
		                     ids[0], "General", now),
		    0);
		for (int i = 0; i < SOLDOUT_PROBE; i++) {
			ck_assert_int_eq(soldout_find(s, "c1", ids[i], now,
			                     name, sizeof(name)),
			    0);
			ck_assert_str_eq(name, "General");
		}
	}
	fprintf(stderr,
	    "killed-writer test: %d of 100 kills landed mid-write\n", torn);
	soldout_destroy(s);
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("soldout");
	TCase *tc = tcase_create("table");
	TCase *procs = tcase_create("processes");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mark_then_find);
	tcase_add_test(tc, expires_a_ttl_after_the_read_began);
	tcase_add_test(tc, a_mark_already_expired_is_not_kept);
	tcase_add_test(tc, marked_again_lives_again);
	tcase_add_test(tc, clear_forgets_every_mark);
	tcase_add_test(tc, a_read_older_than_a_clear_marks_nothing);
	tcase_add_test(tc, a_mark_written_as_the_clear_came_is_not_believed);
	tcase_add_test(tc, colliding_tiers_each_keep_their_own);
	tcase_add_test(tc, a_full_window_does_not_cache);
	tcase_add_test(tc, a_clear_frees_a_full_window);
	tcase_add_test(tc, the_longest_ids_and_name_fit_and_no_longer);
	suite_add_tcase(s, tc);

	tcase_set_timeout(procs, 60);
	tcase_add_checked_fixture(procs, setup, teardown);
	tcase_add_test(procs, shared_across_fork);
	tcase_add_test(procs, a_reader_never_sees_a_torn_entry);
	tcase_add_test(procs, a_writer_killed_mid_write_blocks_nothing);
	suite_add_tcase(s, procs);
	return unit_run(s);
}
