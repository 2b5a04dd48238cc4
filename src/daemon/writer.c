/*
 * writer.c - the node's booking writer.
 *
 * Each worker has at most one booking here at a time (it waits for the
 * answer), so a client holds one pending request or none.  A pass of the
 * loop reads every request that has arrived, then writes them in batches:
 * the oldest waiting request heads a batch, which takes the others of its
 * tier (in the order they came) up to the batch's size, skipping any of
 * the same fan or key (they go in the next one).  Anything the batch
 * cannot write whole is answered "on its own": the worker then runs the
 * booking's own statement, as it does when there is no writer.  So is a
 * batch that waits for a row lock longer than TICKETD_BOOK_BATCH_LOCK_WAIT_MS
 * (a fan's quota row that another of the fan's bookings holds): every
 * booking of the node queues behind this one connection, so it never waits
 * long for one fan.  For the same reason it never waits for the database
 * either: its connection is opened in the loop, without blocking, and
 * while it is not open every request is answered "on its own" at once.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/helper_process.h"
#include "base/log.h"
#include "base/metrics.h"
#include "daemon/writer.h"
#include "store/book_batch.h"
#include "store/db.h"
#include "store/statements.h"
#include "store/writer_link.h"

struct client {
	int fd;                     /* -1: a free entry */
	unsigned long long arrived; /* while pending: its place in line */
	bool pending;
	struct writer_request rq;
};

struct writer {
	struct db *db;
	short db_events; /* a connection under way waits for these */
	struct client *clients;
	int nclients;
	int batch_max;
	unsigned long long arrivals;
};

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	stopping = 1;
}

static void
client_close(struct client *c)
{
	close(c->fd);
	c->fd = -1;
	c->pending = false;
}

static bool
has_room(const struct writer *w)
{
	for (int i = 0; i < w->nclients; i++) {
		if (w->clients[i].fd < 0) {
			return true;
		}
	}
	return false;
}

/*
 * Takes the connections waiting, as many as there are free entries: the
 * rest wait in the backlog for the next pass, so a flood of connections
 * never keeps the writer from writing.  Only our own uid's processes hand
 * us bookings (the abstract socket is open to every local user).
 */
static void
accept_some(struct writer *w, int listen_fd)
{
	static long long warned_ms;

	for (int i = 0; i < w->nclients; i++) {
		struct client *c = &w->clients[i];
		int fd;

		if (c->fd >= 0) {
			continue;
		}
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) < 0) {
			return;
		}
		if (!writer_peer_is_us(fd)) {
			/* At most one line a minute however many try. */
			if (clock_now_ms() - warned_ms >= 60000) {
				warned_ms = clock_now_ms();
				log_warn("booking writer: turned away a peer "
				         "of another user");
			}
			close(fd);
			continue;
		}
		c->fd = fd;
		c->pending = false;
	}
}

static void
read_request(struct writer *w, struct client *c)
{
	struct writer_request rq;
	/* MSG_TRUNC: the datagram's whole length, however long. */
	ssize_t n = recv(c->fd, &rq, sizeof(rq), MSG_DONTWAIT | MSG_TRUNC);

	if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
		return;
	}
	if (n != (ssize_t)sizeof(rq) || c->pending ||
	    !writer_request_valid(&rq)) {
		if (n != 0) {
			log_warn(
			    "booking writer: a bad request (%zd bytes)", n);
		}
		/* A pending request is answered by the worker's EOF. */
		client_close(c);
		return;
	}
	c->rq = rq;
	c->pending = true;
	c->arrived = ++w->arrivals;
}

static void
reply(struct client *c, const struct book_batch_result *res)
{
	struct writer_reply rep;
	ssize_t n;

	memset(&rep, 0, sizeof(rep));
	rep.seq = c->rq.seq;
	rep.result = *res;
	do {
		n = send(c->fd, &rep, sizeof(rep), MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(rep)) {
		/* The worker gave up or died: its own statement, if any,
		 * finds the key ours wrote. */
		client_close(c);
		return;
	}
	c->pending = false;
}

/* The pending client that came first, or NULL. */
static struct client *
oldest_pending(struct writer *w)
{
	struct client *head = NULL;

	for (int i = 0; i < w->nclients; i++) {
		struct client *c = &w->clients[i];

		if (c->fd >= 0 && c->pending &&
		    (head == NULL || c->arrived < head->arrived)) {
			head = c;
		}
	}
	return head;
}

/*
 * Fills batch with head and the requests of its tier that came after it,
 * in order, none of the same fan or key as another.  Returns how many.
 */
static int
gather(struct writer *w, struct client *head, struct client **batch)
{
	int n = 0, max = w->batch_max;

	/* Each booking takes a bucket of its own: leave the tier half. */
	if (head->rq.item.buckets / 2 < max) {
		max = head->rq.item.buckets / 2 > 0 ? head->rq.item.buckets / 2
		                                    : 1;
	}
	batch[n++] = head;
	while (n < max) {
		struct client *next = NULL;

		for (int i = 0; i < w->nclients; i++) {
			struct client *c = &w->clients[i];
			bool taken = false;

			if (c->fd < 0 || !c->pending ||
			    !book_batch_same_tier(
			        &head->rq.item, &c->rq.item) ||
			    (next != NULL && c->arrived > next->arrived)) {
				continue;
			}
			for (int j = 0; j < n && !taken; j++) {
				taken = batch[j] == c ||
				        book_batch_conflict(
				            &batch[j]->rq.item, &c->rq.item);
			}
			if (!taken) {
				next = c;
			}
		}
		if (next == NULL) {
			break;
		}
		batch[n++] = next;
	}
	return n;
}

static void
write_batch(struct writer *w, struct client **batch, int n)
{
	const struct book_batch_item *items[BOOK_BATCH_MAX];
	struct book_batch_result res[BOOK_BATCH_MAX];
	int err;

	for (int i = 0; i < n; i++) {
		items[i] = &batch[i]->rq.item;
	}
	/* No connection open (the database away, its limit reached, ours
	 * still under way): nothing sent, and the workers' own connections
	 * may still work. */
	err = db_is_open(w->db) ? book_batch_run(w->db, items, n, res)
	                        : TD_ERR_FALLBACK;
	if (err == TD_ERR_FALLBACK || err == TD_ERR_BUSY) {
		/* A case the batch leaves (019's), or a row lock held longer
		 * than the writer waits: nothing written. */
		log_debug("booking writer: a batch of %d goes on its own: %s",
		    n, td_strerror(err));
	} else if (err != 0) {
		log_warn("booking writer: a batch of %d: %s (SQLSTATE %s)", n,
		    td_strerror(err), db_sqlstate(w->db));
	}
	for (int i = 0; err != 0 && i < n; i++) {
		memset(&res[i], 0, sizeof(res[i]));
		res[i].outcome = err == TD_ERR_UNAVAILABLE
		                     ? BOOK_BATCH_UNKNOWN
		                     : BOOK_BATCH_ON_ITS_OWN;
	}
	metrics_batch(err == 0 ? n : 0, err == 0 ? 0 : n);
	for (int i = 0; i < n; i++) {
		reply(batch[i], &res[i]);
	}
}

/*
 * A request whose worker stopped waiting is not started: the worker is
 * writing it on its own (and a batch that started in time and commits
 * late finds or leaves the key, which settles who wrote it).
 */
static void
answer_expired(struct writer *w)
{
	struct book_batch_result own = {.outcome = BOOK_BATCH_ON_ITS_OWN};
	long long now = clock_now_ms();

	for (int i = 0; i < w->nclients; i++) {
		struct client *c = &w->clients[i];

		if (c->fd >= 0 && c->pending && c->rq.deadline_ms <= now) {
			reply(c, &own);
		}
	}
}

static void
write_pending(struct writer *w)
{
	struct client *batch[BOOK_BATCH_MAX], *head;

	for (;;) {
		/* Before each batch: the last may have run a statement's
		 * whole timeout. */
		answer_expired(w);
		if ((head = oldest_pending(w)) == NULL) {
			return;
		}
		write_batch(w, batch, gather(w, head, batch));
	}
}

/*
 * Moves the connection on (ready: its socket is ready for what it waited
 * for): starts one when none is open or under way and the backoff allows,
 * and gives up on one that took too long.
 */
static void
connect_step(struct writer *w, bool ready)
{
	if (w->db_events != 0 && !ready && clock_now_ms() < db_wake_ms(w->db)) {
		return;
	}
	(void)db_connect_async(w->db, &w->db_events);
}

/* How long the loop may wait for a socket: until the connection's next
 * step without one, or for ever while it is open. */
static struct timespec *
wait_limit(const struct writer *w, struct timespec *ts)
{
	long long wake = db_wake_ms(w->db), left;

	if (wake == 0) {
		return NULL;
	}
	left = wake - clock_now_ms();
	if (left < 0) {
		left = 0;
	}
	ts->tv_sec = (time_t)(left / 1000);
	ts->tv_nsec = (long)(left % 1000) * 1000000L;
	return ts;
}

static void
serve(struct writer *w, int listen_fd, const sigset_t *waitmask)
{
	/* The listening socket, every worker's, and the database's. */
	struct pollfd *p = calloc((size_t)w->nclients + 2, sizeof(*p));

	if (p == NULL) {
		log_error("booking writer: out of memory");
		exit(1);
	}
	while (!stopping) {
		struct timespec ts;
		int np = 0, dbi;

		connect_step(w, false);
		/* With no entry free, the backlog waits (instead of a spin). */
		p[np++] = (struct pollfd){
		    .fd = has_room(w) ? listen_fd : -1, .events = POLLIN};
		for (int i = 0; i < w->nclients; i++) {
			p[np++] = (struct pollfd){
			    .fd = w->clients[i].fd, .events = POLLIN};
		}
		/* Under way: what the connection waits for.  Open and idle:
		 * whatever the server says, so a connection it closed is
		 * replaced before a batch would fail on it. */
		dbi = np;
		p[np++] = (struct pollfd){.fd = db_socket(w->db),
		    .events = w->db_events != 0 ? w->db_events : POLLIN};
		if (ppoll(p, (nfds_t)np, wait_limit(w, &ts), waitmask) < 0) {
			if (errno != EINTR) {
				log_error("booking writer: poll: %s",
				    strerror(errno));
				exit(1);
			}
			continue;
		}
		/* Read first: a worker that hung up frees its entry. */
		for (int i = 0; i < w->nclients; i++) {
			if (p[i + 1].fd >= 0 && p[i + 1].revents != 0 &&
			    w->clients[i].fd == p[i + 1].fd) {
				read_request(w, &w->clients[i]);
			}
		}
		if (p[0].fd >= 0 && p[0].revents != 0) {
			accept_some(w, listen_fd);
		}
		if (p[dbi].fd >= 0 && p[dbi].revents != 0) {
			if (w->db_events != 0) {
				connect_step(w, true);
			} else {
				db_read_idle(w->db);
			}
		}
		write_pending(w);
	}
	free(p);
}

void
writer_run(const struct settings *cfg, int listen_fd)
{
	static struct db_settings dbs; /* the connection keeps a pointer */
	/* The one statement the writer runs, prepared as each connection
	 * opens: until then a batch is not sent (each booking goes on its
	 * own at once), and a connection that cannot prepare it is not used. */
	static struct db_query batch_only[Q_COUNT];
	/* The setting's range stops there too; the arrays are that long. */
	struct writer w = {.batch_max = cfg->book_batch_max < BOOK_BATCH_MAX
	                                    ? cfg->book_batch_max
	                                    : BOOK_BATCH_MAX};
	sigset_t waitmask;

	/* SIGTERM is taken only while waiting: a batch in hand is finished. */
	helper_process_start(
	    on_term, "ticketd-writer", cfg->log_level, "writer", &waitmask);

	/* Every worker of the pool, and the ones a respawn briefly adds. */
	w.nclients = cfg->book_workers + 16;
	w.clients = calloc((size_t)w.nclients, sizeof(*w.clients));
	if (w.clients == NULL) {
		log_error("booking writer: out of memory");
		exit(1);
	}
	for (int i = 0; i < w.nclients; i++) {
		w.clients[i].fd = -1;
	}
	/* Every booking of the node queues behind this connection's wait. */
	dbs = cfg->db;
	dbs.prepare_at_connect = true;
	if (dbs.lock_timeout_ms == 0 ||
	    dbs.lock_timeout_ms > cfg->book_batch_lock_wait_ms) {
		dbs.lock_timeout_ms = cfg->book_batch_lock_wait_ms;
	}
	batch_only[Q_BOOK_BATCH] = statements[Q_BOOK_BATCH];
	w.db = db_new(
	    &dbs, cfg->database_url, "ticketd-writer", batch_only, Q_COUNT);

	serve(&w, listen_fd, &waitmask);

	for (int i = 0; i < w.nclients; i++) {
		if (w.clients[i].fd >= 0) {
			client_close(&w.clients[i]);
		}
	}
	free(w.clients);
	db_free(w.db);
	log_debug("booking writer exits");
	exit(0);
}
