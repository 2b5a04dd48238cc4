/*
 * readiness.c - a byte per worker and a latch in shared memory (see
 * readiness.h).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/mman.h>

#include "base/readiness.h"

struct readiness {
	size_t bytes; /* of the mapping */
	int npools;
	int sizes[READINESS_MAX_POOLS];
	uint8_t ready;
	uint8_t covered;   /* another master serves meanwhile */
	uint8_t started[]; /* pool 0's workers, then pool 1's */
};

/* Pool p's marks: an offset, not a pointer kept in the shared mapping. */
static uint8_t *
marks(const struct readiness *r, int pool)
{
	size_t off = 0;

	for (int p = 0; p < pool; p++) {
		off += (size_t)r->sizes[p];
	}
	return (uint8_t *)r->started + off;
}

struct readiness *
readiness_create(const int *sizes, int npools)
{
	struct readiness *r;
	size_t workers = 0, bytes;

	if (npools < 1 || npools > READINESS_MAX_POOLS) {
		return NULL;
	}
	for (int p = 0; p < npools; p++) {
		if (sizes[p] < 0) {
			return NULL;
		}
		workers += (size_t)sizes[p];
	}
	bytes = sizeof(*r) + workers;
	r = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (r == MAP_FAILED) {
		return NULL;
	}
	/* A fresh anonymous mapping is zero: nothing started, not ready. */
	r->bytes = bytes;
	r->npools = npools;
	for (int p = 0; p < npools; p++) {
		r->sizes[p] = sizes[p];
	}
	return r;
}

void
readiness_destroy(struct readiness *r)
{
	if (r != NULL) {
		munmap(r, r->bytes);
	}
}

static bool
in_range(const struct readiness *r, int pool, int slot)
{
	return pool >= 0 && pool < r->npools && slot >= 0 &&
	       slot < r->sizes[pool];
}

void
readiness_started(struct readiness *r, int pool, int slot)
{
	if (in_range(r, pool, slot)) {
		__atomic_store_n(&marks(r, pool)[slot], 1, __ATOMIC_RELEASE);
	}
}

void
readiness_gone(struct readiness *r, int pool, int slot)
{
	if (in_range(r, pool, slot)) {
		__atomic_store_n(&marks(r, pool)[slot], 0, __ATOMIC_RELEASE);
	}
}

int
readiness_count(const struct readiness *r, int pool)
{
	const uint8_t *m;
	int n = 0;

	if (pool < 0 || pool >= r->npools) {
		return 0;
	}
	m = marks(r, pool);
	for (int s = 0; s < r->sizes[pool]; s++) {
		n += __atomic_load_n(&m[s], __ATOMIC_ACQUIRE) != 0;
	}
	return n;
}

int
readiness_size(const struct readiness *r, int pool)
{
	return pool >= 0 && pool < r->npools ? r->sizes[pool] : 0;
}

bool
readiness_check(struct readiness *r)
{
	if (readiness_ready(r)) {
		return true;
	}
	for (int p = 0; p < r->npools; p++) {
		if (readiness_count(r, p) < r->sizes[p]) {
			return false;
		}
	}
	readiness_declare(r);
	return true;
}

void
readiness_declare(struct readiness *r)
{
	__atomic_store_n(&r->ready, 1, __ATOMIC_RELEASE);
}

void
readiness_cover(struct readiness *r)
{
	__atomic_store_n(&r->covered, 1, __ATOMIC_RELEASE);
}

bool
readiness_answers_starting(struct readiness *r)
{
	return !__atomic_load_n(&r->covered, __ATOMIC_ACQUIRE) &&
	       !readiness_check(r);
}

bool
readiness_ready(const struct readiness *r)
{
	return __atomic_load_n(&r->ready, __ATOMIC_ACQUIRE) != 0;
}
