/*
 * soldout_bind.h - the domain's port (domain/soldout_port.h) onto the
 * shared table of sold-out tiers, on the monotonic clock and counted in
 * /metrics.
 */
#ifndef TICKETD_SOLDOUT_BIND_H
#define TICKETD_SOLDOUT_BIND_H

#include "base/soldout.h"
#include "domain/soldout_port.h"

/* Fills port with functions over t (which must outlive it). */
void soldout_bind(struct soldout *t, struct soldout_port *port);

#endif
