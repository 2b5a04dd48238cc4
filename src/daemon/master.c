/*
 * master.c - the supervising process.
 *
 * Signal handlers only set flags; the loop sleeps in sigsuspend() with
 * every signal it cares about blocked in between, so none is missed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http/context.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/metrics.h"
#include "daemon/master.h"
#include "store/txn_slots.h"
#include "daemon/worker.h"

/* A worker that dies younger than this is crash-looping: slow down. */
#define RESPAWN_MIN_LIFE_MS 1000
#define RESPAWN_DELAY_MS 200

/* How long a reloading master waits for its successor to report ready. */
#define HANDOVER_READY_MS 10000

struct pool {
	enum pool_kind kind;
	int fd;
	int size;
	pid_t *pids;
	long long *born_ms;
};

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_child;
static volatile sig_atomic_t got_reload;

static void
on_stop(int sig)
{
	got_stop = 1;
}

static void
on_child(int sig)
{
	got_child = 1;
}

static void
on_reload(int sig)
{
	got_reload = 1;
}

static const char *
pool_name(const struct pool *p)
{
	return p->kind == POOL_READ ? "read" : "book";
}

static void
spawn(const struct settings *cfg, struct pool *p, int slot, int other_fd,
    int semid)
{
	pid_t pid = fork();

	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		close(other_fd);
		worker_run(cfg, p->kind, slot, p->fd, semid);
	}
	p->pids[slot] = pid;
	p->born_ms[slot] = clock_now_ms();
}

static int
pool_init(struct pool *p, enum pool_kind kind, int fd, int size)
{
	p->kind = kind;
	p->fd = fd;
	p->size = size;
	p->pids = calloc((size_t)size, sizeof(*p->pids));
	p->born_ms = calloc((size_t)size, sizeof(*p->born_ms));
	return p->pids != NULL && p->born_ms != NULL ? 0 : -1;
}

static void
pool_free(struct pool *p)
{
	free(p->pids);
	free(p->born_ms);
}

/* Forgets reaped workers; returns how many are still alive. */
static int
reap(struct pool *pools, int npools, int logging)
{
	int status, alive = 0;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < npools; i++) {
			for (int s = 0; s < pools[i].size; s++) {
				if (pools[i].pids[s] != pid) {
					continue;
				}
				pools[i].pids[s] = 0;
				/* A worker killed mid-request never cleared its
				 * mark. */
				metrics_set_busy(pools[i].kind, s, 0);
				if (!logging) {
					continue;
				}
				metrics_worker_restart(pools[i].kind);
				if (WIFSIGNALED(status)) {
					log_warn(
					    "%s worker %ld killed by signal %d",
					    pool_name(&pools[i]), (long)pid,
					    WTERMSIG(status));
				} else {
					log_warn("%s worker %ld exited with "
					         "status %d",
					    pool_name(&pools[i]), (long)pid,
					    WEXITSTATUS(status));
				}
			}
		}
	}
	for (int i = 0; i < npools; i++) {
		for (int s = 0; s < pools[i].size; s++) {
			alive += pools[i].pids[s] != 0;
		}
	}
	return alive;
}

static void
respawn(const struct settings *cfg, struct pool *pools, int semid)
{
	for (int i = 0; i < 2; i++) {
		for (int s = 0; s < pools[i].size; s++) {
			if (pools[i].pids[s] != 0) {
				continue;
			}
			if (pools[i].born_ms[s] != 0 &&
			    clock_now_ms() - pools[i].born_ms[s] <
			        RESPAWN_MIN_LIFE_MS) {
				clock_sleep_ms(RESPAWN_DELAY_MS);
			}
			spawn(cfg, &pools[i], s, pools[1 - i].fd, semid);
		}
	}
}

static void
signal_all(struct pool *pools, int npools, int sig)
{
	for (int i = 0; i < npools; i++) {
		for (int s = 0; s < pools[i].size; s++) {
			if (pools[i].pids[s] != 0) {
				kill(pools[i].pids[s], sig);
			}
		}
	}
}

/* Asks every worker to finish; kills the ones still busy at the deadline. */
static void
drain(const struct settings *cfg, struct pool *pools)
{
	long long deadline = clock_now_ms() + cfg->drain_timeout_ms;
	int alive;

	signal_all(pools, 2, SIGTERM);
	while ((alive = reap(pools, 2, 0)) > 0 && clock_now_ms() < deadline) {
		clock_sleep_ms(20);
	}
	if (alive > 0) {
		log_warn("%d workers still busy after %d ms: killing them",
		    alive, cfg->drain_timeout_ms);
		signal_all(pools, 2, SIGKILL);
		while (reap(pools, 2, 0) > 0) {
			clock_sleep_ms(10);
		}
	}
}

static void
install_signals(sigset_t *waitmask)
{
	struct sigaction sa;
	sigset_t block;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_reload;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
	sigdelset(waitmask, SIGCHLD);
}

/*
 * Starts a new master on the same listening sockets, so connections
 * queued on them are served across the restart.  A close-on-exec pipe
 * tells whether the exec happened.  Returns 0 once it has.
 */
static int
hand_over(int read_fd, int book_fd, const char *exe, char **argv)
{
	int pfd[2], ready[2], child_errno = 0;
	char fds[32], byte;
	struct pollfd pfd_ready;
	ssize_t n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) != 0 || pipe2(ready, O_CLOEXEC) != 0) {
		log_error("pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		close(pfd[0]);
		close(pfd[1]);
		close(ready[0]);
		close(ready[1]);
		return -1;
	}
	if (pid == 0) {
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		fcntl(read_fd, F_SETFD, 0);
		fcntl(book_fd, F_SETFD, 0);
		fcntl(ready[1], F_SETFD, 0);
		snprintf(fds, sizeof(fds), "%d,%d", read_fd, book_fd);
		setenv("TICKETD_LISTEN_FDS", fds, 1);
		snprintf(fds, sizeof(fds), "%d", ready[1]);
		setenv("TICKETD_READY_FD", fds, 1);
		execv(exe, argv);
		child_errno = errno;
		if (write(pfd[1], &child_errno, sizeof(child_errno)) < 0) {
			_exit(127);
		}
		_exit(127);
	}

	close(pfd[1]);
	close(ready[1]);
	while ((n = read(pfd[0], &child_errno, sizeof(child_errno))) < 0 &&
	       errno == EINTR) {
		continue;
	}
	close(pfd[0]);
	if (n > 0) {
		log_error("cannot start a new master (%s): %s", exe,
		    strerror(child_errno));
		close(ready[0]);
		waitpid(pid, NULL, 0);
		return -1;
	}

	/* Keep serving until the new master's workers are up (or it died). */
	pfd_ready.fd = ready[0];
	pfd_ready.events = POLLIN;
	while (poll(&pfd_ready, 1, HANDOVER_READY_MS) < 0 && errno == EINTR) {
		continue;
	}
	n = read(ready[0], &byte, 1);
	close(ready[0]);
	if (n != 1) {
		log_warn("new master %ld did not report ready; draining anyway",
		    (long)pid);
	}
	log_info("new master %ld serves the sockets; draining", (long)pid);
	return 0;
}

/* Tells the master that started us by a reload that our workers are up. */
static void
report_ready(void)
{
	const char *fd_text = getenv("TICKETD_READY_FD");
	int fd;

	if (fd_text == NULL) {
		return;
	}
	fd = atoi(fd_text);
	if (fd > 2 && write(fd, "1", 1) != 1) {
		log_warn("cannot report ready: %s", strerror(errno));
	}
	if (fd > 2) {
		close(fd);
	}
	unsetenv("TICKETD_READY_FD");
}

int
master_run(const struct settings *cfg, int read_fd, int book_fd,
    const char *exe, char **argv, int *handed_over)
{
	struct pool pools[2];
	sigset_t waitmask;
	int semid, rc = 1;

	semid = txn_slots_create(cfg->txn_slots);
	if (semid < 0 || metrics_init() != 0 ||
	    pool_init(&pools[0], POOL_READ, read_fd, cfg->read_workers) != 0 ||
	    pool_init(&pools[1], POOL_BOOK, book_fd, cfg->book_workers) != 0) {
		log_error("cannot set up the pools");
		goto out;
	}

	install_signals(&waitmask);
	respawn(cfg, pools, semid);
	report_ready();
	log_info("serving: %d read workers, %d booking workers, %d transaction "
	         "slots",
	    cfg->read_workers, cfg->book_workers, cfg->txn_slots);

	*handed_over = 0;
	while (!got_stop) {
		sigsuspend(&waitmask);
		if (got_reload) {
			got_reload = 0;
			if (hand_over(read_fd, book_fd, exe, argv) == 0) {
				*handed_over = 1;
				break;
			}
		}
		if (got_child) {
			got_child = 0;
			reap(pools, 2, 1);
			if (!got_stop) {
				respawn(cfg, pools, semid);
			}
		}
	}

	log_info("draining");
	drain(cfg, pools);
	log_info("all workers done");
	rc = 0;
out:
	txn_slots_destroy(semid);
	pool_free(&pools[0]);
	pool_free(&pools[1]);
	return rc;
}
