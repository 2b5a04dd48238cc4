/*
 * api_tickets.h - a booking's signed tickets, the public key that checks
 * them, and check-in at the door.
 */
#ifndef TICKETD_API_TICKETS_H
#define TICKETD_API_TICKETS_H

#include "http/context.h"

/* GET /api/bookings/:id/tickets: the owner's, staff's or an admin's. */
handler_fn api_tickets_of_booking;

/* GET /api/checkin/key: the public key, for door devices (anyone). */
handler_fn api_checkin_key;

/* POST /api/checkin {code, concertId, door}: staff and admins. */
handler_fn api_checkin;

#endif
