/*
 * check_db_connect.c - a connection opened without blocking
 * (db_connect_async(), the booking writer's): against a server that never
 * answers it is given up at its time limit, never before, and against a
 * port that refuses it fails at once; either way the caller never waits
 * inside libpq.  Against a stand-in that says just enough of the protocol
 * to let a client in, it opens, and db_read_idle() keeps it while the
 * server says nothing and drops it once the server closes it.  Its TCP
 * socket is set to notice a server that vanished without closing it
 * (keepalives, TCP_USER_TIMEOUT), unless the URL says otherwise.  The
 * stand-in servers are sockets of this process, or of a child.
 */
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "store/db.h"
#include "unit_main.h"

static const struct db_settings settings = {
    .connect_timeout_s = 1,
    .statement_timeout_ms = 1000,
    .lock_timeout_ms = 1000,
};

/* A loopback TCP socket on a port of its own: listening, or only bound
 * (a connection to it is refused). */
static int
stand_in(bool listening, int *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	if (listening) {
		ck_assert_int_eq(listen(fd, 4), 0);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* The handle keeps a pointer to its settings and its URL. */
static struct db *
handle(const struct db_settings *ds, int port, char *conninfo, size_t size)
{
	snprintf(conninfo, size,
	    "host=127.0.0.1 port=%d dbname=ticketd user=ticketd "
	    "password=unused sslmode=disable gssencmode=disable",
	    port);
	return db_new(ds, conninfo, "check_db_connect", NULL, 0);
}

/*
 * Drives one attempt as the writer's loop does: poll the socket for what
 * it waits for, until its time limit; returns the last answer, and every
 * answer on the way must be "under way" (0 with events to wait for).
 */
static int
drive(struct db *db, int *steps)
{
	short ev;
	int rc = db_connect_async(db, &ev);

	*steps = 0;
	while (rc == TD_OK && ev != 0) {
		struct pollfd p = {.fd = db_socket(db), .events = ev};
		long long left = db_wake_ms(db) - clock_now_ms();

		ck_assert_int_ge(p.fd, 0);
		(void)poll(&p, 1, left > 0 ? (int)left : 0);
		rc = db_connect_async(db, &ev);
		(*steps)++;
	}
	return rc;
}

START_TEST(a_server_that_never_answers_is_given_up_at_the_time_limit)
{
	char conninfo[256];
	int port, steps, rc;
	int srv = stand_in(true, &port);
	struct db *db = handle(&settings, port, conninfo, sizeof(conninfo));
	long long start = clock_now_ms(), limit;
	short ev;

	/* Started, not finished: the startup packet waits for its answer. */
	ck_assert_int_eq(db_connect_async(db, &ev), TD_OK);
	ck_assert(ev == POLLOUT || ev == POLLIN);
	ck_assert(!db_is_open(db));
	limit = db_wake_ms(db);
	ck_assert_int_ge(limit, start + settings.connect_timeout_s * 1000LL);

	rc = drive(db, &steps);
	ck_assert_int_eq(rc, TD_ERR_UNAVAILABLE);
	ck_assert_int_ge(steps, 1); /* it waited in poll(), not in libpq */
	ck_assert(!db_is_open(db));
	ck_assert_int_eq(db_socket(db), -1);
	/* Not before its time: the server said nothing wrong. */
	ck_assert_int_ge(clock_now_ms(), limit);
	/* Down now: the next attempt waits for the backoff. */
	ck_assert_int_gt(db_wake_ms(db), limit);
	db_free(db);
	close(srv);
}
END_TEST

START_TEST(a_refused_connection_fails_without_waiting_for_the_limit)
{
	/* A limit far away, beyond the case's own 20 s: failing at all is
	 * the refusal's doing, not the limit's. */
	struct db_settings slow = settings;
	char conninfo[256];
	int port, steps;
	int srv = stand_in(false, &port);
	long long start = clock_now_ms();
	struct db *db;

	slow.connect_timeout_s = 60;
	db = handle(&slow, port, conninfo, sizeof(conninfo));
	ck_assert_int_eq(drive(db, &steps), TD_ERR_UNAVAILABLE);
	ck_assert_int_lt(clock_now_ms(), start + 60000);
	ck_assert(!db_is_open(db));
	ck_assert_int_eq(db_socket(db), -1);
	db_free(db);
	close(srv);
}
END_TEST

static void
read_full(int fd, void *buf, size_t n)
{
	for (size_t got = 0; got < n;) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		if (r <= 0) {
			_exit(2);
		}
		got += (size_t)r;
	}
}

/*
 * A child that lets one client in (it reads the startup packet and
 * answers AuthenticationOk, then ReadyForQuery), then says nothing until
 * the parent writes to `go`, and closes the connection.
 */
static pid_t
let_one_in(int listen_fd, int go)
{
	static const unsigned char hello[] = {
	    'R', 0, 0, 0, 8, 0, 0, 0, 0, /* AuthenticationOk */
	    'Z', 0, 0, 0, 5, 'I',        /* ReadyForQuery, idle */
	};
	pid_t pid = fork();

	if (pid == 0) {
		unsigned char len[4], rest[1024];
		size_t n;
		int c = accept(listen_fd, NULL, NULL);
		char b;

		if (c < 0) {
			_exit(2);
		}
		read_full(c, len, sizeof(len));
		n = ((size_t)len[0] << 24 | (size_t)len[1] << 16 |
		        (size_t)len[2] << 8 | len[3]) -
		    4;
		if (n > sizeof(rest)) {
			_exit(2);
		}
		read_full(c, rest, n);
		if (write(c, hello, sizeof(hello)) != (ssize_t)sizeof(hello) ||
		    read(go, &b, 1) != 1) {
			_exit(2);
		}
		close(c);
		_exit(0);
	}
	ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
	return pid;
}

START_TEST(an_open_connection_is_kept_until_the_server_closes_it)
{
	char conninfo[256];
	int port, steps, go[2], status;
	int srv = stand_in(true, &port);
	struct db *db = handle(&settings, port, conninfo, sizeof(conninfo));
	struct pollfd p;
	pid_t pid;

	ck_assert_int_eq(pipe(go), 0);
	pid = let_one_in(srv, go[0]);
	ck_assert_int_eq(drive(db, &steps), TD_OK);
	ck_assert(db_is_open(db));
	ck_assert_int_eq(db_wake_ms(db), 0);

	/* Nothing to read: still open. */
	db_read_idle(db);
	ck_assert(db_is_open(db));

	/* The server goes: its socket turns readable, and the read drops it. */
	ck_assert_int_eq(write(go[1], "x", 1), 1);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	p = (struct pollfd){.fd = db_socket(db), .events = POLLIN};
	ck_assert_int_eq(poll(&p, 1, 10000), 1);
	db_read_idle(db);
	ck_assert(!db_is_open(db));
	ck_assert_int_eq(db_socket(db), -1);
	/* Down, and not from a failed attempt: the next may start at once. */
	ck_assert_int_ne(db_wake_ms(db), 0);
	ck_assert_int_le(db_wake_ms(db), clock_now_ms());
	db_free(db);
	close(go[0]);
	close(go[1]);
	close(srv);
}
END_TEST

/* An int socket option of the attempt under way on db's socket. */
static int
sockopt(struct db *db, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);

	ck_assert_int_eq(getsockopt(db_socket(db), level, name, &v, &len), 0);
	return v;
}

/* Starts an attempt against a server that takes the connection in its
 * backlog and never answers: the socket is there, with its options. */
static struct db *
attempt(const char *extra, int *srv, char *conninfo, size_t size)
{
	struct db *db;
	int port, n;
	short ev;

	*srv = stand_in(true, &port);
	n = snprintf(conninfo, size,
	    "host=127.0.0.1 port=%d dbname=ticketd user=ticketd "
	    "password=unused sslmode=disable gssencmode=disable %s",
	    port, extra);
	ck_assert(n > 0 && (size_t)n < size);
	db = db_new(&settings, conninfo, "check_db_connect", NULL, 0);
	ck_assert_int_eq(db_connect_async(db, &ev), TD_OK);
	ck_assert_int_ne(ev, 0);
	ck_assert_int_ge(db_socket(db), 0);
	return db;
}

START_TEST(a_vanished_server_is_noticed_by_the_socket)
{
	char conninfo[256];
	int srv;
	struct db *db = attempt("", &srv, conninfo, sizeof(conninfo));

	ck_assert_int_eq(sockopt(db, SOL_SOCKET, SO_KEEPALIVE), 1);
	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_KEEPIDLE), 10);
	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_KEEPINTVL), 3);
	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_KEEPCNT), 3);
	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_USER_TIMEOUT), 10000);
	db_free(db);
	close(srv);
}
END_TEST

START_TEST(the_url_s_own_keepalives_win)
{
	char conninfo[256];
	int srv;
	struct db *db = attempt("keepalives_idle=30 tcp_user_timeout=2500",
	    &srv, conninfo, sizeof(conninfo));

	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_KEEPIDLE), 30);
	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_USER_TIMEOUT), 2500);
	ck_assert_int_eq(sockopt(db, IPPROTO_TCP, TCP_KEEPINTVL), 3);
	db_free(db);
	close(srv);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("db_connect");
	TCase *tc = tcase_create("async");

	tcase_set_timeout(tc, 20);
	tcase_add_test(
	    tc, a_server_that_never_answers_is_given_up_at_the_time_limit);
	tcase_add_test(
	    tc, a_refused_connection_fails_without_waiting_for_the_limit);
	tcase_add_test(
	    tc, an_open_connection_is_kept_until_the_server_closes_it);
	suite_add_tcase(s, tc);
	tc = tcase_create("tcp");
	tcase_add_test(tc, a_vanished_server_is_noticed_by_the_socket);
	tcase_add_test(tc, the_url_s_own_keepalives_win);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
