/*
 * writer_link.h - a booking worker's line to its node's booking writer
 * (daemon/writer.h): a paid booking of one tier goes over it, its outcome
 * comes back, so that the bookings queued behind each other are written by
 * one statement (store/book_batch.h).
 *
 * The writer listens on an abstract Unix socket named after the master's
 * pid (a reload's new master has its own writer); each message is one
 * datagram of a fixed size (SOCK_SEQPACKET), between processes of the one
 * binary, so the structs below are the wire format.
 */
#ifndef TICKETD_WRITER_LINK_H
#define TICKETD_WRITER_LINK_H

#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include "store/book_batch.h"

struct writer_request {
	uint32_t seq; /* echoed by the reply */
	/* CLOCK_MONOTONIC (base/clock.h), one clock for the whole machine:
	 * after this the worker no longer waits, and the writer does not
	 * start the request. */
	long long deadline_ms;
	struct book_batch_item item;
};

struct writer_reply {
	uint32_t seq;
	struct book_batch_result result;
};

/*
 * The writer's address under the master whose pid and nonce are given:
 * an abstract name, listed in /proc/net/unix for every local user to see
 * but unknown to anyone before the master binds it (the nonce is random),
 * and each side checks the other's uid (writer_peer_is_us()).
 */
socklen_t writer_link_address(
    pid_t master, uint64_t nonce, struct sockaddr_un *sa);

/* Whether the process at the other end of fd runs as our uid. */
bool writer_peer_is_us(int fd);

/*
 * Whether a request that arrived is whole: every string ends inside its
 * field, the numbers are a booking's.
 */
bool writer_request_valid(const struct writer_request *rq);

struct writer_link;

/* A line to the writer of that master, connected on first use; an answer
 * is awaited for timeout_ms at most.  NULL when out of memory. */
struct writer_link *writer_link_new(
    pid_t master, uint64_t nonce, int timeout_ms);

/*
 * Sends the item and waits for its outcome.  Returns 0 with *out: the
 * writer's answer, or BOOK_BATCH_NO_ANSWER when it had the item and did
 * not answer in time (it may write it yet; the line is closed, so that a
 * late answer is never read as another item's).  Returns
 * TD_ERR_UNAVAILABLE when the item never reached the writer (no writer,
 * a full backlog, a peer of another user): nothing for it to write.
 */
int writer_link_book(struct writer_link *l, const struct book_batch_item *item,
    struct book_batch_result *out);

void writer_link_free(struct writer_link *l);

#endif
