/*
 * master.h - the supervising process: forks the two pools, respawns a
 * worker that dies, and drains on SIGTERM.
 */
#ifndef TICKETD_MASTER_H
#define TICKETD_MASTER_H

#include "daemon/settings.h"

/*
 * Runs until SIGTERM or SIGINT, then asks every worker to finish its
 * request in hand, waits up to TICKETD_DRAIN_TIMEOUT_MS, kills what is
 * left and returns 0 (1 when the pools could not start).
 *
 * SIGHUP is a graceful reload: the master execs a new master (exe, argv)
 * that inherits the listening sockets, then drains itself; *handed_over
 * tells the caller to leave the socket paths and pidfile to the new one.
 */
int master_run(const struct settings *cfg, int read_fd, int book_fd,
    const char *exe, char **argv, int *handed_over);

#endif
