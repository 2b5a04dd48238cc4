/*
 * replies.h - what the API answers for a project error, and for each
 * outcome of the booking flow: the one place where outcomes become a
 * status, an error code and a body.
 */
#ifndef TICKETD_REPLIES_H
#define TICKETD_REPLIES_H

#include "domain/booking.h"
#include "http/response.h"

/*
 * Answers a td_error without internals: 503 with Retry-After for an
 * unavailable or busy database, 409 CONFLICT, 400 INVALID_REQUEST for
 * data that does not fit, 413, 405, 404 NOT_FOUND, else 500.
 */
void reply_error(struct response *res, int err);

/*
 * Answers a cancellation that was refused: 409 BOOKING_NOT_CANCELLABLE
 * (details.status), CANCELLATION_CLOSED (a fan's, once the doors opened)
 * or TICKETS_ADMITTED (a ticket was admitted at the door).
 */
void reply_cancel_refusal(struct response *res, const struct cancel_result *cr);

/* Answers the outcome of a booking attempt, and counts it. */
void reply_booking_result(struct response *res, const struct booking_result *r);

/* The status and error code an outcome is answered with (code NULL on
 * success); for the tests of the table. */
int reply_booking_status(enum booking_outcome outcome, const char **code);

#endif
