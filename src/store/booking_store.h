/*
 * booking_store.h - the booking flow's store (domain/booking.h) over
 * PostgreSQL: the booking transaction book(), cancel_booking(), and a
 * booking read back by id or by idempotency key.
 */
#ifndef TICKETD_BOOKING_STORE_H
#define TICKETD_BOOKING_STORE_H

#include "domain/booking.h"
#include "store/store.h"

/*
 * The bookings of user_id, newest first: at most max into out (*n of
 * them), those older than the booking after (a booking id; NULL for the
 * newest).  Keys that lost a race are left out.  Returns 0 or an error.
 */
int booking_store_of_user(struct store *s, const char *user_id,
    const char *after, struct booking *out, int max, int *n);

/*
 * One booking from rows first..end-1 of r, a row per item (the columns of
 * BOOKING_SELECT in statements.c).  Returns 0 or a td_error.
 */
int booking_store_read_rows(
    const PGresult *r, int first, int end, struct booking *b);

/* Fills port with the functions that run against s (which must outlive it). */
void booking_store_bind(struct store *s, struct booking_store *port);

#endif
