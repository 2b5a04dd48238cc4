/*
 * accept_gate.c - a stack of idle workers in shared memory, a System V
 * semaphore for its lock and one for each worker's wake-up (see
 * accept_gate.h).
 *
 * Every change is made holding the lock, and every wake-up is posted by
 * the same semop(2) that releases it: a worker killed between the two
 * cannot leave a leader that was never woken.  The state bytes are the
 * truth; the leader, the count serving and the stack are rebuilt from
 * them whenever the master reaps a worker.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/sem.h>

#include "base/accept_gate.h"
#include "base/log.h"

/* A slot's state. */
enum {
	GS_OFF,    /* no worker, or one not at the gate yet */
	GS_IDLE,   /* asleep on the stack */
	GS_LEADER, /* accepting (or about to) */
	GS_BUSY,   /* serving: counts against the cap */
	GS_AWAY,   /* serving, waiting on something outside: does not */
	GS_KEPT    /* during a rebuild only: idle and on the new stack */
};

/* Semaphore 0 is the lock; slot s wakes on semaphore 1 + s. */
#define LOCK_SEM 0
#define WAKE_SEM(s) ((unsigned short)(1 + (s)))

struct accept_gate {
	int semid;
	int size;
	int cap;
	int serving; /* slots GS_BUSY */
	int away;    /* slots GS_AWAY */
	int leader;  /* the slot GS_LEADER, or -1 */
	int depth;   /* slots on the stack */
	/* stack[0 .. depth - 1], the top last; then size state bytes. */
	int stack[];
};

/* glibc wants the caller to define it. */
union semun {
	int val;
	struct semid_ds *buf;
	unsigned short *array;
};

static unsigned char *
states(const struct accept_gate *g)
{
	return (unsigned char *)(g->stack + g->size);
}

static size_t
gate_bytes(int size)
{
	return sizeof(struct accept_gate) + (size_t)size * sizeof(int) +
	       (size_t)size;
}

struct accept_gate *
accept_gate_create(int size, int cap)
{
	struct accept_gate *g;
	unsigned short *init;
	union semun arg;

	if (size < 1 || cap < 1) {
		log_error("accept gate: %d workers, cap %d", size, cap);
		return NULL;
	}
	g = mmap(NULL, gate_bytes(size), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (g == MAP_FAILED) {
		log_error("accept gate: mmap: %s", strerror(errno));
		return NULL;
	}
	g->size = size;
	g->cap = cap;
	g->leader = -1;
	/* Zeroed by mmap: every slot GS_OFF, no one serving, none asleep. */
	init = calloc((size_t)size + 1, sizeof(*init));
	g->semid = semget(IPC_PRIVATE, size + 1, IPC_CREAT | 0600);
	if (init == NULL || g->semid < 0) {
		log_error("accept gate: semget: %s", strerror(errno));
		goto fail;
	}
	init[LOCK_SEM] = 1;
	arg.array = init;
	if (semctl(g->semid, 0, SETALL, arg) != 0) {
		log_error("accept gate: semctl: %s", strerror(errno));
		goto fail;
	}
	free(init);
	return g;
fail:
	free(init);
	accept_gate_destroy(g);
	return NULL;
}

void
accept_gate_destroy(struct accept_gate *g)
{
	if (g == NULL) {
		return;
	}
	if (g->semid >= 0) {
		semctl(g->semid, 0, IPC_RMID);
	}
	munmap(g, gate_bytes(g->size));
}

/* SEM_UNDO: the kernel gives the lock back for a holder that dies. */
/*
 * The lock's semop fails only if the set is gone or the kernel is out of
 * memory for its undo entry: going on would run unlocked, or leave the
 * lock held for good, so the process stops (a worker is respawned).
 */
static void
semop_or_abort(struct accept_gate *g, struct sembuf *ops, size_t n)
{
	while (semop(g->semid, ops, n) != 0) {
		if (errno != EINTR) {
			log_error("accept gate: semop: %s", strerror(errno));
			abort();
		}
	}
}

static void
lock(struct accept_gate *g)
{
	struct sembuf op = {LOCK_SEM, -1, SEM_UNDO};

	semop_or_abort(g, &op, 1);
}

/* Releases the lock and, in the same call, wakes slot wake (-1: none). */
static void
unlock_and_wake(struct accept_gate *g, int wake)
{
	struct sembuf ops[2] = {
	    {LOCK_SEM, 1, SEM_UNDO},
	    {WAKE_SEM(wake), 1, 0},
	};

	semop_or_abort(g, ops, wake >= 0 ? 2 : 1);
}

/* With the lock held: the top idle slot leads, if one may.  Returns the
 * slot to wake, or -1. */
static int
elect(struct accept_gate *g)
{
	int s;

	if (g->leader >= 0 || g->serving >= g->cap || g->depth == 0) {
		return -1;
	}
	s = g->stack[--g->depth];
	states(g)[s] = GS_LEADER;
	g->leader = s;
	return s;
}

enum gate_turn
accept_gate_done(struct accept_gate *g, int slot)
{
	unsigned char *st = states(g);
	enum gate_turn turn;

	lock(g);
	if (st[slot] == GS_BUSY) {
		g->serving--;
	}
	if (g->leader < 0 && g->serving < g->cap) {
		st[slot] = GS_LEADER;
		g->leader = slot;
		turn = GATE_LEAD;
	} else {
		st[slot] = GS_IDLE;
		g->stack[g->depth++] = slot;
		turn = GATE_WAIT;
	}
	unlock_and_wake(g, -1);
	return turn;
}

int
accept_gate_await(
    struct accept_gate *g, int slot, volatile const sig_atomic_t *stop)
{
	struct sembuf op = {WAKE_SEM(slot), -1, 0};

	for (;;) {
		if (semop(g->semid, &op, 1) != 0) {
			if (errno != EINTR) {
				log_error(
				    "accept gate: semop: %s", strerror(errno));
				return -1;
			}
		}
		if (*stop) {
			return -1;
		}
		/* Posted after the byte was written, by the same call that
		 * released the lock: a repair may wake a slot still idle. */
		if (__atomic_load_n(&states(g)[slot], __ATOMIC_ACQUIRE) ==
		    GS_LEADER) {
			return 0;
		}
	}
}

void
accept_gate_wake(struct accept_gate *g, int slot)
{
	struct sembuf op = {WAKE_SEM(slot), 1, 0};

	semop(g->semid, &op, 1);
}

void
accept_gate_accepted(struct accept_gate *g, int slot)
{
	int next;

	lock(g);
	/*
	 * The one leader accepted.  (A leader killed here, before its byte
	 * changed, leaves two bytes saying leader until it is reaped; a
	 * rebuild in between may name the dead one: the next to accept
	 * clears it.)
	 */
	if (g->leader == slot || states(g)[slot] == GS_LEADER) {
		g->leader = -1;
	}
	states(g)[slot] = GS_BUSY;
	g->serving++;
	next = elect(g);
	unlock_and_wake(g, next);
}

void
accept_gate_away(struct accept_gate *g, int slot)
{
	int next = -1;

	lock(g);
	if (states(g)[slot] == GS_BUSY) {
		states(g)[slot] = GS_AWAY;
		g->serving--;
		g->away++;
		next = elect(g);
	}
	unlock_and_wake(g, next);
}

void
accept_gate_back(struct accept_gate *g, int slot)
{
	lock(g);
	if (states(g)[slot] == GS_AWAY) {
		states(g)[slot] = GS_BUSY;
		g->serving++;
		g->away--;
	}
	unlock_and_wake(g, -1);
}

/*
 * With the lock held: the leader, the count serving and the stack from
 * the state bytes.  The stack keeps its order; an idle slot missing from
 * it (its worker died between two writes) goes on top.
 */
static void
rebuild(struct accept_gate *g)
{
	unsigned char *st = states(g);
	int depth = 0;

	for (int i = 0; i < g->depth; i++) {
		int s = g->stack[i];

		if (s >= 0 && s < g->size && st[s] == GS_IDLE) {
			st[s] = GS_KEPT;
			g->stack[depth++] = s;
		}
	}
	g->leader = -1;
	g->serving = 0;
	g->away = 0;
	for (int s = 0; s < g->size; s++) {
		switch (st[s]) {
		case GS_IDLE: g->stack[depth++] = s; break;
		case GS_KEPT: st[s] = GS_IDLE; break;
		case GS_LEADER: g->leader = s; break;
		case GS_BUSY: g->serving++; break;
		case GS_AWAY: g->away++; break;
		}
	}
	g->depth = depth;
}

void
accept_gate_reaped(struct accept_gate *g, int slot)
{
	union semun arg = {.val = 0};

	int wake;

	lock(g);
	states(g)[slot] = GS_OFF;
	/* A wake-up the dead worker never took must not wake the next. */
	semctl(g->semid, WAKE_SEM(slot), SETVAL, arg);
	rebuild(g);
	/*
	 * A worker killed while it elected another may have died before the
	 * wake-up: the leader is woken again (one awake already takes it for
	 * a spurious one, at its next sleep).
	 */
	wake = elect(g);
	unlock_and_wake(g, wake >= 0 ? wake : g->leader);
}

int
accept_gate_leader(const struct accept_gate *g)
{
	return __atomic_load_n(&g->leader, __ATOMIC_RELAXED);
}

int
accept_gate_serving(const struct accept_gate *g)
{
	return __atomic_load_n(&g->serving, __ATOMIC_RELAXED);
}

int
accept_gate_away_count(const struct accept_gate *g)
{
	return __atomic_load_n(&g->away, __ATOMIC_RELAXED);
}

int
accept_gate_cap(const struct accept_gate *g)
{
	return g->cap;
}

int
accept_gate_idle(const struct accept_gate *g)
{
	return __atomic_load_n(&g->depth, __ATOMIC_RELAXED);
}

int
accept_gate_wakeups(const struct accept_gate *g, int slot)
{
	return semctl(g->semid, WAKE_SEM(slot), GETVAL);
}
