/*
 * soldout.h - the tiers this daemon saw sold out a moment ago, shared by
 * every prefork worker, so that a rush on an empty tier is turned away
 * without asking the database again.
 *
 * One anonymous shared mapping, made by the master before it forks: a
 * fixed number of slots, open addressing over a short probe window, keyed
 * by the tier's id.  A full window simply does not cache.  There is no
 * lock anyone waits on: each slot is a seqlock that a writer claims with a
 * compare-and-swap, so a reader never waits (a slot being written reads as
 * empty) and a writer never waits (it tries another slot or gives up).  A
 * writer killed mid-write leaves its slot claimed; the next writer that
 * finds the claimant dead takes the slot over.
 *
 * A mark is believed only while it is younger than the TTL and while no
 * clear happened since the read that saw the tier empty began: the
 * caller takes a stamp (the table's generation and the time) before that
 * read, and the mark carries it.  A clear only advances the generation, so
 * it invalidates every mark at once, including one being written by a
 * request whose read raced with the clear.  The TTL is how long a change
 * this daemon did not see (another node, SQL) can stay unseen.
 */
#ifndef TICKETD_SOLDOUT_H
#define TICKETD_SOLDOUT_H

#include <stddef.h>
#include <stdint.h>

#define SOLDOUT_SLOTS 1024   /* a power of two */
#define SOLDOUT_PROBE 8      /* slots tried from a key's home slot */
#define SOLDOUT_ID_MAX 64    /* bytes of a concert or tier id */
#define SOLDOUT_NAME_MAX 256 /* bytes of a tier's name */

struct soldout;

/* When a read of availability began, in the table's terms. */
struct soldout_stamp {
	uint64_t gen;
	long long at_ms;
};

/*
 * Maps a table whose marks live ttl_ms (1 or more).  Returns it, or NULL
 * when the mapping fails.  Free with soldout_destroy(); children forked
 * after this share it.
 */
struct soldout *soldout_create(int ttl_ms);

void soldout_destroy(struct soldout *t);

/* A stamp to take before reading whether a tier has tickets left. */
struct soldout_stamp soldout_stamp(const struct soldout *t, long long now_ms);

/*
 * Marks tier_id of concert_id sold out, as a read begun at st saw it.
 * Returns 0; TD_ERR_CONFLICT when a clear came after st; TD_ERR_BUSY when
 * the mark is already past its TTL or no slot of the key's window is
 * free; TD_ERR_TOO_LARGE for an id or a name over its cap.
 */
int soldout_mark(struct soldout *t, struct soldout_stamp st,
    const char *concert_id, const char *tier_id, const char *tier_name,
    long long now_ms);

/*
 * Whether tier_id of concert_id is marked sold out now.  Returns 0 with
 * the tier's name copied into name (namelen bytes, at least
 * SOLDOUT_NAME_MAX + 1 to hold any), or TD_ERR_NOT_FOUND.
 */
int soldout_find(const struct soldout *t, const char *concert_id,
    const char *tier_id, long long now_ms, char *name, size_t namelen);

/*
 * Forgets every mark: tickets came back (a cancellation) or a tier
 * changed (capacity, a concert's state).  Marks of reads begun before
 * this are never believed afterwards.
 */
void soldout_clear(struct soldout *t);

#endif
