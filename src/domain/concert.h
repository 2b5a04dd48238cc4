/*
 * concert.h - concerts and their ticket tiers, as the domain sees them.
 */
#ifndef TICKETD_CONCERT_H
#define TICKETD_CONCERT_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/ids.h"

#define CONCERT_MAX_TIERS 64
/* Bytes of UTF-8 text: the schema's limits in characters, 4 bytes each. */
#define CONCERT_TEXT_MAX (200 * 4) /* name and venue */
#define TIER_NAME_MAX (64 * 4)
#define TIMESTAMP_LEN 20 /* "2026-06-15T20:00:00Z" */

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
	int max_per_fan; /* tickets one fan may hold for the concert */
	int fan_booked;  /* what the fan asking holds already */
	int n;
	struct tier tiers[CONCERT_MAX_TIERS];
};

struct concert {
	char id[IDS_SLUG_MAX + 1];
	char name[CONCERT_TEXT_MAX + 1];
	char venue[CONCERT_TEXT_MAX + 1];
	char event_date[TIMESTAMP_LEN + 1];
	char created_at[TIMESTAMP_LEN + 1];
	bool has_tiers; /* false: no tiers yet, no prices to show */
	int64_t min_price_cents;
	int64_t total;
	int64_t available;
};

/* The tier with that id, or NULL. */
const struct tier *concert_find_tier(
    const struct tier_list *list, const char *tier_id);

#endif
