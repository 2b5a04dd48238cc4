/*
 * concert.h - concerts and their ticket tiers, as the domain sees them.
 */
#ifndef TICKETD_CONCERT_H
#define TICKETD_CONCERT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ids.h"
#include "domain/timestamp.h"

#define CONCERT_MAX_TIERS 64
/* Bytes of UTF-8 text: the schema's limits in characters, 4 bytes each. */
#define CONCERT_TEXT_MAX (200 * 4) /* name and venue */
#define TIER_NAME_MAX (64 * 4)
#define TIMESTAMP_LEN 20 /* "2026-06-15T20:00:00Z" */
#define TIME_ZONE_MAX 64
#define CONCERT_DESCRIPTION_CHARS 2000
#define CONCERT_DESCRIPTION_MAX (CONCERT_DESCRIPTION_CHARS * 4)

/*
 * A draft is seen only by admins; a published concert is listed (until it
 * is over) and on sale within its window; a cancelled one is neither, and
 * its bookings are refunded.
 */
enum concert_status { CONCERT_DRAFT, CONCERT_PUBLISHED, CONCERT_CANCELLED };

/* "draft", "published", "cancelled". */
const char *concert_status_name(enum concert_status status);

/* Returns 0, or TD_ERR_INVALID for another name. */
int concert_status_parse(const char *s, enum concert_status *status);

/* When a concert sells: the instants in ms, and as the API writes them. */
struct sales_window {
	enum concert_status status;
	int64_t now_ms; /* the database's clock, the one book() decides by */
	int64_t start_ms;
	int64_t end_ms;
	int64_t starts_ms; /* the event */
	char start[TIMESTAMP_OFFSET_LEN + 1];
	char end[TIMESTAMP_OFFSET_LEN + 1];
};

struct tier {
	char id[IDS_SLUG_MAX + 1];
	char name[TIER_NAME_MAX + 1];
	int64_t price_cents;
	int total;
	int available;
	int buckets; /* counter rows the inventory is spread over */
};

/* The tiers of one concert, read at one instant. */
struct tier_list {
	struct sales_window sales;
	int max_per_fan; /* tickets one fan may hold for the concert */
	int fan_booked;  /* what the fan asking holds already */
	int n;
	struct tier tiers[CONCERT_MAX_TIERS];
};

struct concert {
	char id[IDS_SLUG_MAX + 1];
	char name[CONCERT_TEXT_MAX + 1];
	char venue[CONCERT_TEXT_MAX + 1];
	char event_date[TIMESTAMP_LEN + 1]; /* the start, in UTC */
	char created_at[TIMESTAMP_LEN + 1];
	char updated_at[TIMESTAMP_LEN + 1];
	/* The venue's zone, and times written in its offset there: */
	char time_zone[TIME_ZONE_MAX + 1];
	char starts_at[TIMESTAMP_OFFSET_LEN + 1];
	char doors_at[TIMESTAMP_OFFSET_LEN + 1]; /* "" when not announced */
	char sales_start[TIMESTAMP_OFFSET_LEN + 1];
	char sales_end[TIMESTAMP_OFFSET_LEN + 1];
	enum concert_status status;
	int max_per_fan;
	bool has_tiers; /* false: no tiers yet, no prices to show */
	int64_t min_price_cents;
	int64_t total;
	int64_t available;
};

/* A concert with its text, as one page shows it. */
struct concert_detail {
	struct concert c;
	char description[CONCERT_DESCRIPTION_MAX + 1];
	char server_time[TIMESTAMP_LEN + 5]; /* now, with milliseconds */
};

/* The tier with that id, or NULL. */
const struct tier *concert_find_tier(
    const struct tier_list *list, const char *tier_id);

#endif
