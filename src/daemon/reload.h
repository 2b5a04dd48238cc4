/*
 * reload.h - the graceful reload hand-over between a master and the new
 * master it execs on SIGHUP.
 *
 * The old master forks and execs the new one with the listening sockets
 * (TICKETD_LISTEN_FDS, read by listener_inherit) and the write end of a
 * pipe (TICKETD_READY_FD).  The new master writes one byte there once its
 * workers have started (base/readiness.h), or at reload_ready_wait_ms()
 * with those that have.  Meanwhile the old master keeps serving: its loop
 * polls reload.ready_fd beside its signals and asks reload_poll() what
 * happened.
 *
 * The wait is bounded.  A new master that exits, or neither reports ready
 * nor exits within the reload timeout, is killed with SIGKILL and reaped,
 * with a log line, and the old master keeps serving; a later SIGHUP can
 * try again.  The timeout is 10 s; the environment variable
 * TICKETD_RELOAD_TIMEOUT_MS (1..600000) overrides it.  It exists for the
 * tests, which need a short one, and is deliberately not a setting.
 */
#ifndef TICKETD_RELOAD_H
#define TICKETD_RELOAD_H

#include <sys/types.h>

/* A hand-over in progress; pid 0 when there is none. */
struct reload {
	pid_t pid;             /* the new master */
	int ready_fd;          /* read end of its ready pipe, -1 when none */
	long long deadline_ms; /* clock_now_ms() by which it must be ready */
};

/* What reload_poll() saw. */
enum reload_state {
	RELOAD_FAILED = -1, /* the new master was killed and reaped */
	RELOAD_WAITING = 0, /* not ready yet, still within the timeout */
	RELOAD_READY = 1,   /* the new master serves: drain and exit */
};

void reload_init(struct reload *r);

/*
 * How long a new master waits for all its workers before it reports ready
 * with those that have started: four fifths of the reload timeout, so that
 * a database slow to answer (libpq's connect_timeout for each host of the
 * URL) delays a hand-over, never fails it.
 */
int reload_ready_wait_ms(void);

/* Whether a hand-over is in progress. */
int reload_pending(const struct reload *r);

/*
 * Execs exe (argv) as the new master, passing the nfds listening sockets
 * in listen_fds.  Returns 0 once the exec happened (the hand-over is then
 * pending), or -1 after logging why it could not start.
 */
int reload_start(struct reload *r, const int *listen_fds, int nfds,
    const char *exe, char **argv);

/*
 * Milliseconds until the pending hand-over's deadline (0 when it passed),
 * for the master's wait; -1 when none is pending.
 */
long long reload_wait_ms(const struct reload *r, long long now_ms);

/*
 * Looks at a pending hand-over: revents is what poll(2) reported for
 * r->ready_fd (0 if nothing).  A new master past its deadline is killed.
 */
enum reload_state reload_poll(
    struct reload *r, short revents, long long now_ms);

/*
 * Tells the hand-over that pid was reaped with status.  Returns 1 when it
 * was the new master (the hand-over failed, logged), else 0.
 */
int reload_reaped(struct reload *r, pid_t pid, int status);

/* Kills and reaps a pending new master, logging why; no-op when none. */
void reload_cancel(struct reload *r, const char *why);

/*
 * The new master's side: takes the ready pipe passed by the old master
 * (close-on-exec from then on), or -1 when this master was not started by
 * a reload.  Call before forking workers.
 */
int reload_take_ready_fd(void);

/* Reports that the workers are up, then closes fd; no-op for -1. */
void reload_report_ready(int fd);

#endif
