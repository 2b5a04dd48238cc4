/*
 * soldout.c - the shared table of sold-out tiers: seqlocked slots in one
 * anonymous shared mapping (see soldout.h for why it needs no lock).
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "base/errors.h"
#include "base/soldout.h"

/* What a slot holds, copied in and out a word at a time. */
struct entry {
	uint64_t key; /* the tier id's hash; 0: never used */
	uint64_t gen; /* the table's generation when the read began */
	int64_t expires_ms;
	char concert_id[SOLDOUT_ID_MAX + 1];
	char tier_id[SOLDOUT_ID_MAX + 1];
	char tier_name[SOLDOUT_NAME_MAX + 1];
};

#define ENTRY_WORDS ((sizeof(struct entry) + 7) / 8)

/* Words, so that a torn copy is a data race on atomics, not undefined. */
union payload {
	struct entry e;
	uint64_t w[ENTRY_WORDS];
};

/*
 * state: the slot's sequence in its low 32 bits, odd while a writer holds
 * the slot, and that writer's pid in the high 32 (so that another can
 * tell a dead claimant from a busy one).
 */
struct slot {
	uint64_t state;
	union payload p;
};

struct soldout {
	uint64_t gen; /* advanced by every clear */
	int ttl_ms;
	struct slot slots[SOLDOUT_SLOTS];
};

_Static_assert((SOLDOUT_SLOTS & (SOLDOUT_SLOTS - 1)) == 0,
    "SOLDOUT_SLOTS must be a power of two");

#define SEQ(state) ((uint32_t)(state))
#define OWNER(state) ((pid_t)(uint32_t)((state) >> 32))
#define STATE(pid, seq) (((uint64_t)(uint32_t)(pid) << 32) | (uint32_t)(seq))

struct soldout *
soldout_create(int ttl_ms)
{
	struct soldout *t = mmap(NULL, sizeof(*t), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (t == MAP_FAILED) {
		return NULL;
	}
	/* Zeroed slots carry generation 0: never the table's. */
	t->gen = 1;
	t->ttl_ms = ttl_ms;
	return t;
}

void
soldout_destroy(struct soldout *t)
{
	if (t != NULL) {
		munmap(t, sizeof(*t));
	}
}

/* FNV-1a; 0 is kept for slots never used. */
static uint64_t
key_of(const char *tier_id)
{
	uint64_t h = 14695981039346656037ULL;

	for (const unsigned char *p = (const unsigned char *)tier_id; *p; p++) {
		h = (h ^ *p) * 1099511628211ULL;
	}
	return h != 0 ? h : 1;
}

static struct slot *
slot_at(const struct soldout *t, uint64_t key, int probe)
{
	return (struct slot *)&t
	    ->slots[(key + (uint64_t)probe) & (SOLDOUT_SLOTS - 1)];
}

struct soldout_stamp
soldout_stamp(const struct soldout *t, long long now_ms)
{
	return (struct soldout_stamp){
	    __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE), now_ms};
}

void
soldout_clear(struct soldout *t)
{
	__atomic_add_fetch(&t->gen, 1, __ATOMIC_SEQ_CST);
}

/*
 * A consistent copy of the slot: no writer held it before, during or
 * after the copy.  Returns 0, or -1 (read it as empty).
 */
static int
read_slot(const struct slot *s, union payload *out)
{
	uint64_t before = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

	if ((SEQ(before) & 1) != 0) {
		return -1;
	}
	for (size_t i = 0; i < ENTRY_WORDS; i++) {
		out->w[i] = __atomic_load_n(&s->p.w[i], __ATOMIC_RELAXED);
	}
	/* Pairs with the writer's fence after its claim. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	return __atomic_load_n(&s->state, __ATOMIC_RELAXED) == before ? 0 : -1;
}

int
soldout_find(const struct soldout *t, const char *concert_id,
    const char *tier_id, long long now_ms, char *name, size_t namelen)
{
	uint64_t key = key_of(tier_id);
	uint64_t gen = __atomic_load_n(&t->gen, __ATOMIC_ACQUIRE);
	union payload p;

	for (int i = 0; i < SOLDOUT_PROBE; i++) {
		const struct slot *s = slot_at(t, key, i);

		/* Most slots of the window hold other keys: skip the copy. */
		if (__atomic_load_n(&s->p.e.key, __ATOMIC_RELAXED) != key ||
		    read_slot(s, &p) != 0) {
			continue;
		}
		if (p.e.key == key && p.e.gen == gen &&
		    now_ms < p.e.expires_ms &&
		    strncmp(p.e.tier_id, tier_id, sizeof(p.e.tier_id)) == 0 &&
		    strncmp(p.e.concert_id, concert_id,
		        sizeof(p.e.concert_id)) == 0) {
			snprintf(name, namelen, "%.*s",
			    (int)sizeof(p.e.tier_name) - 1, p.e.tier_name);
			return 0;
		}
	}
	return TD_ERR_NOT_FOUND;
}

/* A worker killed mid-write never releases its slot: nobody waits for it. */
static bool
claimant_dead(pid_t pid)
{
	return pid > 0 && kill(pid, 0) != 0 && errno == ESRCH;
}

/*
 * Takes the slot for writing: free, or held by a dead writer.  Returns 0
 * with *held the slot's state while ours, or -1 (busy: try another).
 */
static int
claim(struct slot *s, uint64_t *held)
{
	uint64_t cur = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	uint32_t seq = SEQ(cur);

	if ((seq & 1) != 0 && !claimant_dead(OWNER(cur))) {
		return -1;
	}
	/* Odd either way, and a value no reader saw before the take-over. */
	*held = STATE(getpid(), (seq & 1) != 0 ? seq + 2 : seq + 1);
	if (!__atomic_compare_exchange_n(&s->state, &cur, *held, false,
	        __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		return -1;
	}
	/* No reader may see the new words with the old, even state. */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	return 0;
}

/* Whether the slot holds nothing a reader would believe now. */
static bool
slot_free(const struct slot *s, uint64_t gen, long long now_ms)
{
	return __atomic_load_n(&s->p.e.key, __ATOMIC_RELAXED) == 0 ||
	       __atomic_load_n(&s->p.e.gen, __ATOMIC_RELAXED) != gen ||
	       __atomic_load_n(&s->p.e.expires_ms, __ATOMIC_RELAXED) <= now_ms;
}

/*
 * Claims the slot of the window that holds the key already (so a key has
 * one slot), else a free one.  Returns it, or NULL when none can be had.
 */
static struct slot *
claim_for(struct soldout *t, uint64_t key, uint64_t gen, long long now_ms,
    uint64_t *held)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < SOLDOUT_PROBE; i++) {
			struct slot *s = slot_at(t, key, i);
			bool fits = pass == 0 ? __atomic_load_n(&s->p.e.key,
			                            __ATOMIC_RELAXED) == key
			                      : slot_free(s, gen, now_ms);

			if (fits && claim(s, held) == 0) {
				return s;
			}
		}
	}
	return NULL;
}

int
soldout_mark(struct soldout *t, struct soldout_stamp st, const char *concert_id,
    const char *tier_id, const char *tier_name, long long now_ms)
{
	union payload p;
	struct slot *s;
	uint64_t held;

	if (strnlen(concert_id, SOLDOUT_ID_MAX + 1) > SOLDOUT_ID_MAX ||
	    strnlen(tier_id, SOLDOUT_ID_MAX + 1) > SOLDOUT_ID_MAX ||
	    strnlen(tier_name, SOLDOUT_NAME_MAX + 1) > SOLDOUT_NAME_MAX) {
		return TD_ERR_TOO_LARGE;
	}
	/* Not needed for safety (the entry carries st.gen), but no slot is
	 * spent on a mark nobody would believe. */
	if (__atomic_load_n(&t->gen, __ATOMIC_ACQUIRE) != st.gen) {
		return TD_ERR_CONFLICT;
	}
	if (st.at_ms + t->ttl_ms <= now_ms) {
		return TD_ERR_BUSY;
	}

	memset(&p, 0, sizeof(p));
	p.e.key = key_of(tier_id);
	p.e.gen = st.gen;
	/* From when the read began: no mark outlives what it saw by more
	 * than the TTL. */
	p.e.expires_ms = st.at_ms + t->ttl_ms;
	memcpy(p.e.concert_id, concert_id, strlen(concert_id));
	memcpy(p.e.tier_id, tier_id, strlen(tier_id));
	memcpy(p.e.tier_name, tier_name, strlen(tier_name));

	if ((s = claim_for(t, p.e.key, st.gen, now_ms, &held)) == NULL) {
		return TD_ERR_BUSY;
	}
	for (size_t i = 0; i < ENTRY_WORDS; i++) {
		__atomic_store_n(&s->p.w[i], p.w[i], __ATOMIC_RELAXED);
	}
	__atomic_store_n(&s->state, held + 1, __ATOMIC_RELEASE);
	return 0;
}
