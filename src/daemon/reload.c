/*
 * reload.c - the hand-over of the listening sockets to a new master.
 *
 * Nothing here blocks for long: the old master's loop keeps reaping,
 * respawning and answering signals while the new master starts, and only
 * a hand-over that failed waits, for the SIGKILL'd new master's exit.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/env.h"
#include "daemon/reload.h"

#define RELOAD_TIMEOUT_MS 10000
#define RELOAD_TIMEOUT_MAX_MS 600000

static int
timeout_ms(void)
{
	return env_int("TICKETD_RELOAD_TIMEOUT_MS", RELOAD_TIMEOUT_MS, 1,
	    RELOAD_TIMEOUT_MAX_MS);
}

int
reload_ready_wait_ms(void)
{
	return timeout_ms() / 5 * 4;
}

void
reload_init(struct reload *r)
{
	r->pid = 0;
	r->ready_fd = -1;
	r->deadline_ms = 0;
}

int
reload_pending(const struct reload *r)
{
	return r->pid != 0;
}

static void
log_keeps_serving(void)
{
	log_warn("reload failed: this master keeps serving (SIGHUP retries)");
}

static void
forget(struct reload *r)
{
	if (r->ready_fd >= 0) {
		close(r->ready_fd);
	}
	reload_init(r);
}

/* In the forked child: becomes the new master, or exits 127; never returns. */
static void
exec_new_master(const int *listen_fds, int nfds, int ready_w, int err_w,
    const char *exe, char **argv)
{
	char text[128], num[16];
	sigset_t none;
	int child_errno;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	text[0] = '\0';
	for (int i = 0; i < nfds; i++) {
		fcntl(listen_fds[i], F_SETFD, 0);
		snprintf(
		    num, sizeof(num), i == 0 ? "%d" : ",%d", listen_fds[i]);
		strncat(text, num, sizeof(text) - strlen(text) - 1);
	}
	setenv("TICKETD_LISTEN_FDS", text, 1);
	fcntl(ready_w, F_SETFD, 0);
	snprintf(num, sizeof(num), "%d", ready_w);
	setenv("TICKETD_READY_FD", num, 1);
	execv(exe, argv);
	child_errno = errno;
	if (write(err_w, &child_errno, sizeof(child_errno)) < 0) {
		_exit(127);
	}
	_exit(127);
}

int
reload_start(struct reload *r, const int *listen_fds, int nfds, const char *exe,
    char **argv)
{
	int err_pipe[2] = {-1, -1}, ready[2] = {-1, -1}, child_errno = 0;
	int rc = -1;
	ssize_t n;
	pid_t pid;

	if (pipe2(err_pipe, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
		log_error("pipe: %s", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		exec_new_master(
		    listen_fds, nfds, ready[1], err_pipe[1], exe, argv);
	}

	/* The close-on-exec pipe reads EOF once the exec happened. */
	close(err_pipe[1]);
	err_pipe[1] = -1;
	while ((n = read(err_pipe[0], &child_errno, sizeof(child_errno))) < 0 &&
	       errno == EINTR) {
		continue;
	}
	if (n > 0) {
		log_error("cannot start a new master (%s): %s", exe,
		    strerror(child_errno));
		waitpid(pid, NULL, 0);
		goto out;
	}

	r->pid = pid;
	r->ready_fd = ready[0];
	ready[0] = -1;
	r->deadline_ms = clock_now_ms() + timeout_ms();
	log_info(
	    "new master %ld started; serving until it is ready", (long)pid);
	rc = 0;
out:
	for (int i = 0; i < 2; i++) {
		if (err_pipe[i] >= 0) {
			close(err_pipe[i]);
		}
		if (ready[i] >= 0) {
			close(ready[i]);
		}
	}
	return rc;
}

long long
reload_wait_ms(const struct reload *r, long long now_ms)
{
	if (!reload_pending(r)) {
		return -1;
	}
	return r->deadline_ms > now_ms ? r->deadline_ms - now_ms : 0;
}

void
reload_cancel(struct reload *r, const char *why)
{
	if (!reload_pending(r)) {
		return;
	}
	/*
	 * Workers it may have forked get SIGTERM from their parent-death
	 * signal and finish the request in hand.
	 */
	kill(r->pid, SIGKILL);
	while (waitpid(r->pid, NULL, 0) < 0 && errno == EINTR) {
		continue;
	}
	log_warn("new master %ld %s: killed it", (long)r->pid, why);
	forget(r);
}

enum reload_state
reload_poll(struct reload *r, short revents, long long now_ms)
{
	char byte;
	ssize_t n;

	if (!reload_pending(r)) {
		return RELOAD_FAILED;
	}
	if (revents != 0 && r->ready_fd >= 0) {
		n = read(r->ready_fd, &byte, 1);
		if (n == 1) {
			log_info("new master %ld serves the sockets; draining",
			    (long)r->pid);
			forget(r);
			return RELOAD_READY;
		}
		if (n == 0) {
			/*
			 * Closed unready, most likely by its exit: its reaping
			 * says how it ended, else the deadline kills it.
			 */
			close(r->ready_fd);
			r->ready_fd = -1;
		}
	}
	if (now_ms >= r->deadline_ms) {
		reload_cancel(r, "did not report ready in time");
		log_keeps_serving();
		return RELOAD_FAILED;
	}
	return RELOAD_WAITING;
}

int
reload_reaped(struct reload *r, pid_t pid, int status)
{
	if (!reload_pending(r) || pid != r->pid) {
		return 0;
	}
	if (WIFSIGNALED(status)) {
		log_warn("new master %ld killed by signal %d before it was "
		         "ready",
		    (long)pid, WTERMSIG(status));
	} else {
		log_warn("new master %ld exited with status %d before it was "
		         "ready",
		    (long)pid, WEXITSTATUS(status));
	}
	forget(r);
	log_keeps_serving();
	return 1;
}

int
reload_take_ready_fd(void)
{
	const char *text = getenv("TICKETD_READY_FD");
	char *end;
	long fd;

	if (text == NULL) {
		return -1;
	}
	fd = strtol(text, &end, 10);
	if (end == text || *end != '\0' || fd <= 2 || fd > 65535 ||
	    fcntl((int)fd, F_SETFD, FD_CLOEXEC) != 0) {
		log_warn("ignoring TICKETD_READY_FD=%s: not an open descriptor",
		    text);
		fd = -1;
	}
	unsetenv("TICKETD_READY_FD");
	return (int)fd;
}

void
reload_report_ready(int fd)
{
	if (fd < 0) {
		return;
	}
	if (write(fd, "1", 1) != 1) {
		log_warn("cannot report ready: %s", strerror(errno));
	}
	close(fd);
}
