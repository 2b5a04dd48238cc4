/*
 * unit_main.h - what every Check program's main() does: run one suite
 * and exit non-zero when any test failed.
 */
#ifndef TICKETD_UNIT_MAIN_H
#define TICKETD_UNIT_MAIN_H

#include <check.h>
#include <stdlib.h>

static inline int
unit_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
