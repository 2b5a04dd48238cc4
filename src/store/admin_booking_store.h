/*
 * admin_booking_store.h - the box office's reads of bookings: a search
 * over every fan's bookings, one booking with its audit trail, and a
 * concert's bookings page by page for the CSV export.
 */
#ifndef TICKETD_ADMIN_BOOKING_STORE_H
#define TICKETD_ADMIN_BOOKING_STORE_H

#include "domain/booking.h"
#include "store/store.h"

#define ADMIN_EMAIL_MAX 254
#define ADMIN_NAME_MAX (100 * 4)
#define ADMIN_PAGE_MAX 100
#define AUDIT_MAX_EVENTS 32

/* A booking with its fan and its concert's name. */
struct admin_booking {
	struct booking b;
	char concert_name[CONCERT_TEXT_MAX + 1];
	char fan_email[ADMIN_EMAIL_MAX + 1];
	char fan_name[ADMIN_NAME_MAX + 1];
	char guest_name[BOOKING_USER_MAX + 1]; /* before accounts; "" */
};

/* One change of a booking: when, from and to, who (if anyone) and why. */
struct audit_event {
	char at[TIMESTAMP_LEN + 1];
	char from_status[24]; /* "" for the creation */
	char to_status[24];
	char actor_id[IDS_SLUG_MAX + 1]; /* "" for the system */
	char actor_email[ADMIN_EMAIL_MAX + 1];
	char actor_name[ADMIN_NAME_MAX + 1];
	char reason[2001];
};

struct booking_search {
	const char *concert_id; /* NULL: any */
	const char *text;       /* a reference, an email or part of a name */
	const char *status;     /* NULL: any but rejected */
	const char *after;      /* the last booking of the previous page */
	int limit;              /* 1..ADMIN_PAGE_MAX */
};

/*
 * One page of bookings, newest first, into out (ADMIN_PAGE_MAX);
 * *more tells whether another page follows.  Returns 0 or a td_error.
 */
int admin_booking_store_search(struct store *s, const struct booking_search *q,
    struct admin_booking *out, int *n, bool *more);

/*
 * One booking of any fan with up to AUDIT_MAX_EVENTS events, oldest
 * first.  Returns 0, TD_ERR_NOT_FOUND or an error.
 */
int admin_booking_store_get(struct store *s, const char *id,
    struct admin_booking *out, struct audit_event *events, int *nevents);

/* A line of the CSV export. */
struct csv_booking {
	char id[IDS_BOOKING_ID_LEN + 1];
	char status[24];
	char created_at[TIMESTAMP_LEN + 1];
	char cursor_at[48]; /* created_at exactly, for the next page */
	char email[ADMIN_EMAIL_MAX + 1];
	char name[ADMIN_NAME_MAX + 1];
	char guest_name[BOOKING_USER_MAX + 1];
	int64_t total_cents;
	int tickets;
	char items[BOOKING_MAX_LINES * (TIER_NAME_MAX + 8)];
};

/*
 * The page of up to max bookings of the concert after *last (or from the
 * first, when last->id is ""), oldest first, confirmed or cancelled.
 */
int admin_booking_store_csv_page(struct store *s, const char *concert_id,
    const struct csv_booking *last, struct csv_booking *out, int max, int *n);

#endif
