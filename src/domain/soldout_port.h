/*
 * soldout_port.h - what the domain asks of the table of tiers this daemon
 * saw sold out a moment ago (base/soldout.h, bound to the clock in
 * daemon/soldout_bind.c; a fake in the unit tests).  A flow whose port is
 * NULL caches nothing.
 *
 * A mark may only turn requests away, never let one through: the flow
 * asks the database whenever the table does not answer.
 */
#ifndef TICKETD_SOLDOUT_PORT_H
#define TICKETD_SOLDOUT_PORT_H

#include <stddef.h>

#include "base/soldout.h"
#include "domain/concert.h"
#include "domain/ids.h"

_Static_assert(
    IDS_SLUG_MAX <= SOLDOUT_ID_MAX && TIER_NAME_MAX <= SOLDOUT_NAME_MAX,
    "the table cannot hold every id or tier name");

struct soldout_port {
	void *ctx;
	/* Taken before a read that may see a tier with no ticket left. */
	struct soldout_stamp (*stamp)(void *ctx);
	/*
	 * Whether tier_id of concert_id is marked sold out.  Returns 0 with
	 * the tier's name in name (TIER_NAME_MAX + 1 bytes), or
	 * TD_ERR_NOT_FOUND.
	 */
	int (*find)(
	    void *ctx, const char *concert_id, const char *tier_id, char *name);
	/* Marks a tier that a read begun at st saw with 0 left (best effort:
	 * a full table does not cache). */
	void (*mark)(void *ctx, struct soldout_stamp st, const char *concert_id,
	    const char *tier_id, const char *tier_name);
	/* Forgets every mark: tickets came back, or tiers changed. */
	void (*clear)(void *ctx);
};

#endif
