/*
 * book_batch.h - several paid bookings of one tier in one statement
 * (Q_BOOK_BATCH, 019_batch_booking.sql), as the booking writer sends them
 * for the workers whose bookings queued behind each other (daemon/writer.h).
 */
#ifndef TICKETD_BOOK_BATCH_H
#define TICKETD_BOOK_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/booking.h"
#include "domain/ids.h"
#include "domain/payment.h"
#include "domain/timestamp.h"
#include "store/db.h"

/* Bookings in one statement at most; a tier lends one bucket to each. */
#define BOOK_BATCH_MAX 16
#define BOOK_BATCH_REQUEST_ID_MAX 64

/* One paid booking of one tier, whole: what book_one_line() binds. */
struct book_batch_item {
	char key[IDS_UUID_LEN + 1];
	char booking_id[IDS_BOOKING_ID_LEN + 1];
	char concert_id[IDS_SLUG_MAX + 1];
	char user_id[BOOKING_USER_MAX + 1];
	char fingerprint[BOOKING_FINGERPRINT_MAX];
	char method[BOOKING_METHOD_MAX + 1];
	char tier_id[IDS_SLUG_MAX + 1];
	char payment_ref[PAYMENT_REF_MAX + 1];
	char request_id[BOOK_BATCH_REQUEST_ID_MAX + 1];
	int64_t total_cents;
	int quantity;
	int buckets; /* the tier's */
};

enum book_batch_outcome {
	BOOK_BATCH_CONFIRMED, /* written, with created_at */
	BOOK_BATCH_DUPLICATE, /* the key was used first: nothing written */
	/* Not written by the batch: the booking goes on its own. */
	BOOK_BATCH_ON_ITS_OWN,
	/* The statement may have committed, its answer is lost (the
	 * connection, or a synchronous standby that never confirmed): as a
	 * booking's own statement would, the request is answered 503 and its
	 * retry finds out by its key. */
	BOOK_BATCH_UNKNOWN,
	/* The writer had the request and did not answer in time (killed,
	 * hung): it may yet write it.  Set by the worker's line, never sent. */
	BOOK_BATCH_NO_ANSWER
};

struct book_batch_result {
	enum book_batch_outcome outcome;
	char created_at[TIMESTAMP_LEN + 1];
};

/*
 * Whether two items may share a statement: the same tier of the same
 * concert, another fan (a quota row is updated once per statement) and
 * another key.
 */
bool book_batch_same_tier(
    const struct book_batch_item *a, const struct book_batch_item *b);
bool book_batch_conflict(
    const struct book_batch_item *a, const struct book_batch_item *b);

/*
 * Writes the n items (1..BOOK_BATCH_MAX, one tier, no two in conflict) in
 * one statement on db.  Returns 0 with a result per item;
 * TD_ERR_UNAVAILABLE when the statement may have committed but its
 * answer is lost (the connection, a standby that never confirmed, or its
 * rows unreadable); or another td_error (TD_ERR_FALLBACK: the batch could
 * not confirm them all) with nothing written: each item then goes on its
 * own.
 */
int book_batch_run(struct db *db, const struct book_batch_item *const *items,
    int n, struct book_batch_result *out);

#endif
