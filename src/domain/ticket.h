/*
 * ticket.h - a booking's tickets and their check-in at the door.  Plain
 * C: no HTTP, JSON or SQL here.
 *
 * A confirmed booking of quantity n has tickets 0..n-1: its items by tier
 * id (byte order), then by place within the item.  Nothing is stored per
 * ticket when it is booked: a ticket's code (ticket_code.h) is derived
 * and signed when it is shown.  A ticket is admitted at most once: the
 * store's unique key on (booking, index) decides, never a check before
 * an insert.
 */
#ifndef TICKETD_TICKET_H
#define TICKETD_TICKET_H

#include "domain/account.h"
#include "domain/booking.h"
#include "domain/ticket_code.h"

/* The most tickets one booking has. */
#define TICKETS_MAX (BOOKING_MAX_LINES * BOOKING_MAX_QUANTITY)

/* A door's name: 1 to 64 characters. */
#define CHECKIN_DOOR_MAX_CHARS 64
#define CHECKIN_DOOR_MAX (CHECKIN_DOOR_MAX_CHARS * 4) /* UTF-8 bytes */

/* The deployment's signing key pair (daemon/ticket_key.c loads it). */
struct ticket_keys {
	unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES];
	unsigned char sk[TICKET_CODE_SECRET_KEY_BYTES];
};

struct ticket {
	int index;
	const struct booking_item *item; /* its tier; points into the booking */
	char code[TICKET_CODE_MAX_LEN + 1];
};

/*
 * The tickets of booking b, in order, with their codes signed by keys:
 * *n of them into out (max entries; TICKETS_MAX always suffice).
 * Returns 0, TD_ERR_CONFLICT when b is not confirmed (a cancelled
 * booking's tickets are void), TD_ERR_TOO_LARGE when max is too small,
 * or TD_ERR_INTERNAL when b's ids cannot be signed.
 */
int tickets_of_booking(const struct booking *b, const struct ticket_keys *keys,
    struct ticket *out, int max, int *n);

enum checkin_outcome {
	CHECKIN_ADMITTED,
	CHECKIN_ALREADY_ADMITTED, /* admission says when and at which door */
	CHECKIN_CANCELLED, /* the booking is cancelled: the ticket is void */
	CHECKIN_WRONG_CONCERT,  /* claim.concert_id is the ticket's concert */
	CHECKIN_INVALID_TICKET, /* forged, altered, or no such ticket */
	CHECKIN_FAILED          /* error says why (a td_error) */
};

/* What the store says of one admission. */
struct admission {
	enum checkin_outcome outcome;        /* ADMITTED, ALREADY_ADMITTED,
	                                        CANCELLED or INVALID_TICKET */
	char admitted_at[TIMESTAMP_LEN + 1]; /* ADMITTED, ALREADY_ADMITTED: */
	char door[CHECKIN_DOOR_MAX + 1];     /* the first admission's */
	char tier_name[TIER_NAME_MAX + 1];   /* ADMITTED */
	char fan_name[ACCOUNT_NAME_MAX + 1]; /* ADMITTED */
};

/*
 * The store check-in runs against (store/checkin_store.c, or a fake in
 * the unit tests).  admit() admits the claim's ticket at door, by
 * staff_id, exactly once: INVALID_TICKET when there is no such booking of
 * that concert or no such index in it, CANCELLED when the booking is not
 * confirmed, ALREADY_ADMITTED (with the first admission's time and door)
 * when it was admitted before.  Returns 0 or a negative td_error.
 */
struct checkin_store {
	void *ctx;
	int (*admit)(void *ctx, const struct ticket_claim *claim,
	    const char *door, const char *staff_id, struct admission *out);
};

struct checkin_request {
	const char *code;
	size_t code_len;
	const char *concert_id; /* the concert the door is set to */
	const char *door;
	const char *staff_id;
};

struct checkin_result {
	enum checkin_outcome outcome;
	int error;                 /* FAILED */
	struct ticket_claim claim; /* what the code says (when it verified) */
	struct admission admission;
};

/*
 * Checks a ticket in: its code against the public key pk, its concert
 * against the door's, then the store's one admission.  Always fills out;
 * returns out->outcome.
 */
enum checkin_outcome checkin_admit(const struct checkin_store *store,
    const unsigned char pk[TICKET_CODE_PUBLIC_KEY_BYTES],
    const struct checkin_request *req, struct checkin_result *out);

/*
 * Whether len bytes of door name a door: 1 to CHECKIN_DOOR_MAX_CHARS
 * characters of clean UTF-8 (ids_is_clean_utf8()), not all spaces.
 */
bool checkin_door_is_valid(const char *door, size_t len);

/* "admitted", "already_admitted", ...: the store's names of outcomes. */
int checkin_outcome_parse(const char *s, enum checkin_outcome *outcome);

#endif
