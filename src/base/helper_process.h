/*
 * helper_process.h - the start of a child of the master that is not a
 * FastCGI worker (the mailer, the booking writer): one loop that waits in
 * ppoll(2), takes SIGTERM only there, and finishes what it has in hand.
 */
#ifndef TICKETD_HELPER_PROCESS_H
#define TICKETD_HELPER_PROCESS_H

#include <signal.h>

/*
 * Installs on_term for SIGTERM and blocks it, ignores the signals meant
 * for the master (SIGINT, SIGHUP) and SIGPIPE, asks for SIGTERM when the
 * master dies (exiting now if it already has), names the process `comm`
 * for ps, and sets up the log as `role`.  *waitmask is the mask to wait
 * with: SIGTERM unblocked.
 */
void helper_process_start(void (*on_term)(int), const char *comm, int log_level,
    const char *role, sigset_t *waitmask);

#endif
