/*
 * concert_admin.h - the box office's changes to concerts: creating one,
 * and changing its fields, its tiers and its state while a sale runs.
 * Plain C: the rules are here, the store applies them in one transaction
 * and keeps what only the database can (capacity never below sold, no
 * repricing after a sale, a cancelled concert stays cancelled).
 */
#ifndef TICKETD_CONCERT_ADMIN_H
#define TICKETD_CONCERT_ADMIN_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/concert.h"
#include "domain/soldout_port.h"

#define CONCERT_NAME_CHARS 200
#define TIER_NAME_CHARS 64
#define TIER_CAPACITY_MAX 1000000
#define CANCEL_REASON_CHARS 500
#define CANCEL_REASON_MAX (CANCEL_REASON_CHARS * 4)

/* One tier of a request: a new one (id "") or a change to an existing one. */
struct tier_draft {
	char id[IDS_SLUG_MAX + 1];
	bool has_name, has_price, has_capacity;
	char name[TIER_NAME_MAX + 1];
	int64_t price_cents;
	int capacity;
	int index; /* its position in the request, for error fields */
};

/*
 * A concert as a request gives it, already checked for shape (lengths,
 * ranges, formats) by whoever parsed it.  For a creation every required
 * field is set; for a change only what the request names.
 */
struct concert_draft {
	bool has_name, has_venue, has_time_zone, has_starts, has_doors,
	    has_description, has_sales_start, has_sales_end, has_max_per_fan,
	    has_status, has_cancel_reason;
	char name[CONCERT_TEXT_MAX + 1];
	char venue[CONCERT_TEXT_MAX + 1];
	char time_zone[TIME_ZONE_MAX + 1];
	char starts_local[TIMESTAMP_LOCAL_LEN + 1]; /* in time_zone */
	char doors_local[TIMESTAMP_LOCAL_LEN + 1];  /* "" clears them */
	char description[CONCERT_DESCRIPTION_MAX + 1];
	char sales_start[TIMESTAMP_INSTANT_MAX + 1]; /* instants */
	char sales_end[TIMESTAMP_INSTANT_MAX + 1];
	int max_per_fan;
	enum concert_status status;
	char cancel_reason[CANCEL_REASON_MAX + 1];
	int ntiers;
	struct tier_draft tiers[CONCERT_MAX_TIERS];
};

/* A tier as the box office sees it. */
struct admin_tier {
	char id[IDS_SLUG_MAX + 1];
	char name[TIER_NAME_MAX + 1];
	int64_t price_cents;
	int capacity;
	int sold;
	int available;
};

/* A concert in any state, with its tiers' sales. */
struct admin_concert {
	struct concert_detail d;
	int ntiers;
	struct admin_tier tiers[CONCERT_MAX_TIERS];
};

enum concert_admin_outcome {
	ADMIN_DONE,
	ADMIN_INVALID, /* field and message say what */
	ADMIN_NOT_FOUND,
	ADMIN_DUPLICATE_TIER,      /* tier_name */
	ADMIN_CAPACITY_BELOW_SOLD, /* tier_id, sold, capacity */
	ADMIN_TIER_HAS_SALES,      /* tier_id: no repricing after a sale */
	ADMIN_CONCERT_CANCELLED,   /* a cancelled concert does not change */
	ADMIN_UNPUBLISH_WITH_SALES,
	ADMIN_FAILED /* error (a td_error) */
};

struct concert_admin_result {
	enum concert_admin_outcome outcome;
	int error;
	char field[48];
	char message[160];
	char tier_id[IDS_SLUG_MAX + 1];
	char tier_name[TIER_NAME_MAX + 1];
	int sold;
	int capacity;
	char concert_id[IDS_SLUG_MAX + 1]; /* ADMIN_DONE */
};

/* Local times resolved in a zone, by the store's clock. */
struct resolved_times {
	int64_t now_ms;
	int64_t starts_ms;
	int64_t doors_ms; /* when doors were given */
};

/*
 * Who changes a concert and the request it is part of (the audit trail of
 * the bookings a cancellation cancels).
 */
struct admin_actor {
	const char *user_id;
	const char *request_id;
};

/*
 * The store behind the box office (store/concert_admin_store.c).  Each
 * function returns 0 or a negative td_error; the writes answer the
 * database's own refusals in *out.
 */
struct concert_admin_store {
	void *ctx;
	/* TD_ERR_NOT_FOUND: a zone the database does not know. */
	int (*resolve)(void *ctx, const char *zone, const char *starts_local,
	    const char *doors_local, struct resolved_times *out);
	int (*load)(void *ctx, const char *id, struct admin_concert *out);
	/* tier_ids: a fresh id for each of d's tiers. */
	int (*create)(void *ctx, const char *id, const struct concert_draft *d,
	    char (*tier_ids)[IDS_SLUG_MAX + 1],
	    struct concert_admin_result *out);
	/*
	 * merged: every field as it will be; merged->tiers: only the changes
	 * (with an id) and the new tiers (with a fresh id in new_ids).
	 */
	int (*update)(void *ctx, const char *id, const struct admin_actor *who,
	    const struct concert_draft *merged,
	    char (*new_ids)[IDS_SLUG_MAX + 1],
	    struct concert_admin_result *out);
	/* The tiers seen sold out, cleared by every change; or NULL. */
	const struct soldout_port *sold_out;
};

/* Creates a concert from d.  Always fills out; returns out->outcome. */
enum concert_admin_outcome concert_admin_create(
    const struct concert_admin_store *store, const struct concert_draft *d,
    struct concert_admin_result *out);

/*
 * Applies the change d to the concert id; a change that may have gone
 * through clears the sold-out marks (a capacity raised, a concert
 * cancelled).  Always fills out; returns out->outcome.
 */
enum concert_admin_outcome concert_admin_update(
    const struct concert_admin_store *store, const char *id,
    const struct admin_actor *who, const struct concert_draft *d,
    struct concert_admin_result *out);

#endif
