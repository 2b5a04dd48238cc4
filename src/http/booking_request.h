/*
 * booking_request.h - the body of POST /api/bookings, parsed and checked
 * completely into the domain's struct booking_request before the
 * database is asked anything.
 */
#ifndef TICKETD_BOOKING_REQUEST_H
#define TICKETD_BOOKING_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "domain/booking.h"
#include "http/response.h"

/* The userId a body named, if any, for booking_request_bind. */
struct user_claim {
	bool present;
	bool too_long; /* longer than any fan's id */
	char id[BOOKING_USER_MAX + 1];
};

/*
 * Parses body (len bytes) strictly (http/json_body.h): exact types,
 * unknown fields ignored, a key given twice counts once, the last one
 * wins (json-c's rule).  Its fan is not known yet: a userId in the body
 * is kept in *claim.  Fills every field of br but user_id, fingerprint
 * and request_id.  On failure answers 400 INVALID_REQUEST naming the
 * field and returns a td_error.
 */
int booking_request_parse(const char *body, size_t len,
    struct booking_request *br, struct user_claim *claim, struct response *res);

/*
 * Makes br fan_id's booking: the userId the body named, if any, must be
 * fan_id (403 FORBIDDEN otherwise: a fan never books in another's name).
 * Fills user_id and the fingerprint; on failure answers and returns a
 * td_error.
 */
int booking_request_bind(struct booking_request *br,
    const struct user_claim *claim, const char *fan_id, struct response *res);

/*
 * The canonical text of a request (sorted tiers, cents, user, method):
 * the same key with a different canonical text is a reused key.  The
 * text is what is stored with each key: changing it breaks the replay of
 * keys already stored.  Returns a malloc'd string.
 */
char *booking_request_canonical(const struct booking_request *br);

#endif
