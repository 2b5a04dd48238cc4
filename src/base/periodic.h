/*
 * periodic.h - a chore that one process of many does at most once an
 * interval, whichever gets there first: the prefork workers share one
 * timestamp in an anonymous shared mapping made before they fork, and the
 * worker whose compare-and-swap moves it on does the chore.  Nobody waits,
 * and a worker that dies mid-chore costs one interval at most.
 */
#ifndef TICKETD_PERIODIC_H
#define TICKETD_PERIODIC_H

#include <stdbool.h>

struct periodic;

/*
 * Maps a periodic chore due every interval_ms (1 or more), due at once.
 * Returns it, or NULL when the mapping fails; children forked after this
 * share it.
 */
struct periodic *periodic_create(int interval_ms);

void periodic_destroy(struct periodic *p);

/*
 * Whether the caller should do the chore now (monotonic now_ms): true for
 * exactly one caller per interval.
 */
bool periodic_claim(struct periodic *p, long long now_ms);

#endif
