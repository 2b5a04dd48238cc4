/*
 * accept_gate.h - which of a pool's idle workers accepts the next request,
 * and how many of them serve at once.
 *
 * Left to the kernel, the next connection on a shared socket goes to the
 * worker that has waited longest, so consecutive requests rotate through
 * the whole pool, each worker with its own database backend, and all of
 * them go cold in turn on two cores: a pool of 96 sized for slow payments
 * cost a rush with none a tenth of its CPU, and a quarter at 256 clients
 * (tests/bench/results/2026-12-03-vm-booking-pool-size.md).
 *
 * Through the gate one worker at a time, the leader, waits in accept(2);
 * the others sleep on a semaphore of their own, the most recently idle on
 * top of a stack.  A leader that accepted hands the lead to the top one,
 * so a light load runs on a few warm workers and the rest stay asleep.
 * The gate's cap bounds the workers serving at once: once it is reached
 * no one accepts (connections wait in the socket's backlog) until a worker
 * finishes, and that one leads at once, without a wake-up.  A worker
 * waiting on something outside (the payment provider) does not count.
 *
 * A worker killed anywhere costs nothing: the gate's lock is a System V
 * semaphore the kernel releases for a dead holder, each worker's state is
 * one byte, and the master rebuilds the rest from those bytes when it
 * reaps one (accept_gate_reaped).
 */
#ifndef TICKETD_ACCEPT_GATE_H
#define TICKETD_ACCEPT_GATE_H

#include <signal.h>

struct accept_gate;

/* What a worker does after accept_gate_done: lead now, or sleep first. */
enum gate_turn { GATE_LEAD, GATE_WAIT };

/*
 * A gate for workers in slots 0 to size - 1, at most cap of them serving
 * at once, in shared memory the workers forked from here on inherit.
 * Returns NULL after logging why.
 */
struct accept_gate *accept_gate_create(int size, int cap);
void accept_gate_destroy(struct accept_gate *g);

/*
 * For the worker in slot, done with a request or just started: it leads
 * if no one does and fewer than cap serve (GATE_LEAD: accept now), else it
 * goes on top of the idle ones (GATE_WAIT: accept_gate_await next).
 * Never blocks but for the lock, so a worker calls it before its answer
 * is out: the next request, which its client sends after that answer,
 * finds it on top.
 */
enum gate_turn accept_gate_done(struct accept_gate *g, int slot);

/*
 * Sleeps until the worker in slot leads (returns 0) or *stop is set
 * (returns -1).  Call it after GATE_WAIT only.  The signal handler that
 * sets *stop calls accept_gate_wake too, so a signal just before the
 * sleep is not missed.
 */
int accept_gate_await(
    struct accept_gate *g, int slot, volatile const sig_atomic_t *stop);

/* Wakes the worker in slot to look at its stop flag again: one semop(2),
 * safe in a signal handler. */
void accept_gate_wake(struct accept_gate *g, int slot);

/* The leader in slot accepted a request: it serves, and the top idle
 * worker leads while fewer than cap serve. */
void accept_gate_accepted(struct accept_gate *g, int slot);

/* The worker in slot waits on something outside, then is back: meanwhile
 * it does not count against the cap. */
void accept_gate_away(struct accept_gate *g, int slot);
void accept_gate_back(struct accept_gate *g, int slot);

/* In the master, for a worker of slot that exited or was killed, before
 * its slot is forked again. */
void accept_gate_reaped(struct accept_gate *g, int slot);

/* The slot that leads, or -1; how many serve, wait outside, sleep; the
 * cap.  For tests and metrics. */
int accept_gate_leader(const struct accept_gate *g);
int accept_gate_serving(const struct accept_gate *g);
int accept_gate_away_count(const struct accept_gate *g);
int accept_gate_idle(const struct accept_gate *g);
int accept_gate_cap(const struct accept_gate *g);
/* Wake-ups posted to slot and not yet taken. */
int accept_gate_wakeups(const struct accept_gate *g, int slot);

#endif
