/*
 * periodic.c - one timestamp in shared memory, moved on by compare-and-swap
 * (see periodic.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "base/periodic.h"

struct periodic {
	int64_t last_ms; /* when the chore was last claimed */
	int interval_ms;
};

struct periodic *
periodic_create(int interval_ms)
{
	struct periodic *p = mmap(NULL, sizeof(*p), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		return NULL;
	}
	/* Due at once: the monotonic clock is never this far back. */
	p->last_ms = INT64_MIN / 2;
	p->interval_ms = interval_ms > 0 ? interval_ms : 1;
	return p;
}

void
periodic_destroy(struct periodic *p)
{
	if (p != NULL) {
		munmap(p, sizeof(*p));
	}
}

bool
periodic_claim(struct periodic *p, long long now_ms)
{
	int64_t last = __atomic_load_n(&p->last_ms, __ATOMIC_RELAXED);

	if (now_ms - last < p->interval_ms) {
		return false;
	}
	/* Of the callers that saw it due, the one that moves it on. */
	return __atomic_compare_exchange_n(&p->last_ms, &last, (int64_t)now_ms,
	    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
}
