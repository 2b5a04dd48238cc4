/*
 * errors.h - the one return convention of the code base: 0 on success,
 * a negative td_error on failure.  Each layer maps what it speaks
 * (SQLSTATEs, payment answers, parse failures) to these; the HTTP layer
 * maps these to a status code in one table (http/outcomes.c).
 */
#ifndef TICKETD_ERRORS_H
#define TICKETD_ERRORS_H

enum td_error {
	TD_OK = 0,
	TD_ERR_NOT_FOUND = -1,     /* what was asked for does not exist */
	TD_ERR_INVALID = -2,       /* malformed input */
	TD_ERR_TOO_LARGE = -3,     /* input above its cap */
	TD_ERR_UNAVAILABLE = -4,   /* database down, connection lost: 503 */
	TD_ERR_BUSY = -5,          /* lock or statement timeout, no slot: 503 */
	TD_ERR_SERIALIZATION = -6, /* 40001, 40P01: run the transaction again */
	TD_ERR_CONFLICT = -7,      /* 23xxx: conflicts with the stored data */
	TD_ERR_BAD_DATA = -8,      /* 22xxx: a value does not fit its column */
	TD_ERR_INTERNAL = -9,      /* a bug or the unexpected: logged */
	TD_ERR_METHOD = -10,       /* a known path, another method */
	/* TDSLW: a statement's shortcut left the case to the general one */
	TD_ERR_FALLBACK = -11,
	/* not run: when its turn came, its caller no longer wanted it */
	TD_ERR_NOT_WANTED = -12
};

/* A short name of an error for log lines ("unavailable"). */
const char *td_strerror(int err);

#endif
