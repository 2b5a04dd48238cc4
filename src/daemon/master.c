/*
 * master.c - the supervising process.
 *
 * Signal handlers only set flags.  The signals the master cares about are
 * blocked except inside one ppoll(2), so none is missed between a check
 * and the wait.  Nothing in the loop sleeps: a crash-looping worker's
 * back-off and a reload's deadline are times the wait ends at.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "http/context.h"
#include "base/accept_gate.h"
#include "base/clock.h"
#include "base/env.h"
#include "base/log.h"
#include "base/metrics.h"
#include "base/periodic.h"
#include "base/readiness.h"
#include "base/soldout.h"
#include "daemon/master.h"
#include "daemon/reload.h"
#include "daemon/ticket_key.h"
#include "domain/password.h"
#include "store/txn_slots.h"
#include "daemon/worker.h"
#include "daemon/writer.h"
#include "mail/mailer.h"
#include "store/writer_link.h"

/*
 * A worker that dies younger than this is crash-looping: its slot waits
 * RESPAWN_DELAY_MS, doubled for each further quick death up to
 * RESPAWN_MAX_DELAY_MS, so a broken pool costs little CPU.  Tests may set
 * the first wait with TICKETD_RESPAWN_DELAY_MS (a long one shows that the
 * master never sleeps through a signal while a slot waits), and the
 * minimum life with TICKETD_RESPAWN_MIN_LIFE_MS (a long one makes every
 * death quick, however slowly a loaded machine starts a worker).
 */
#define RESPAWN_MIN_LIFE_MS 1000
#define RESPAWN_DELAY_MS 200
#define RESPAWN_MAX_DELAY_MS 5000
#define RESPAWN_DELAY_TEST_MAX_MS 600000

/* The pools of the table in master_run(): read, book, mailer, writer. */
#define MAX_POOLS 4

/* After SIGKILL, how often a drain looks again for children to reap. */
#define KILLED_REAP_MS 100

/* Until every worker has started, how often the master looks. */
#define READY_POLL_MS 20

struct slot {
	pid_t pid;         /* 0 while dead */
	long long born_ms; /* when it was forked */
	long long due_ms;  /* while dead: when it may be forked again */
	int quick_deaths;  /* deaths in a row younger than the minimum life */
};

struct master;
struct pool;

/* What a forked child of the pool runs; never returns. */
typedef void pool_run_fn(struct master *m, struct pool *p, int slot);

static pool_run_fn run_writer;

struct pool {
	const char *name;
	enum pool_kind kind; /* of a FastCGI pool */
	int fd;              /* its socket; -1 for the mailer */
	int size;
	pool_run_fn *run;
	struct slot *slots;
};

struct master {
	const struct settings *cfg;
	struct pool *pools;
	int npools;
	struct worker_shared shared; /* semaphores every worker uses */
	int ready_fd; /* a new master's report to the old one, else -1 */
	bool ready;   /* every worker has started, or the wait is over */
	long long started_ms; /* when master_run() began: the wait's start */
	struct reload reload;
	sigset_t waitmask;
};

static volatile sig_atomic_t got_stop;
static volatile sig_atomic_t got_child;
static volatile sig_atomic_t got_reload;
static volatile sig_atomic_t got_reopen;

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

static void
on_reopen(int sig)
{
	log_reopen_request();
	got_reopen = 1;
}

/* A FastCGI pool, with its socket and its counters (the mailer and the
 * booking writer are pools of one of their own). */
static bool
is_fastcgi(const struct pool *p)
{
	return p->kind != POOL_COUNT;
}

static int
pools_init(struct master *m)
{
	for (int i = 0; i < m->npools; i++) {
		struct pool *p = &m->pools[i];

		p->slots = calloc((size_t)p->size + 1, sizeof(*p->slots));
		if (p->slots == NULL) {
			return -1;
		}
	}
	return 0;
}

static void
pools_free(struct master *m)
{
	for (int i = 0; i < m->npools; i++) {
		free(m->pools[i].slots);
		m->pools[i].slots = NULL;
	}
}

/*
 * In the child: a worker keeps stdio and its own listening socket only,
 * not another pool's socket nor a reload's pipe, so it neither accepts
 * for the wrong pool nor holds a hand-over open.
 */
static void
close_all_but(int keep)
{
	if (keep < 0) {
		close_range(3, ~0U, 0);
		return;
	}
	if (keep > 3) {
		close_range(3, (unsigned)keep - 1, 0);
	}
	close_range((unsigned)keep + 1, ~0U, 0);
}

static void
spawn(struct master *m, struct pool *p, int s)
{
	struct slot *w = &p->slots[s];
	long long now = clock_now_ms();
	pid_t pid = fork();

	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		w->due_ms = now + RESPAWN_DELAY_MS;
		return;
	}
	if (pid == 0) {
		close_all_but(p->fd);
		p->run(m, p, s);
	}
	w->pid = pid;
	w->born_ms = now;
	log_debug("spawned %s worker %ld in slot %d", p->name, (long)pid, s);
}

/* 0, then 200, 400, 800 ... up to RESPAWN_MAX_DELAY_MS. */
static int
backoff_ms(int quick_deaths)
{
	int delay = env_int("TICKETD_RESPAWN_DELAY_MS", RESPAWN_DELAY_MS, 1,
	    RESPAWN_DELAY_TEST_MAX_MS);
	int cap = delay > RESPAWN_MAX_DELAY_MS ? delay : RESPAWN_MAX_DELAY_MS;

	if (quick_deaths == 0) {
		return 0;
	}
	while (--quick_deaths > 0 && delay < cap) {
		delay *= 2;
	}
	return delay < cap ? delay : cap;
}

static void
schedule_respawn(struct slot *w, long long now)
{
	if (now - w->born_ms < env_int("TICKETD_RESPAWN_MIN_LIFE_MS",
	                           RESPAWN_MIN_LIFE_MS, 1,
	                           RESPAWN_DELAY_TEST_MAX_MS)) {
		w->quick_deaths++;
	} else {
		w->quick_deaths = 0;
	}
	w->due_ms = now + backoff_ms(w->quick_deaths);
}

static void
log_death(const struct pool *p, pid_t pid, int status)
{
	if (WIFSIGNALED(status)) {
		log_warn("%s worker %ld killed by signal %d", p->name,
		    (long)pid, WTERMSIG(status));
	} else {
		log_warn("%s worker %ld exited with status %d", p->name,
		    (long)pid, WEXITSTATUS(status));
	}
}

/* Finds the slot of a worker; returns 0, or -1 when pid is none of ours. */
static int
find_worker(struct master *m, pid_t pid, struct pool **pool, int *slot)
{
	for (int i = 0; i < m->npools; i++) {
		for (int s = 0; s < m->pools[i].size; s++) {
			if (m->pools[i].slots[s].pid == pid) {
				*pool = &m->pools[i];
				*slot = s;
				return 0;
			}
		}
	}
	return -1;
}

static int
pool_alive(const struct pool *p)
{
	int alive = 0;

	for (int s = 0; s < p->size; s++) {
		alive += p->slots[s].pid != 0;
	}
	return alive;
}

static int
count_alive(const struct master *m)
{
	int alive = 0;

	for (int i = 0; i < m->npools; i++) {
		alive += pool_alive(&m->pools[i]);
	}
	return alive;
}

/*
 * Forgets reaped children; while serving, logs each dead worker and
 * schedules its respawn.  Returns how many workers are still alive.
 */
static int
reap(struct master *m, int serving)
{
	struct pool *p;
	int status, s;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (find_worker(m, pid, &p, &s) != 0) {
			reload_reaped(&m->reload, pid, status);
			continue;
		}
		p->slots[s].pid = 0;
		if (is_fastcgi(p) && m->shared.gate[p->kind] != NULL) {
			accept_gate_reaped(m->shared.gate[p->kind], s);
		}
		/* A worker killed mid-request never cleared its mark (the
		 * mailer and the writer have no FastCGI pool's counters). */
		if (is_fastcgi(p)) {
			metrics_set_busy(p->kind, s, 0);
			readiness_gone(m->shared.readiness, p->kind, s);
		}
		if (serving) {
			if (is_fastcgi(p)) {
				metrics_worker_restart(p->kind);
			}
			log_death(p, pid, status);
			schedule_respawn(&p->slots[s], clock_now_ms());
		}
	}
	return count_alive(m);
}

/* Forks every dead worker whose back-off is over. */
static void
respawn_due(struct master *m)
{
	long long now = clock_now_ms();

	for (int i = 0; i < m->npools; i++) {
		for (int s = 0; s < m->pools[i].size; s++) {
			struct slot *w = &m->pools[i].slots[s];

			if (w->pid == 0 && w->due_ms <= now) {
				spawn(m, &m->pools[i], s);
			}
		}
	}
}

/*
 * Milliseconds until the next respawn, reload deadline or look at the
 * workers' start; -1: none.
 */
static long long
next_wake_ms(const struct master *m)
{
	long long now = clock_now_ms();
	long long wait = reload_wait_ms(&m->reload, now);

	if (!m->ready && (wait < 0 || wait > READY_POLL_MS)) {
		wait = READY_POLL_MS;
	}
	for (int i = 0; i < m->npools; i++) {
		for (int s = 0; s < m->pools[i].size; s++) {
			const struct slot *w = &m->pools[i].slots[s];
			long long left = w->due_ms > now ? w->due_ms - now : 0;

			if (w->pid == 0 && (wait < 0 || left < wait)) {
				wait = left;
			}
		}
	}
	return wait;
}

static void
signal_pool(struct pool *p, int sig)
{
	for (int s = 0; s < p->size; s++) {
		if (p->slots[s].pid != 0) {
			kill(p->slots[s].pid, sig);
		}
	}
}

static void
signal_all(struct master *m, int sig)
{
	for (int i = 0; i < m->npools; i++) {
		signal_pool(&m->pools[i], sig);
	}
}

/* The booking writer's pool, or NULL when there is none. */
static struct pool *
writer_pool(struct master *m)
{
	for (int i = 0; i < m->npools; i++) {
		if (m->pools[i].run == run_writer && m->pools[i].size > 0) {
			return &m->pools[i];
		}
	}
	return NULL;
}

/* Waits up to ms for a child to exit (SIGCHLD is blocked, so none is lost). */
static void
wait_child(long long ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
	sigset_t chld;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigtimedwait(&chld, NULL, &ts);
}

/*
 * Asks every worker to finish, the booking writer once the others are
 * gone (the bookings workers hand it while they finish are written);
 * kills the ones still busy at the deadline.
 */
static void
drain(struct master *m)
{
	long long deadline = clock_now_ms() + m->cfg->drain_timeout_ms;
	struct pool *writer = writer_pool(m);
	long long left;
	int alive;

	for (int i = 0; i < m->npools; i++) {
		if (&m->pools[i] != writer) {
			signal_pool(&m->pools[i], SIGTERM);
		}
	}
	while ((alive = reap(m, 0)) > 0 &&
	       (left = deadline - clock_now_ms()) > 0) {
		if (writer != NULL && alive == pool_alive(writer)) {
			signal_pool(writer, SIGTERM);
			writer = NULL;
		}
		wait_child(left);
	}
	if (alive > 0) {
		log_warn("%d workers still busy after %d ms: killing them",
		    alive, m->cfg->drain_timeout_ms);
		signal_all(m, SIGKILL);
		while (reap(m, 0) > 0) {
			wait_child(KILLED_REAP_MS);
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
	sa.sa_handler = on_reopen;
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, waitmask);
	sigdelset(waitmask, SIGTERM);
	sigdelset(waitmask, SIGINT);
	sigdelset(waitmask, SIGHUP);
	sigdelset(waitmask, SIGUSR1);
	sigdelset(waitmask, SIGCHLD);
}

/*
 * Waits until a signal, the ready pipe of a reload or the next scheduled
 * wake-up.  Returns the pipe's poll events (0 when it has none).
 */
static short
wait_for_event(struct master *m)
{
	struct pollfd ready = {m->reload.ready_fd, POLLIN, 0};
	long long ms = next_wake_ms(m);
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};

	if (ppoll(&ready, 1, ms < 0 ? NULL : &ts, &m->waitmask) <= 0) {
		return 0;
	}
	return ready.revents;
}

static void
start_reload(struct master *m, const char *exe, char **argv)
{
	int fds[MAX_POOLS], n = 0;

	if (reload_pending(&m->reload)) {
		log_warn("a reload is already under way: ignoring SIGHUP");
		return;
	}

	/* The FastCGI sockets pass to the new master; the writer's is named
	 * after this master, and the new one makes its own. */
	for (int i = 0; i < m->npools; i++) {
		if (is_fastcgi(&m->pools[i])) {
			fds[n++] = m->pools[i].fd;
		}
	}
	reload_start(&m->reload, fds, n, exe, argv);
}

/*
 * Once every worker has started, or the wait for them is over: says so,
 * and a reload's new master tells the old one, which hands over only then
 * (its workers serve meanwhile).
 */
static void
check_ready(struct master *m)
{
	struct readiness *r = m->shared.readiness;
	long long waited = clock_now_ms() - m->started_ms;

	if (m->ready) {
		return;
	}
	if (readiness_check(r)) {
		log_info("ready: every worker started in %lld ms", waited);
	} else if (waited >= reload_ready_wait_ms()) {
		/* A database slow to answer, a worker that keeps dying: the
		 * node serves with those it has, as it did before waiting. */
		readiness_declare(r);
		log_warn("ready after %lld ms with %d of %d read and %d of %d "
		         "booking workers started; the others are still "
		         "connecting or restarting",
		    waited, readiness_count(r, POOL_READ),
		    readiness_size(r, POOL_READ), readiness_count(r, POOL_BOOK),
		    readiness_size(r, POOL_BOOK));
	} else {
		return;
	}
	m->ready = true;
	reload_report_ready(m->ready_fd);
	m->ready_fd = -1;
}

/*
 * Supervises until SIGTERM (returns 0) or until a new master took over
 * the sockets (returns 1).
 */
static int
serve(struct master *m, const char *exe, char **argv)
{
	short revents;

	while (!got_stop) {
		revents = wait_for_event(m);
		if (got_child) {
			got_child = 0;
			reap(m, 1);
		}
		if (got_stop) {
			break;
		}
		if (reload_pending(&m->reload) &&
		    reload_poll(&m->reload, revents, clock_now_ms()) ==
		        RELOAD_READY) {
			return 1;
		}
		if (got_reload) {
			got_reload = 0;
			start_reload(m, exe, argv);
		}
		if (got_reopen) {
			/* logrotate moved the file: ours now, the workers' at
			 * their next record. */
			got_reopen = 0;
			log_reopen_pending();
			log_info("log file reopened");
			signal_all(m, SIGUSR1);
		}
		respawn_due(m);
		check_ready(m);
	}
	reload_cancel(&m->reload, "was not ready when the master stopped");
	return 0;
}

static void
run_worker(struct master *m, struct pool *p, int slot)
{
	worker_run(m->cfg, p->kind, slot, p->fd, &m->shared);
}

static void
run_mailer(struct master *m, struct pool *p, int slot)
{
	const struct settings *cfg = m->cfg;
	struct mailer_settings ms = {
	    .log_level = cfg->log_level,
	    .database_url = cfg->database_url,
	    .db = &cfg->db,
	    .smtp_url = cfg->smtp_url,
	    .from = cfg->mail_from,
	    .site = *cfg->mail_site_url != '\0' ? cfg->mail_site_url
	                                        : cfg->public_origin,
	    .poll_ms = cfg->mailer_poll_ms,
	    .ticket_keys = m->shared.ticket_keys,
	};

	mailer_run(&ms);
}

static void
run_writer(struct master *m, struct pool *p, int slot)
{
	writer_run(m->cfg, p->fd);
}

/*
 * The booking writer's socket (store/writer_link.h), made before any
 * worker is forked so that a worker can connect whenever it starts, and
 * kept across the writer's respawns (connections wait in its backlog).
 * Returns the listening descriptor, or -1 after logging why.
 */
static int
writer_listen(const struct settings *cfg, uint64_t *nonce)
{
	struct sockaddr_un sa;
	socklen_t len;
	int fd;

	if (getrandom(nonce, sizeof(*nonce), 0) != (ssize_t)sizeof(*nonce)) {
		log_warn(
		    "booking writer's socket: getrandom: %s", strerror(errno));
		return -1;
	}
	len = writer_link_address(getpid(), *nonce, &sa);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) != 0 ||
	    listen(fd, cfg->book_workers + 16) != 0) {
		log_warn("booking writer's socket: %s", strerror(errno));
		if (fd >= 0) {
			close(fd);
		}
		return -1;
	}
	return fd;
}

/*
 * The tickets' signing key, read once here so every worker inherits it
 * (after password_init(): libsodium is set up).  No key file: tickets
 * and check-in answer 503.  Returns 0, or -1 after logging why.
 */
static int
load_ticket_key(const struct settings *cfg, struct worker_shared *shared)
{
	struct ticket_keys *keys;
	char err[512];

	if (*cfg->ticket_key_file == '\0') {
		log_warn("TICKETD_TICKET_KEY_FILE is not set: tickets and "
		         "check-in answer 503");
		return 0;
	}
	if (ticket_key_load(cfg->ticket_key_file, &keys, err, sizeof(err)) !=
	    0) {
		log_error("%s", err);
		return -1;
	}
	shared->ticket_keys = keys;
	return 0;
}

/*
 * A pool's accept gate when its setting asks for one, capped at the
 * pool's size (base/accept_gate.h).  Returns 0, or -1 after logging.
 */
static int
gates_create(const struct settings *cfg, struct worker_shared *shared)
{
	const int serving[POOL_COUNT] = {
	    [POOL_READ] = cfg->read_serving, [POOL_BOOK] = cfg->book_serving};
	const int size[POOL_COUNT] = {
	    [POOL_READ] = cfg->read_workers, [POOL_BOOK] = cfg->book_workers};

	for (int i = 0; i < POOL_COUNT; i++) {
		if (serving[i] == 0) {
			continue;
		}
		shared->gate[i] = accept_gate_create(
		    size[i], serving[i] < size[i] ? serving[i] : size[i]);
		if (shared->gate[i] == NULL) {
			log_error("cannot set up the accept gates");
			return -1;
		}
	}
	return 0;
}

int
master_run(const struct settings *cfg, int read_fd, int book_fd,
    const char *exe, char **argv, int *handed_over)
{
	/*
	 * The mailer is a pool of one, or of none without a relay.  So is
	 * the writer, which is handed only what the one booking statement may
	 * write, and that needs prepared statements (booking_store.c): behind
	 * a transaction pooler it would never be handed anything.
	 */
	bool want_writer = cfg->book_batch_max > 0 && cfg->db.prepared;
	struct pool pools[] = {
	    {"read", POOL_READ, read_fd, cfg->read_workers, run_worker, NULL},
	    {"book", POOL_BOOK, book_fd, cfg->book_workers, run_worker, NULL},
	    {"mailer", POOL_COUNT, -1, *cfg->smtp_url != '\0', run_mailer,
	        NULL},
	    {"writer", POOL_COUNT, -1, want_writer, run_writer, NULL},
	};
	struct pool *writer = &pools[3];
	struct master m = {
	    .cfg = cfg,
	    .pools = pools,
	    .npools = (int)(sizeof(pools) / sizeof(pools[0])),
	    .shared = {.txn_semid = -1, .hash_semid = -1},
	    .ready_fd = -1,
	};
	int rc = 1;

	_Static_assert(sizeof(pools) / sizeof(pools[0]) <= MAX_POOLS,
	    "MAX_POOLS is smaller than the pool table");
	*handed_over = 0;
	/* The ready wait counts from here, as close as it gets to the old
	 * master's deadline, which counts from the exec. */
	m.started_ms = clock_now_ms();
	reload_init(&m.reload);
	m.ready_fd = reload_take_ready_fd();
	/* Before the fork: libsodium's setup and the dummy password hash. */
	if (pools_init(&m) != 0 ||
	    (m.shared.txn_semid = txn_slots_create(cfg->txn_slots)) < 0 ||
	    (m.shared.hash_semid = txn_slots_create(cfg->hash_slots)) < 0 ||
	    metrics_init() != 0 ||
	    (m.shared.readiness = readiness_create(
	         (const int[POOL_COUNT]){[POOL_READ] = cfg->read_workers,
	             [POOL_BOOK] = cfg->book_workers},
	         POOL_COUNT)) == NULL ||
	    password_init() != PASSWORD_OK) {
		log_error("cannot set up the pools");
		goto out;
	}
	if (load_ticket_key(cfg, &m.shared) != 0) {
		goto out;
	}
	/* Without its socket, each booking worker writes its own. */
	if (want_writer &&
	    (writer->fd = writer_listen(cfg, &m.shared.writer_nonce)) >= 0) {
		m.shared.writer_master = getpid();
	} else {
		writer->size = 0;
	}
	/* Shared by the workers forked from here on; a TTL of 0: none. */
	if (cfg->sold_out_ttl_ms > 0) {
		m.shared.sold_out = soldout_create(cfg->sold_out_ttl_ms);
		if (m.shared.sold_out == NULL) {
			log_error("cannot map the sold-out table");
			goto out;
		}
	}
	if (gates_create(cfg, &m.shared) != 0) {
		goto out;
	}
	if (cfg->listing_totals_ms > 0) {
		m.shared.listing_totals =
		    periodic_create(cfg->listing_totals_ms);
		if (m.shared.listing_totals == NULL) {
			log_error("cannot map the listing totals' clock");
			goto out;
		}
	}

	install_signals(&m.waitmask);
	if (m.ready_fd >= 0) {
		readiness_cover(m.shared.readiness);
	}
	respawn_due(&m);
	log_info("serving: %d read workers, %d booking workers (%d serving at "
	         "once), %d transaction slots, %s, %s",
	    cfg->read_workers, cfg->book_workers,
	    m.shared.gate[POOL_BOOK] != NULL
	        ? accept_gate_cap(m.shared.gate[POOL_BOOK])
	        : cfg->book_workers,
	    cfg->txn_slots,
	    writer->size > 0 ? "a booking writer" : "no booking writer",
	    *cfg->smtp_url != '\0' ? "a mailer"
	                           : "no mailer (SMTP_URL is empty)");

	*handed_over = serve(&m, exe, argv);
	log_info("draining");
	drain(&m);
	log_info("all workers done");
	rc = 0;
out:
	if (m.ready_fd >= 0) {
		close(m.ready_fd);
	}
	if (writer->fd >= 0) {
		close(writer->fd);
	}
	txn_slots_destroy(m.shared.txn_semid);
	txn_slots_destroy(m.shared.hash_semid);
	ticket_key_free((struct ticket_keys *)m.shared.ticket_keys);
	soldout_destroy(m.shared.sold_out);
	periodic_destroy(m.shared.listing_totals);
	readiness_destroy(m.shared.readiness);
	for (int i = 0; i < POOL_COUNT; i++) {
		accept_gate_destroy(m.shared.gate[i]);
	}
	pools_free(&m);
	return rc;
}
