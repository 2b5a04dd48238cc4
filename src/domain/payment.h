/*
 * payment.h - the simulated payment provider.
 *
 * Like a real provider's idempotency, the decision is a function of the
 * idempotency key: a retry of the same request gets the same answer.
 */
#ifndef TICKETD_PAYMENT_H
#define TICKETD_PAYMENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PAYMENT_REF_MAX 63

struct payment_settings {
	int latency_ms;      /* how long an authorization takes */
	int timeout_ms;      /* give up after this long */
	double decline_rate; /* share of keys declined, 0 to 1 */
	bool test_methods;   /* "test_decline" may be asked for */
};

/* An authorization's answer: an outcome, not an error. */
enum payment_answer {
	PAYMENT_APPROVED,
	PAYMENT_DECLINED,
	PAYMENT_TIMEOUT /* nothing was authorized */
};

/* Whether the simulator declines this key ("test_decline" always does). */
bool payment_declines(const char *key, const char *method, double rate);

/* Whether an authorization waits on the provider (the simulator's does
 * unless its latency is 0). */
bool payment_waits(const struct payment_settings *ps);

/*
 * Authorizes cents for key, taking latency_ms (or giving up at
 * timeout_ms).  Writes the authorization's reference into ref
 * (PAYMENT_REF_MAX + 1 bytes).
 */
enum payment_answer payment_authorize(const struct payment_settings *ps,
    const char *key, const char *method, int64_t cents, char *ref);

/* Releases an authorization whose booking did not happen. */
void payment_void(const char *ref);

/* Refunds a cancelled booking. */
void payment_refund(const char *booking_id, int64_t cents);

#endif
