/*
 * booking_request.h - the body of POST /api/bookings, parsed and checked
 * completely into the domain's struct booking_request before the
 * database is asked anything.
 */
#ifndef TICKETD_BOOKING_REQUEST_H
#define TICKETD_BOOKING_REQUEST_H

#include <stddef.h>

#include "domain/booking.h"
#include "http/response.h"

/*
 * Parses body (len bytes) strictly (http/json_body.h): exact types,
 * unknown fields ignored, a key given twice counts once, the last one
 * wins (json-c's rule).  The booking is fan_id's: a userId in the body
 * must name that fan (403 FORBIDDEN otherwise).  Fills every field of br
 * but request_id, the fingerprint included.  On failure answers 400
 * INVALID_REQUEST naming the field (or the 403) and returns a td_error.
 */
int booking_request_parse(const char *body, size_t len, const char *fan_id,
    struct booking_request *br, struct response *res);

/*
 * The canonical text of a request (sorted tiers, cents, user, method):
 * the same key with a different canonical text is a reused key.  The
 * text is what is stored with each key: changing it breaks the replay of
 * keys already stored.  Returns a malloc'd string.
 */
char *booking_request_canonical(const struct booking_request *br);

#endif
