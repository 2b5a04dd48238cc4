/*
 * ticket.c - a booking's tickets and their check-in.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "domain/ticket.h"
#include "domain/utf8.h"

_Static_assert(TICKETS_MAX <= TICKET_CODE_INDEX_MAX + 1,
    "a booking has more tickets than a code can number");

/* The booking's items by tier id in byte order (as the store numbers them). */
static int
item_order(const void *a, const void *b)
{
	const struct booking_item *const *x = a, *const *y = b;

	return strcmp((*x)->tier_id, (*y)->tier_id);
}

int
tickets_of_booking(const struct booking *b, const struct ticket_keys *keys,
    struct ticket *out, int max, int *n)
{
	const struct booking_item *items[BOOKING_MAX_LINES];
	struct ticket_claim claim;
	int err;

	*n = 0;
	if (b->status != BOOKING_STATUS_CONFIRMED) {
		return TD_ERR_CONFLICT;
	}
	for (int i = 0; i < b->nitems; i++) {
		items[i] = &b->items[i];
	}
	qsort(items, (size_t)b->nitems, sizeof(items[0]), item_order);

	memset(&claim, 0, sizeof(claim));
	memcpy(claim.booking_id, b->id, sizeof(b->id));
	memcpy(claim.concert_id, b->concert_id, sizeof(b->concert_id));
	for (int i = 0; i < b->nitems; i++) {
		for (int k = 0; k < items[i]->quantity; k++) {
			struct ticket *t;

			if (*n == max) {
				return TD_ERR_TOO_LARGE;
			}
			t = &out[*n];
			t->index = *n;
			t->item = items[i];
			claim.index = *n;
			err = ticket_code_sign(
			    &claim, keys->sk, t->code, sizeof(t->code));
			if (err != 0) {
				log_error("cannot sign ticket %d of %s: %s", *n,
				    b->id, td_strerror(err));
				return TD_ERR_INTERNAL;
			}
			(*n)++;
		}
	}
	return 0;
}

bool
checkin_door_is_valid(const char *door, size_t len)
{
	const unsigned char *p = (const unsigned char *)door, *end = p + len;
	size_t chars = 0;
	bool blank = true;
	uint32_t cp;

	if (len == 0 || len > CHECKIN_DOOR_MAX ||
	    !ids_is_clean_utf8(door, len)) {
		return false;
	}
	while (p < end && utf8_next(&p, end, &cp) == 0) {
		chars++;
		blank = blank && cp == ' ';
	}
	return !blank && chars <= CHECKIN_DOOR_MAX_CHARS;
}

static const char *const outcome_names[] = {
    [CHECKIN_ADMITTED] = "admitted",
    [CHECKIN_ALREADY_ADMITTED] = "already_admitted",
    [CHECKIN_CANCELLED] = "cancelled",
    [CHECKIN_WRONG_CONCERT] = "wrong_concert",
    [CHECKIN_INVALID_TICKET] = "invalid",
};

int
checkin_outcome_parse(const char *s, enum checkin_outcome *outcome)
{
	for (size_t i = 0; i < sizeof(outcome_names) / sizeof(outcome_names[0]);
	     i++) {
		if (strcmp(s, outcome_names[i]) == 0) {
			*outcome = (enum checkin_outcome)i;
			return 0;
		}
	}
	return TD_ERR_INVALID;
}

static enum checkin_outcome
decide(struct checkin_result *out, enum checkin_outcome outcome)
{
	out->outcome = outcome;
	return outcome;
}

enum checkin_outcome
checkin_admit(const struct checkin_store *store,
    const unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES],
    const struct checkin_request *req, struct checkin_result *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if (ticket_code_verify(req->code, req->code_len, pk, &out->claim) !=
	    0) {
		return decide(out, CHECKIN_INVALID_TICKET);
	}
	/* A door set to another concert admits nobody of this one. */
	if (strcmp(out->claim.concert_id, req->concert_id) != 0) {
		return decide(out, CHECKIN_WRONG_CONCERT);
	}
	err = store->admit(
	    store->ctx, &out->claim, req->door, req->staff_id, &out->admission);
	if (err != 0) {
		out->error = err;
		return decide(out, CHECKIN_FAILED);
	}
	switch (out->admission.outcome) {
	case CHECKIN_ADMITTED:
	case CHECKIN_ALREADY_ADMITTED:
	case CHECKIN_CANCELLED:
	case CHECKIN_INVALID_TICKET: return decide(out, out->admission.outcome);
	default:
		out->error = TD_ERR_INTERNAL;
		return decide(out, CHECKIN_FAILED);
	}
}
