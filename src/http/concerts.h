/*
 * concerts.h - the read endpoints of concerts and their tiers.
 */
#ifndef TICKETD_CONCERTS_H
#define TICKETD_CONCERTS_H

#include <stdint.h>

#include "http/app.h"

#define CONCERTS_NOT_FOUND (-10)
#define CONCERTS_MAX_TIERS 64

struct tier {
	char id[IDS_SLUG_MAX + 1];
	char name[IDS_SLUG_MAX + 1];
	int64_t price_cents;
	int total;
	int available;
	int buckets;
};

/*
 * Loads the tiers of a concert with their availability, read without
 * locks, from the replica when from_replica (a listing may lag) or from
 * the primary (a booking's check).  Returns their count,
 * CONCERTS_NOT_FOUND, or a db_error.
 */
int concerts_load_tiers(struct app *app, int from_replica,
    const char *concert_id, struct tier *tiers, int max);

/* The tier with that id, or NULL. */
const struct tier *concerts_find_tier(
    const struct tier *tiers, int n, const char *tier_id);

handler_fn concerts_list;
handler_fn concerts_get;
handler_fn concerts_availability;

#endif
