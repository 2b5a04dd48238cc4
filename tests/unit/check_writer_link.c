/*
 * check_writer_link.c - a booking worker's line to the booking writer:
 * what the writer accepts as a request, which bookings may share a
 * statement, and the worker's side of an exchange with a stand-in writer
 * (a child process on the line's abstract socket): the answer to its own
 * request; "no answer" when the writer had it and said nothing it can be
 * sure of; "never delivered" (TD_ERR_UNAVAILABLE) when nothing was sent.
 */
#include <check.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/errors.h"
#include "store/book_batch.h"
#include "store/writer_link.h"
#include "unit_main.h"

static void
item_init(struct book_batch_item *it, const char *user, const char *key)
{
	memset(it, 0, sizeof(*it));
	strcpy(it->key, key);
	strcpy(it->booking_id, "bk_0123456789abcdef0123456789abcdef");
	strcpy(it->concert_id, "concert_a");
	strcpy(it->user_id, user);
	strcpy(it->fingerprint, "{}");
	strcpy(it->method, "card");
	strcpy(it->tier_id, "concert_a_ga");
	strcpy(it->payment_ref, "auth_1");
	strcpy(it->request_id, "-");
	it->total_cents = 2000;
	it->quantity = 2;
	it->buckets = 20;
}

#define NONCE 0x0123456789abcdefULL
#define KEY1 "00000000-0000-4000-8000-000000000001"
#define KEY2 "00000000-0000-4000-8000-000000000002"

START_TEST(a_whole_request_is_valid)
{
	struct writer_request rq = {.seq = 1};

	item_init(&rq.item, "u_1", KEY1);
	ck_assert(writer_request_valid(&rq));
}
END_TEST

START_TEST(a_string_without_its_end_is_not)
{
	struct writer_request rq = {.seq = 1};

	item_init(&rq.item, "u_1", KEY1);
	memset(rq.item.user_id, 'u', sizeof(rq.item.user_id));
	ck_assert(!writer_request_valid(&rq));
	item_init(&rq.item, "u_1", KEY1);
	memset(rq.item.fingerprint, '{', sizeof(rq.item.fingerprint));
	ck_assert(!writer_request_valid(&rq));
	item_init(&rq.item, "u_1", KEY1);
	memset(rq.item.request_id, 'r', sizeof(rq.item.request_id));
	ck_assert(!writer_request_valid(&rq));
}
END_TEST

START_TEST(numbers_outside_a_booking_are_not)
{
	struct writer_request rq = {.seq = 1};

	item_init(&rq.item, "u_1", KEY1);
	rq.item.quantity = 0;
	ck_assert(!writer_request_valid(&rq));
	rq.item.quantity = BOOKING_MAX_QUANTITY + 1;
	ck_assert(!writer_request_valid(&rq));
	item_init(&rq.item, "u_1", KEY1);
	rq.item.buckets = 0;
	ck_assert(!writer_request_valid(&rq));
	item_init(&rq.item, "u_1", KEY1);
	rq.item.total_cents = -1;
	ck_assert(!writer_request_valid(&rq));
}
END_TEST

START_TEST(one_statement_takes_one_tier_one_fan_one_key_each)
{
	struct book_batch_item a, b;

	item_init(&a, "u_1", KEY1);
	item_init(&b, "u_2", KEY2);
	ck_assert(book_batch_same_tier(&a, &b));
	ck_assert(!book_batch_conflict(&a, &b));
	strcpy(b.user_id, "u_1");
	ck_assert(book_batch_conflict(&a, &b));
	item_init(&b, "u_2", KEY1);
	ck_assert(book_batch_conflict(&a, &b));
	item_init(&b, "u_2", KEY2);
	strcpy(b.tier_id, "concert_a_vip");
	ck_assert(!book_batch_same_tier(&a, &b));
	item_init(&b, "u_2", KEY2);
	strcpy(b.concert_id, "concert_b");
	ck_assert(!book_batch_same_tier(&a, &b));
}
END_TEST

/* How the stand-in writer answers each request it reads. */
enum stand_in { ANSWER, WRONG_SEQ, SILENT };

/*
 * Listens where the writer of a master with this process's pid would, and
 * forks a child that serves `requests` requests, one connection each.
 */
static pid_t
stand_in_writer(enum stand_in how, int requests)
{
	struct sockaddr_un sa;
	socklen_t len = writer_link_address(getpid(), NONCE, &sa);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
	pid_t pid;

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, len), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	pid = fork();
	if (pid != 0) {
		ck_assert_int_gt(pid, 0); /* the parent: see unit_main.h */
		close(fd);
		return pid;
	}
	for (int i = 0; i < requests; i++) {
		struct writer_request rq;
		struct writer_reply rep;
		int c = accept(fd, NULL, NULL);

		if (c < 0 || recv(c, &rq, sizeof(rq), 0) != sizeof(rq) ||
		    !writer_request_valid(&rq)) {
			_exit(1);
		}
		if (how == SILENT) {
			pause();
		}
		memset(&rep, 0, sizeof(rep));
		rep.seq = how == WRONG_SEQ ? rq.seq + 1 : rq.seq;
		rep.result.outcome = BOOK_BATCH_CONFIRMED;
		strcpy(rep.result.created_at, "2026-12-02T10:00:00Z");
		send(c, &rep, sizeof(rep), 0);
		/* Wait for the worker to hang up before the next. */
		(void)recv(c, &rq, sizeof(rq), 0);
		close(c);
	}
	_exit(0);
}

static void
stop(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/* One booking over a new line to this process's writer: what the line
 * returns, with the answer in *res. */
static int
book_once(int timeout_ms, struct book_batch_result *res)
{
	struct writer_link *l = writer_link_new(getpid(), NONCE, timeout_ms);
	struct book_batch_item it;
	int err;

	item_init(&it, "u_1", KEY1);
	err = writer_link_book(l, &it, res);
	writer_link_free(l);
	return err;
}

START_TEST(the_answer_to_its_own_request)
{
	pid_t writer = stand_in_writer(ANSWER, 1);
	struct book_batch_result res;

	ck_assert_int_eq(book_once(5000, &res), 0);
	ck_assert_int_eq(res.outcome, BOOK_BATCH_CONFIRMED);
	ck_assert_str_eq(res.created_at, "2026-12-02T10:00:00Z");
	stop(writer);
}
END_TEST

START_TEST(an_answer_to_another_request_is_no_answer_and_the_line_reopens)
{
	pid_t writer = stand_in_writer(WRONG_SEQ, 2);
	struct writer_link *l = writer_link_new(getpid(), NONCE, 5000);
	struct book_batch_item it;
	struct book_batch_result res;

	item_init(&it, "u_1", KEY1);
	ck_assert_int_eq(writer_link_book(l, &it, &res), 0);
	ck_assert_int_eq(res.outcome, BOOK_BATCH_NO_ANSWER);
	/* Closed, so the late answer is never read: a new connection. */
	ck_assert_int_eq(writer_link_book(l, &it, &res), 0);
	ck_assert_int_eq(res.outcome, BOOK_BATCH_NO_ANSWER);
	writer_link_free(l);
	stop(writer);
}
END_TEST

/*
 * The writer died and the master started another: the line a worker kept
 * is refused (nothing reached anyone), so it opens a new one, and the
 * booking is batched rather than written on its own.
 */
START_TEST(a_line_to_a_dead_writer_opens_to_the_next)
{
	struct writer_link *l = writer_link_new(getpid(), NONCE, 5000);
	pid_t writer = stand_in_writer(ANSWER, 1);
	struct book_batch_item it;
	struct book_batch_result res;

	item_init(&it, "u_1", KEY1);
	ck_assert_int_eq(writer_link_book(l, &it, &res), 0);
	ck_assert_int_eq(res.outcome, BOOK_BATCH_CONFIRMED);
	stop(writer);
	writer = stand_in_writer(ANSWER, 1);
	memset(&res, 0, sizeof(res));
	ck_assert_int_eq(writer_link_book(l, &it, &res), 0);
	ck_assert_int_eq(res.outcome, BOOK_BATCH_CONFIRMED);
	writer_link_free(l);
	stop(writer);
}
END_TEST

START_TEST(no_writer_is_never_delivered)
{
	struct book_batch_result res;

	ck_assert_int_eq(book_once(5000, &res), TD_ERR_UNAVAILABLE);
}
END_TEST

START_TEST(no_answer_in_time_is_no_answer)
{
	pid_t writer = stand_in_writer(SILENT, 1);
	struct book_batch_result res;

	ck_assert_int_eq(book_once(100, &res), 0);
	ck_assert_int_eq(res.outcome, BOOK_BATCH_NO_ANSWER);
	stop(writer);
}
END_TEST

/* Another user holds the writer's name: nothing is sent to it. */
START_TEST(a_socket_of_another_user_is_never_delivered)
{
	struct book_batch_result res;
	int ready[2];
	pid_t squatter;
	char c;

	if (geteuid() != 0) {
		return; /* only root can be another user here */
	}
	ck_assert_int_eq(pipe(ready), 0);
	squatter = fork();
	if (squatter == 0) {
		struct sockaddr_un sa;
		socklen_t len = writer_link_address(getppid(), NONCE, &sa);
		int fd;

		if (setuid(65534) != 0 ||
		    (fd = socket(AF_UNIX, SOCK_SEQPACKET, 0)) < 0 ||
		    bind(fd, (struct sockaddr *)&sa, len) != 0 ||
		    listen(fd, 4) != 0 || write(ready[1], "r", 1) != 1) {
			_exit(1);
		}
		pause();
		_exit(0);
	}
	ck_assert_int_gt(squatter, 0); /* the parent: see unit_main.h */
	ck_assert_int_eq(read(ready[0], &c, 1), 1);
	ck_assert_int_eq(book_once(5000, &res), TD_ERR_UNAVAILABLE);
	stop(squatter);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("writer_link");
	TCase *req = tcase_create("requests");
	TCase *line = tcase_create("line");

	tcase_add_test(req, a_whole_request_is_valid);
	tcase_add_test(req, a_string_without_its_end_is_not);
	tcase_add_test(req, numbers_outside_a_booking_are_not);
	tcase_add_test(req, one_statement_takes_one_tier_one_fan_one_key_each);
	suite_add_tcase(s, req);
	tcase_add_test(line, the_answer_to_its_own_request);
	tcase_add_test(line,
	    an_answer_to_another_request_is_no_answer_and_the_line_reopens);
	tcase_add_test(line, a_line_to_a_dead_writer_opens_to_the_next);
	tcase_add_test(line, no_writer_is_never_delivered);
	tcase_add_test(line, no_answer_in_time_is_no_answer);
	tcase_add_test(line, a_socket_of_another_user_is_never_delivered);
	suite_add_tcase(s, line);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
