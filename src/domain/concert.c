/*
 * concert.c - looking a tier up among a concert's tiers.
 */
#include "config.h"

#include <string.h>

#include "domain/concert.h"

const struct tier *
concert_find_tier(const struct tier_list *list, const char *tier_id)
{
	for (int i = 0; i < list->n; i++) {
		if (strcmp(list->tiers[i].id, tier_id) == 0) {
			return &list->tiers[i];
		}
	}
	return NULL;
}
