/*
 * api_me.h - GET /api/me and GET /api/me/bookings: the signed-in fan and
 * their bookings; GET /api/config: what the front end may offer.
 */
#ifndef TICKETD_API_ME_H
#define TICKETD_API_ME_H

#include "http/context.h"

/* Bookings in one page of GET /api/me/bookings. */
#define ME_BOOKINGS_PAGE 20

handler_fn api_me;
handler_fn api_me_bookings;
handler_fn api_config;

#endif
