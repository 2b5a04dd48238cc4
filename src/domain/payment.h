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

#include "daemon/settings.h"

enum payment_result {
	PAYMENT_APPROVED = 0,
	PAYMENT_DECLINED = -20,
	PAYMENT_TIMEOUT = -21
};

/* Whether the simulator declines this key ("test_decline" always does). */
bool payment_declines(const char *key, const char *method, double rate);

/*
 * Authorizes cents for key, taking PAYMENT_LATENCY_MS (or giving up at
 * PAYMENT_TIMEOUT_MS).  Writes the authorization's reference into ref.
 * Returns a payment_result.
 */
int payment_authorize(const struct settings *cfg, const char *key,
    const char *method, int64_t cents, char *ref, size_t reflen);

/* Releases an authorization whose booking did not happen. */
void payment_void(const char *ref);

/* Refunds a cancelled booking. */
void payment_refund(const char *booking_id, int64_t cents);

#endif
