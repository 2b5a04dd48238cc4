/*
 * queries.h - every SQL statement ticketd runs, prepared per connection.
 */
#ifndef TICKETD_QUERIES_H
#define TICKETD_QUERIES_H

#include "store/db.h"

enum query_id {
	Q_PING,
	Q_CONCERTS,
	Q_CONCERT,
	Q_AVAILABILITY,
	Q_BOOKING_BY_ID,
	Q_BOOKING_BY_KEY,
	Q_BOOK,
	Q_CANCEL,
	Q_COUNT
};

extern const struct db_query queries[Q_COUNT];

/* Columns of Q_AVAILABILITY. */
enum { AV_ID, AV_NAME, AV_PRICE, AV_TOTAL, AV_AVAILABLE, AV_BUCKETS };

/* Columns of Q_BOOKING_BY_ID and Q_BOOKING_BY_KEY: one row per item. */
enum {
	BK_ID,
	BK_CONCERT,
	BK_USER,
	BK_STATUS,
	BK_TOTAL,
	BK_REQUEST,
	BK_REJECT,
	BK_CREATED,
	BK_UPDATED,
	BK_ITEM_TIER,
	BK_ITEM_NAME,
	BK_ITEM_QTY,
	BK_ITEM_PRICE
};

/* Columns of Q_BOOK. */
enum {
	BOOK_OUTCOME,
	BOOK_ID,
	BOOK_CREATED,
	BOOK_TIER,
	BOOK_REQUESTED,
	BOOK_AVAILABLE
};

#endif
