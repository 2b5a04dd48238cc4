/*
 * outbox_store.h - the emails ticketd owes (sql/migrations/011_outbox.sql),
 * as the mailer claims, reads and settles them.
 */
#ifndef TICKETD_OUTBOX_STORE_H
#define TICKETD_OUTBOX_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/booking.h"
#include "store/db.h"

#define OUTBOX_EMAIL_MAX 254
#define OUTBOX_NAME_MAX (100 * 4)

enum outbox_kind {
	OUTBOX_BOOKING_CONFIRMED,
	OUTBOX_BOOKING_CANCELLED,
	OUTBOX_VERIFY_EMAIL,
	OUTBOX_PASSWORD_RESET
};

/* One claimed email. */
struct outbox_item {
	int64_t id;
	enum outbox_kind kind;
	char booking_id[IDS_SLUG_MAX + 1]; /* a booking's email, or "" */
	char user_id[IDS_SLUG_MAX + 1];    /* an account's email, or "" */
	int attempts;                      /* this one included */
};

/* The account an account's email is about. */
struct mail_user {
	char id[IDS_SLUG_MAX + 1];
	char email[OUTBOX_EMAIL_MAX + 1];
	char name[OUTBOX_NAME_MAX + 1];
	bool verified;
};

/* What a booking's email says. */
struct mail_booking {
	struct booking b;
	char fan_email[OUTBOX_EMAIL_MAX + 1];
	char fan_name[OUTBOX_NAME_MAX + 1];
	bool fan_verified; /* the address showed it is the fan's */
	char concert_name[CONCERT_TEXT_MAX + 1];
	char venue[CONCERT_TEXT_MAX + 1];
	char time_zone[TIME_ZONE_MAX + 1];
	char event_date[TIMESTAMP_LEN + 1];       /* the start, UTC */
	char starts_at[TIMESTAMP_OFFSET_LEN + 1]; /* at the venue */
	char doors_at[TIMESTAMP_OFFSET_LEN + 1];  /* "" when not announced */
};

/*
 * Leases up to max due emails for lease_s seconds into out, first giving
 * up the ones whose attempts reached max_attempts.  Returns 0 or a
 * td_error.
 */
int outbox_store_claim(struct db *db, int lease_s, int max_attempts,
    struct outbox_item *out, int max, int *n);

/* The email id went out.  Returns 0 or a td_error. */
int outbox_store_sent(struct db *db, int64_t id);

/*
 * The email id did not go out: again in delay_s seconds, or never when
 * give_up.  error says why (no secrets in it: it is stored).
 */
int outbox_store_retry(
    struct db *db, int64_t id, const char *error, int delay_s, bool give_up);

/* The account of an email.  Returns 0, TD_ERR_NOT_FOUND or an error. */
int outbox_store_user(struct db *db, const char *id, struct mail_user *out);

/*
 * Keeps the hash of a reset token the mailer made for user_id, valid for
 * ttl_s seconds.  Returns 0 or a td_error.
 */
int outbox_store_reset_token(
    struct db *db, const char *token_hash, const char *user_id, int ttl_s);

/* The booking of an email.  Returns 0, TD_ERR_NOT_FOUND or an error. */
int outbox_store_booking(
    struct db *db, const char *id, struct mail_booking *out);

#endif
