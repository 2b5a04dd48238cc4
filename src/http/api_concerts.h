/*
 * api_concerts.h - GET /api/concerts (page by page), /api/concerts/:id and
 * /api/concerts/:id/availability, read from the replica when there is one.
 */
#ifndef TICKETD_API_CONCERTS_H
#define TICKETD_API_CONCERTS_H

#include "domain/concert.h"
#include "http/context.h"

/* Concerts in one page of GET /api/concerts. */
#define CONCERTS_PAGE 20

/* A concert's public fields (the admin's view adds to them). */
json_object *concert_json(const struct concert *c);

handler_fn api_concerts_list;
handler_fn api_concerts_get;
handler_fn api_concerts_availability;

#endif
