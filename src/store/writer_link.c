/*
 * writer_link.c - a booking worker's line to the booking writer.
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/errors.h"
#include "base/log.h"
#include "store/writer_link.h"

struct writer_link {
	pid_t master;
	uint64_t nonce;
	int timeout_ms;
	int fd; /* -1 while closed */
	uint32_t seq;
};

socklen_t
writer_link_address(pid_t master, uint64_t nonce, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* Abstract: sun_path starts with a NUL, and the name is not a file. */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
	    "ticketd-writer-%ld-%016llx", (long)master,
	    (unsigned long long)nonce);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
}

bool
writer_peer_is_us(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 &&
	       cred.uid == geteuid();
}

static bool
ends_inside(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

#define ENDS(f) ends_inside(it->f, sizeof(it->f))

bool
writer_request_valid(const struct writer_request *rq)
{
	const struct book_batch_item *it = &rq->item;

	return ENDS(key) && ENDS(booking_id) && ENDS(concert_id) &&
	       ENDS(user_id) && ENDS(fingerprint) && ENDS(method) &&
	       ENDS(tier_id) && ENDS(payment_ref) && ENDS(request_id) &&
	       it->quantity >= 1 && it->quantity <= BOOKING_MAX_QUANTITY &&
	       it->buckets >= 1 && it->total_cents >= 0;
}

struct writer_link *
writer_link_new(pid_t master, uint64_t nonce, int timeout_ms)
{
	struct writer_link *l = calloc(1, sizeof(*l));

	if (l != NULL) {
		l->master = master;
		l->nonce = nonce;
		l->timeout_ms = timeout_ms;
		l->fd = -1;
	}
	return l;
}

static void
link_close(struct writer_link *l)
{
	if (l->fd >= 0) {
		close(l->fd);
		l->fd = -1;
	}
}

/*
 * Non-blocking: a full backlog (a writer that hangs, or is being
 * respawned) fails the connect at once instead of holding the worker.
 */
static int
link_open(struct writer_link *l)
{
	struct sockaddr_un sa;
	socklen_t len = writer_link_address(l->master, l->nonce, &sa);

	if (l->fd >= 0) {
		return 0;
	}
	l->fd =
	    socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		return TD_ERR_UNAVAILABLE;
	}
	if (connect(l->fd, (struct sockaddr *)&sa, len) != 0) {
		log_debug("booking writer: connect: %s", strerror(errno));
		link_close(l);
		return TD_ERR_UNAVAILABLE;
	}
	if (!writer_peer_is_us(l->fd)) {
		log_warn("booking writer: its socket is held by another user");
		link_close(l);
		return TD_ERR_UNAVAILABLE;
	}
	return 0;
}

/* The reply to seq, waiting until deadline_ms.  0 or -1. */
static int
await_reply(struct writer_link *l, uint32_t seq, long long deadline_ms,
    struct writer_reply *rep)
{
	for (;;) {
		struct pollfd p = {.fd = l->fd, .events = POLLIN};
		long long left = deadline_ms - clock_now_ms();
		ssize_t n;

		/* At the deadline, one last look: an answer may be queued. */
		if (poll(&p, 1, left > 0 ? (int)left : 0) < 0) {
			if (errno == EINTR) {
				continue;
			}
			return -1;
		}
		if (p.revents == 0) {
			if (left <= 0) {
				log_warn("booking writer: no answer in %d ms",
				    l->timeout_ms);
				return -1;
			}
			continue;
		}
		n = recv(l->fd, rep, sizeof(*rep), MSG_TRUNC);
		if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
			continue;
		}
		if (n != (ssize_t)sizeof(*rep) || rep->seq != seq ||
		    rep->result.outcome > BOOK_BATCH_UNKNOWN) {
			/* Gone (0), or not our answer: never guess. */
			if (n != 0) {
				log_warn("booking writer: a reply of %zd "
				         "bytes, seq %u for %u",
				    n, n > 0 ? rep->seq : 0, seq);
			}
			return -1;
		}
		return 0;
	}
}

/* Sends rq whole; on failure closes the line.  0 or -1. */
static int
send_request(struct writer_link *l, const struct writer_request *rq)
{
	ssize_t n;

	do {
		n = send(l->fd, rq, sizeof(*rq), MSG_NOSIGNAL);
	} while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*rq)) {
		link_close(l);
		return -1;
	}
	return 0;
}

int
writer_link_book(struct writer_link *l, const struct book_batch_item *item,
    struct book_batch_result *out)
{
	struct writer_request rq;
	struct writer_reply rep;
	bool fresh = l->fd < 0;

	if (link_open(l) != 0) {
		return TD_ERR_UNAVAILABLE;
	}
	memset(&rq, 0, sizeof(rq));
	rq.seq = ++l->seq;
	rq.deadline_ms = clock_now_ms() + l->timeout_ms;
	rq.item = *item;
	/*
	 * A datagram is sent whole or not at all: one refused never reached
	 * a writer.  A line kept from a writer that has since died (and been
	 * respawned) is refused so; it is opened again, once.
	 */
	if (send_request(l, &rq) != 0 &&
	    (fresh || link_open(l) != 0 || send_request(l, &rq) != 0)) {
		return TD_ERR_UNAVAILABLE;
	}
	memset(out, 0, sizeof(*out));
	if (await_reply(l, rq.seq, rq.deadline_ms, &rep) != 0) {
		link_close(l);
		out->outcome = BOOK_BATCH_NO_ANSWER;
		return 0;
	}
	*out = rep.result;
	out->created_at[sizeof(out->created_at) - 1] = '\0';
	return 0;
}

void
writer_link_free(struct writer_link *l)
{
	if (l != NULL) {
		link_close(l);
		free(l);
	}
}
