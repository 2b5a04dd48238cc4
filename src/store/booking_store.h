/*
 * booking_store.h - the booking flow's store (domain/booking.h) over
 * PostgreSQL: the booking transaction book(), cancel_booking(), and a
 * booking read back by id or by idempotency key.
 */
#ifndef TICKETD_BOOKING_STORE_H
#define TICKETD_BOOKING_STORE_H

#include "domain/booking.h"
#include "store/store.h"

/* Fills port with the functions that run against s (which must outlive it). */
void booking_store_bind(struct store *s, struct booking_store *port);

#endif
