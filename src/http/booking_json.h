/*
 * booking_json.h - a booking as the API shows it.
 */
#ifndef TICKETD_BOOKING_JSON_H
#define TICKETD_BOOKING_JSON_H

#include <libpq-fe.h>
#include <json-c/json.h>

#include "http/booking_request.h"
#include "http/concerts.h"

/* From the rows of Q_BOOKING_BY_ID / Q_BOOKING_BY_KEY (at least one). */
json_object *booking_json_from_rows(const PGresult *r);

/* A booking just confirmed, from its request and the tiers it was priced with.
 */
json_object *booking_json_confirmed(const struct booking_request *br,
    const char *booking_id, const char *created_at, const struct tier *tiers,
    int ntiers);

/* {"tierId","tierName","requested","available"} of an INSUFFICIENT_INVENTORY
 * answer. */
json_object *booking_json_shortage(
    const struct tier *tier, int requested, int available);

#endif
