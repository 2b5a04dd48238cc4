/*
 * check_accept_gate.c - which idle worker accepts next, how many serve at
 * once, and a worker killed anywhere.
 *
 * One process plays several slots where nothing sleeps; forked children
 * sleep where a test needs it.
 */
#include "config.h"

#include <check.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/accept_gate.h"
#include "unit_main.h"

static volatile sig_atomic_t never;

/* Slot 0 leads; 1 .. size - 1 go to sleep in that order (size - 1 on
 * top). */
static struct accept_gate *
gate_with_leader(int size, int cap)
{
	struct accept_gate *g = accept_gate_create(size, cap);

	ck_assert_ptr_nonnull(g);
	ck_assert_int_eq(accept_gate_done(g, 0), GATE_LEAD);
	for (int s = 1; s < size; s++) {
		ck_assert_int_eq(accept_gate_done(g, s), GATE_WAIT);
	}
	ck_assert_int_eq(accept_gate_leader(g), 0);
	ck_assert_int_eq(accept_gate_idle(g), size - 1);
	return g;
}

START_TEST(the_first_to_arrive_leads_and_the_rest_sleep)
{
	struct accept_gate *g = gate_with_leader(4, 4);

	ck_assert_int_eq(accept_gate_serving(g), 0);
	for (int s = 0; s < 4; s++) {
		ck_assert_int_eq(accept_gate_wakeups(g, s), 0);
	}
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_leader_that_accepted_wakes_the_most_recently_idle)
{
	struct accept_gate *g = gate_with_leader(4, 4);

	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_serving(g), 1);
	ck_assert_int_eq(accept_gate_leader(g), 3);
	ck_assert_int_eq(accept_gate_wakeups(g, 3), 1);
	ck_assert_int_eq(accept_gate_wakeups(g, 2), 0);
	/* The woken one finds that it leads, and takes its wake-up. */
	ck_assert_int_eq(accept_gate_await(g, 3, &never), 0);
	ck_assert_int_eq(accept_gate_wakeups(g, 3), 0);
	accept_gate_destroy(g);
}
END_TEST

/* Sequential requests: two workers take turns, the others never wake. */
START_TEST(a_light_load_runs_on_two_workers)
{
	struct accept_gate *g = gate_with_leader(8, 8);
	int leader = 0;

	for (int i = 0; i < 20; i++) {
		int next;

		accept_gate_accepted(g, leader);
		next = accept_gate_leader(g);
		ck_assert_int_eq(accept_gate_await(g, next, &never), 0);
		/* Done before its answer is out: on top when the next
		 * request comes. */
		ck_assert_int_eq(accept_gate_done(g, leader), GATE_WAIT);
		ck_assert_int_eq(accept_gate_serving(g), 0);
		ck_assert(next == 7 || next == 0);
		leader = next;
	}
	for (int s = 1; s < 7; s++) {
		ck_assert_int_eq(accept_gate_wakeups(g, s), 0);
	}
	ck_assert_int_eq(accept_gate_idle(g), 7);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(at_the_cap_no_one_leads_until_one_finishes)
{
	struct accept_gate *g = gate_with_leader(4, 2);

	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), 3);
	ck_assert_int_eq(accept_gate_await(g, 3, &never), 0);
	accept_gate_accepted(g, 3);
	ck_assert_int_eq(accept_gate_serving(g), 2);
	ck_assert_int_eq(accept_gate_leader(g), -1);
	ck_assert_int_eq(accept_gate_idle(g), 2);
	ck_assert_int_eq(accept_gate_wakeups(g, 2), 0);
	/* The one that finishes leads at once, with no wake-up. */
	ck_assert_int_eq(accept_gate_done(g, 0), GATE_LEAD);
	ck_assert_int_eq(accept_gate_leader(g), 0);
	ck_assert_int_eq(accept_gate_serving(g), 1);
	ck_assert_int_eq(accept_gate_wakeups(g, 0), 0);
	/* Another that finishes while one leads goes to sleep on top. */
	ck_assert_int_eq(accept_gate_done(g, 3), GATE_WAIT);
	ck_assert_int_eq(accept_gate_serving(g), 0);
	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), 3);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_worker_waiting_outside_does_not_count)
{
	struct accept_gate *g = gate_with_leader(3, 1);

	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), -1);
	accept_gate_away(g, 0);
	ck_assert_int_eq(accept_gate_serving(g), 0);
	ck_assert_int_eq(accept_gate_leader(g), 2);
	ck_assert_int_eq(accept_gate_await(g, 2, &never), 0);
	accept_gate_accepted(g, 2);
	ck_assert_int_eq(accept_gate_leader(g), -1);
	/* Back from the payment: over the cap for a while, which only
	 * keeps the next one from leading. */
	accept_gate_back(g, 0);
	ck_assert_int_eq(accept_gate_serving(g), 2);
	ck_assert_int_eq(accept_gate_done(g, 2), GATE_WAIT);
	ck_assert_int_eq(accept_gate_done(g, 0), GATE_LEAD);
	ck_assert_int_eq(accept_gate_idle(g), 2);
	accept_gate_destroy(g);
}
END_TEST

/* away and back for a worker not serving (a replayed payment path, say)
 * change nothing. */
START_TEST(away_and_back_only_move_a_worker_that_serves)
{
	struct accept_gate *g = gate_with_leader(3, 1);

	accept_gate_away(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), 0);
	accept_gate_back(g, 0);
	ck_assert_int_eq(accept_gate_serving(g), 0);
	ck_assert_int_eq(accept_gate_leader(g), 0);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_dead_leader_passes_the_lead_on)
{
	struct accept_gate *g = gate_with_leader(3, 3);

	accept_gate_reaped(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), 2);
	ck_assert_int_eq(accept_gate_wakeups(g, 2), 1);
	ck_assert_int_eq(accept_gate_idle(g), 1);
	/* Its respawn arrives like any worker. */
	ck_assert_int_eq(accept_gate_done(g, 0), GATE_WAIT);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_dead_sleeper_leaves_the_stack)
{
	struct accept_gate *g = gate_with_leader(3, 3);

	accept_gate_reaped(g, 2);
	ck_assert_int_eq(accept_gate_idle(g), 1);
	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), 1);
	accept_gate_destroy(g);
}
END_TEST

/*
 * A repair wakes the leader again, in case the dead worker elected it
 * and died before the wake-up.  The leader, awake in accept(2), finds
 * that wake-up at its next sleep and sleeps on until its turn.
 */
START_TEST(a_repair_wakes_the_leader_again_for_nothing)
{
	struct accept_gate *g = gate_with_leader(3, 3);
	int status;
	pid_t pid;

	accept_gate_reaped(g, 2);
	ck_assert_int_eq(accept_gate_leader(g), 0);
	ck_assert_int_eq(accept_gate_wakeups(g, 0), 1);
	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), 1);
	ck_assert_int_eq(accept_gate_done(g, 0), GATE_WAIT);
	pid = fork();
	if (pid == 0) {
		int rc = accept_gate_await(g, 0, &never);

		_exit(rc == 0 && accept_gate_leader(g) == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	/* Slot 0 leads only now. */
	accept_gate_accepted(g, 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_dead_worker_that_served_frees_its_place)
{
	struct accept_gate *g = gate_with_leader(2, 1);

	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), -1);
	accept_gate_reaped(g, 0);
	ck_assert_int_eq(accept_gate_serving(g), 0);
	ck_assert_int_eq(accept_gate_leader(g), 1);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_wake_up_the_dead_never_took_is_dropped)
{
	struct accept_gate *g = gate_with_leader(3, 3);

	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_wakeups(g, 2), 1);
	/* Slot 2 died before it woke: slot 1 leads, and a new worker in
	 * slot 2 does not find the old wake-up. */
	accept_gate_reaped(g, 2);
	ck_assert_int_eq(accept_gate_wakeups(g, 2), 0);
	ck_assert_int_eq(accept_gate_leader(g), 1);
	ck_assert_int_eq(accept_gate_wakeups(g, 1), 1);
	ck_assert_int_eq(accept_gate_done(g, 2), GATE_WAIT);
	ck_assert_int_eq(accept_gate_wakeups(g, 2), 0);
	accept_gate_destroy(g);
}
END_TEST

/* Spins until a child's step shows in the gate (no timing involved). */
static void
wait_idle(const struct accept_gate *g, int n)
{
	while (accept_gate_idle(g) != n) {
		sched_yield();
	}
}

START_TEST(a_sleeping_process_wakes_when_its_turn_comes)
{
	struct accept_gate *g = gate_with_leader(1 + 1, 2);
	int status;
	pid_t pid;

	/* Slot 1 is on the stack already: the child plays it. */
	pid = fork();
	if (pid == 0) {
		_exit(accept_gate_await(g, 1, &never) == 0 ? 0 : 1);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	accept_gate_accepted(g, 0);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(accept_gate_wakeups(g, 1), 0);
	accept_gate_destroy(g);
}
END_TEST

START_TEST(a_killed_sleeper_is_never_woken)
{
	struct accept_gate *g = accept_gate_create(3, 3);
	int status;
	pid_t pid;

	ck_assert_int_eq(accept_gate_done(g, 0), GATE_LEAD);
	pid = fork();
	if (pid == 0) {
		if (accept_gate_done(g, 1) == GATE_WAIT) {
			accept_gate_await(g, 1, &never);
		}
		_exit(1);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	wait_idle(g, 1);
	kill(pid, SIGKILL);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	accept_gate_reaped(g, 1);
	ck_assert_int_eq(accept_gate_idle(g), 0);
	accept_gate_accepted(g, 0);
	ck_assert_int_eq(accept_gate_leader(g), -1);
	ck_assert_int_eq(accept_gate_wakeups(g, 1), 0);
	accept_gate_destroy(g);
}
END_TEST

static struct accept_gate *term_gate;
static volatile sig_atomic_t term_stop;

static void
on_term(int sig)
{
	term_stop = 1;
	accept_gate_wake(term_gate, 1);
}

/* SIGTERM before the sleep or during it: the sleeper stops either way. */
START_TEST(a_stop_signal_ends_the_sleep)
{
	struct sigaction sa = {.sa_handler = on_term};
	int status;
	pid_t pid;

	term_gate = gate_with_leader(2, 2);
	sigemptyset(&sa.sa_mask);
	ck_assert_int_eq(sigaction(SIGTERM, &sa, NULL), 0);
	pid = fork();
	if (pid == 0) {
		_exit(
		    accept_gate_await(term_gate, 1, &term_stop) == -1 ? 3 : 1);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	signal(SIGTERM, SIG_DFL);
	kill(pid, SIGTERM);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	ck_assert_int_eq(WEXITSTATUS(status), 3);
	/* It never led: the leader is still slot 0. */
	ck_assert_int_eq(accept_gate_leader(term_gate), 0);
	accept_gate_destroy(term_gate);
}
END_TEST

START_TEST(a_gate_needs_a_worker_and_a_place)
{
	ck_assert_ptr_null(accept_gate_create(0, 1));
	ck_assert_ptr_null(accept_gate_create(1, 0));
}
END_TEST

static Suite *
accept_gate_suite(void)
{
	Suite *s = suite_create("accept_gate");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, the_first_to_arrive_leads_and_the_rest_sleep);
	tcase_add_test(tc, a_leader_that_accepted_wakes_the_most_recently_idle);
	tcase_add_test(tc, a_light_load_runs_on_two_workers);
	tcase_add_test(tc, at_the_cap_no_one_leads_until_one_finishes);
	tcase_add_test(tc, a_worker_waiting_outside_does_not_count);
	tcase_add_test(tc, away_and_back_only_move_a_worker_that_serves);
	tcase_add_test(tc, a_dead_leader_passes_the_lead_on);
	tcase_add_test(tc, a_dead_sleeper_leaves_the_stack);
	tcase_add_test(tc, a_repair_wakes_the_leader_again_for_nothing);
	tcase_add_test(tc, a_dead_worker_that_served_frees_its_place);
	tcase_add_test(tc, a_wake_up_the_dead_never_took_is_dropped);
	tcase_add_test(tc, a_sleeping_process_wakes_when_its_turn_comes);
	tcase_add_test(tc, a_killed_sleeper_is_never_woken);
	tcase_add_test(tc, a_stop_signal_ends_the_sleep);
	tcase_add_test(tc, a_gate_needs_a_worker_and_a_place);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(accept_gate_suite());
}
