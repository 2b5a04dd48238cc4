/*
 * bookings.h - POST /api/bookings, GET /api/bookings/:id and
 * POST /api/bookings/:id/cancel.
 *
 * The booking path (DESIGN.md): validate completely; replay a key that
 * is already known; check availability without locks (a sold-out tier is
 * a 409 before any payment or write); authorize the payment with no lock
 * held; then one short transaction, book(), that claims the key, takes
 * the tickets with guarded decrements and records the outcome.
 */
#ifndef TICKETD_BOOKINGS_H
#define TICKETD_BOOKINGS_H

#include "http/app.h"

/* How often a booking transaction is run again after 40001 or 40P01. */
#define BOOKINGS_MAX_ATTEMPTS 3

/* How long a booking waits for a transaction slot before a 503. */
#define BOOKINGS_SLOT_WAIT_MS 2000

handler_fn bookings_create;
handler_fn bookings_get;
handler_fn bookings_cancel;

#endif
