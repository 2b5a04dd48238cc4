/*
 * statements.h - every SQL statement ticketd runs, prepared per
 * connection.  The stores read their columns by name.
 */
#ifndef TICKETD_STATEMENTS_H
#define TICKETD_STATEMENTS_H

#include "store/db.h"

enum statement_id {
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

extern const struct db_query statements[Q_COUNT];

#endif
