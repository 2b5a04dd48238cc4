/*
 * booking_json.h - a booking and a shortage as the API shows them.
 */
#ifndef TICKETD_BOOKING_JSON_H
#define TICKETD_BOOKING_JSON_H

#include <json-c/json.h>

#include "domain/booking.h"

/* {id,concertId,userId,status,totalAmount,items,createdAt,updatedAt} */
json_object *booking_json(const struct booking *b);

/* {tierId,tierName,requested,available} of an INSUFFICIENT_INVENTORY. */
json_object *booking_json_shortage(const struct shortage *s);

#endif
