/*
 * api_bookings.h - POST /api/bookings, GET /api/bookings/:id and
 * POST /api/bookings/:id/cancel: parse, run the domain's flow, answer
 * its outcome (http/replies.c).
 */
#ifndef TICKETD_API_BOOKINGS_H
#define TICKETD_API_BOOKINGS_H

#include "http/context.h"

handler_fn api_bookings_create;
handler_fn api_bookings_get;
handler_fn api_bookings_cancel;

#endif
