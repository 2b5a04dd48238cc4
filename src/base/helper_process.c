/*
 * helper_process.c - the start of the mailer and the booking writer.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "base/helper_process.h"
#include "base/log.h"

void
helper_process_start(void (*on_term)(int), const char *comm, int log_level,
    const char *role, sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;
	pid_t parent = getppid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	/* SIGTERM is taken only while waiting: the work in hand is finished. */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_SETMASK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != parent) {
		exit(0);
	}
	/* Operators (and tests) tell it from the workers in ps. */
	prctl(PR_SET_NAME, comm);
	log_init(log_level, role);
}
