/*
 * readiness.h - whether every worker of a node has started: a load
 * balancer should not send fans to a node whose booking pool is still
 * connecting (a restart's 105 connections take seconds), and a reload's
 * new master should not take over the sockets before its pools can serve.
 *
 * One anonymous shared mapping, made by the master before it forks: a
 * byte per worker, set by the worker once its connection attempt is over,
 * open or failed (a database that refuses is /health's query to tell),
 * cleared by the master when it reaps the worker.  The node is ready once
 * every worker of every pool has started at the same time, or when the
 * master stops waiting (readiness_declare(): a database slow to answer, a
 * worker that keeps dying), and stays ready: a worker respawned later is
 * one of many, and a database gone later is the query's to tell.
 */
#ifndef TICKETD_READINESS_H
#define TICKETD_READINESS_H

#include <stdbool.h>

#define READINESS_MAX_POOLS 2

struct readiness;

/*
 * Maps the marks of npools pools (1 .. READINESS_MAX_POOLS) of sizes[i]
 * workers each.  Returns it, or NULL when the mapping fails; children
 * forked after this share it.
 */
struct readiness *readiness_create(const int *sizes, int npools);

void readiness_destroy(struct readiness *r);

/* The worker in slot of pool has started (the worker). */
void readiness_started(struct readiness *r, int pool, int slot);

/* The worker in slot of pool is gone (the master, when it reaps it). */
void readiness_gone(struct readiness *r, int pool, int slot);

/* How many workers of pool have started and are still there. */
int readiness_count(const struct readiness *r, int pool);

/* The size of pool, as created. */
int readiness_size(const struct readiness *r, int pool);

/*
 * Whether the node is ready: true from the first call that finds every
 * worker started, and on every call after that.
 */
bool readiness_check(struct readiness *r);

/* Whether a call to readiness_check() has found the node ready, or
 * readiness_declare() was called. */
bool readiness_ready(const struct readiness *r);

/* The node is ready with the workers it has (the master's deadline). */
void readiness_declare(struct readiness *r);

/*
 * Another master serves while this one starts (a reload's new master: the
 * old one hands over only once this one is ready), so /health need not
 * answer "starting" meanwhile.
 */
void readiness_cover(struct readiness *r);

/* Whether /health answers "starting": not ready, and not covered. */
bool readiness_answers_starting(struct readiness *r);

#endif
