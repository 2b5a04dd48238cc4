/*
 * writer.h - the node's booking writer: one process, one database
 * connection, that writes the paid one-tier bookings the booking workers
 * hand it (store/writer_link.h), those of a tier that arrived while its
 * last statement ran together in one statement (store/book_batch.h).
 *
 * A booking's transaction is most of what PostgreSQL spends on it, and
 * most of that is paid per statement, not per row (the executor's start,
 * the commit, the round trip): written in batches, the bookings of a rush
 * cost a fraction of the CPU each.  Nothing waits to fill a batch: the
 * writer runs whatever has arrived, and what arrives while it runs is the
 * next batch.
 */
#ifndef TICKETD_WRITER_H
#define TICKETD_WRITER_H

#include "daemon/settings.h"

/*
 * Serves the workers that connect to listen_fd (the master's abstract
 * socket, store/writer_link.h) until SIGTERM, finishing the batch in hand.
 * Never returns.
 */
void writer_run(const struct settings *cfg, int listen_fd)
    __attribute__((noreturn));

#endif
