/*
 * api_admin_bookings.h - /api/admin/bookings: search, one booking with its
 * audit trail, and cancelling for a fan.
 */
#ifndef TICKETD_API_ADMIN_BOOKINGS_H
#define TICKETD_API_ADMIN_BOOKINGS_H

#include "http/context.h"

handler_fn api_admin_bookings_search;
handler_fn api_admin_bookings_get;
handler_fn api_admin_bookings_cancel;

#endif
