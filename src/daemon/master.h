/*
 * master.h - the supervising process: forks the pools, respawns a worker
 * that dies (backing off while one crash-loops), hands the sockets to a
 * new master on SIGHUP and drains on SIGTERM.
 */
#ifndef TICKETD_MASTER_H
#define TICKETD_MASTER_H

#include "daemon/settings.h"

/*
 * Runs until SIGTERM or SIGINT, then asks every worker to finish its
 * request in hand, waits up to TICKETD_DRAIN_TIMEOUT_MS, kills what is
 * left and returns 0.  Returns 1 when the pools could not start.
 *
 * SIGHUP is a graceful reload: the master execs a new master (exe, argv)
 * that inherits the listening sockets and keeps serving until that one
 * reports its workers up, then drains itself.  A new master that fails to
 * start, exits, or is not ready within the reload timeout (reload.h) is
 * killed and this master goes on serving.
 *
 * *handed_over is always set: 1 after a successful reload, which leaves
 * the socket paths and the pidfile to the new master, else 0.
 */
int master_run(const struct settings *cfg, int read_fd, int book_fd,
    const char *exe, char **argv, int *handed_over);

#endif
