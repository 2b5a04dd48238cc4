/*
 * api_admin_concerts.h - /api/admin/concerts: the box office's concerts,
 * their sales dashboard and their bookings as CSV.
 */
#ifndef TICKETD_API_ADMIN_CONCERTS_H
#define TICKETD_API_ADMIN_CONCERTS_H

#include "http/context.h"

handler_fn api_admin_concerts_list;
handler_fn api_admin_concerts_get;
handler_fn api_admin_concerts_create;
handler_fn api_admin_concerts_update;
handler_fn api_admin_concerts_sales;
handler_fn api_admin_concerts_csv;

#endif
