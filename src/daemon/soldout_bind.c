/*
 * soldout_bind.c - the sold-out port over the shared table.
 */
#include "config.h"

#include "base/clock.h"
#include "base/metrics.h"
#include "daemon/soldout_bind.h"

static struct soldout_stamp
stamp(void *ctx)
{
	return soldout_stamp(ctx, clock_now_ms());
}

static int
find(void *ctx, const char *concert_id, const char *tier_id, char *name)
{
	return soldout_find(
	    ctx, concert_id, tier_id, clock_now_ms(), name, TIER_NAME_MAX + 1);
}

static void
mark(void *ctx, struct soldout_stamp st, const char *concert_id,
    const char *tier_id, const char *tier_name)
{
	if (soldout_mark(
	        ctx, st, concert_id, tier_id, tier_name, clock_now_ms()) == 0) {
		metrics_sold_out(METRIC_SOLD_OUT_MARK);
	}
}

static void
clear(void *ctx)
{
	soldout_clear(ctx);
	metrics_sold_out(METRIC_SOLD_OUT_CLEAR);
}

void
soldout_bind(struct soldout *t, struct soldout_port *port)
{
	port->ctx = t;
	port->stamp = stamp;
	port->find = find;
	port->mark = mark;
	port->clear = clear;
}
