/*
 * booking_request.h - the body of POST /api/bookings, parsed and checked
 * completely before the database is asked anything.
 */
#ifndef TICKETD_BOOKING_REQUEST_H
#define TICKETD_BOOKING_REQUEST_H

#include <stddef.h>
#include <stdint.h>

#include "domain/ids.h"
#include "http/response.h"

#define BOOKING_MAX_LINES 10    /* distinct tiers in one booking */
#define BOOKING_MAX_QUANTITY 10 /* tickets per tier line */
#define BOOKING_USER_MAX_CHARS 64
#define BOOKING_JSON_DEPTH 8

struct booking_line {
	char tier_id[IDS_SLUG_MAX + 1];
	int quantity;
	int index; /* its position in the request, for error fields */
};

struct booking_request {
	char concert_id[IDS_SLUG_MAX + 1];
	char user_id[BOOKING_USER_MAX_CHARS * 4 + 1]; /* UTF-8 */
	char idempotency_key[IDS_UUID_LEN + 1];       /* lowercased */
	char payment_method[16]; /* "card" or "test_decline" */
	int64_t total_cents;
	int nlines;
	struct booking_line lines[BOOKING_MAX_LINES]; /* sorted by tier_id */
};

/*
 * Parses body (len bytes) strictly: one JSON object, nothing after it,
 * at most BOOKING_JSON_DEPTH deep, valid UTF-8, exact types.  Unknown
 * fields are ignored; a key given twice counts once, the last one wins
 * (json-c's rule).  On failure answers 400 INVALID_REQUEST naming the
 * field and returns -1.
 */
int booking_request_parse(const char *body, size_t len,
    struct booking_request *br, struct response *res);

/*
 * The canonical text of a request (sorted tiers, cents, user, method):
 * the same key with a different canonical text is a reused key.
 * Returns a malloc'd string.
 */
char *booking_request_canonical(const struct booking_request *br);

#endif
