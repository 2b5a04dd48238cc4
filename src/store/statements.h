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
	Q_BOOKING_TIERS,
	Q_BOOKING_BY_ID,
	Q_BOOKING_BY_KEY,
	Q_BOOKINGS_OF_USER,
	Q_BOOK,
	Q_CANCEL,
	Q_USER_CREATE,
	Q_LOGIN_LOOKUP,
	Q_LOGIN_FAILED,
	Q_SESSION_START,
	Q_SESSION_FIND,
	Q_SESSION_TOUCH,
	Q_SESSION_REVOKE,
	Q_RESOLVE_TIMES,
	Q_ADMIN_CONCERTS,
	Q_ADMIN_CONCERT,
	Q_CREATE_CONCERT,
	Q_UPDATE_CONCERT,
	Q_SALES,
	Q_ADMIN_BOOKINGS,
	Q_ADMIN_BOOKING,
	Q_BOOKING_EVENTS,
	Q_BOOKINGS_CSV,
	Q_CONCERT_GAUGES,
	Q_COUNT
};

extern const struct db_query statements[Q_COUNT];

#endif
