/*
 * concert.c - a concert's states, and looking a tier up among its tiers.
 */
#include "config.h"

#include <string.h>

#include "base/errors.h"
#include "domain/concert.h"

static const char *const status_names[] = {
    [CONCERT_DRAFT] = "draft",
    [CONCERT_PUBLISHED] = "published",
    [CONCERT_CANCELLED] = "cancelled",
};

#define NSTATUS (int)(sizeof(status_names) / sizeof(status_names[0]))

const char *
concert_status_name(enum concert_status status)
{
	return (int)status >= 0 && (int)status < NSTATUS ? status_names[status]
	                                                 : "unknown";
}

int
concert_status_parse(const char *s, enum concert_status *status)
{
	for (int i = 0; i < NSTATUS; i++) {
		if (strcmp(s, status_names[i]) == 0) {
			*status = (enum concert_status)i;
			return 0;
		}
	}
	return TD_ERR_INVALID;
}

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
