/*
 * unit_main.h - what every Check program's main() does: run one suite
 * and exit non-zero when any test failed.
 *
 * With UNIT_TAP_DIR set (deploy/test sets it), the program also writes
 * its results as TAP to UNIT_TAP_DIR/<program>.tap, one "ok"/"not ok"
 * line per test; the console output stays as it is.
 *
 * A test that forks asserts nothing in its child, not even that fork()
 * worked: every ck_assert that passes writes a message to the file the
 * test's process shares with Check's runner, and a child killed while
 * writing one (the tests that kill processes at random points) left a
 * torn message that failed the whole program ("Bad message type").
 * So fork()'s result is asserted after the child's branch.
 */
#ifndef TICKETD_UNIT_MAIN_H
#define TICKETD_UNIT_MAIN_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>

/* glibc's name of the running program (the basename of argv[0]). */
extern char *program_invocation_short_name;

static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	const char *dir = getenv("UNIT_TAP_DIR");
	char tap[4096];
	int failed;

	if (dir != NULL && *dir != '\0') {
		snprintf(tap, sizeof(tap), "%s/%s.tap", dir,
		    program_invocation_short_name);
		srunner_set_tap(sr, tap);
	}
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
