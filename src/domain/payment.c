/*
 * payment.c - the simulated payment provider.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/clock.h"
#include "base/log.h"
#include "domain/payment.h"

static uint64_t
fnv1a(const char *s)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325);

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(0x100000001b3);
	}
	return h;
}

bool
payment_declines(const char *key, const char *method, double rate)
{
	/* 53 bits of the hash as a fraction in [0, 1). */
	double draw = (double)(fnv1a(key) >> 11) / 9007199254740992.0;

	return strcmp(method, "test_decline") == 0 || draw < rate;
}

bool
payment_waits(const struct payment_settings *ps)
{
	return ps->latency_ms > 0;
}

enum payment_answer
payment_authorize(const struct payment_settings *ps, const char *key,
    const char *method, int64_t cents, char *ref)
{
	snprintf(ref, PAYMENT_REF_MAX + 1, "auth_%.8s%.4s", key,
	    strlen(key) > 9 ? key + 9 : "");

	if (ps->latency_ms > ps->timeout_ms) {
		clock_sleep_ms(ps->timeout_ms);
		log_warn(
		    "payment %s timed out after %d ms", ref, ps->timeout_ms);
		return PAYMENT_TIMEOUT;
	}
	if (ps->latency_ms > 0) {
		clock_sleep_ms(ps->latency_ms);
	}
	if (payment_declines(key, method, ps->decline_rate)) {
		log_info(
		    "payment %s of %" PRId64 " cents declined", ref, cents);
		return PAYMENT_DECLINED;
	}
	return PAYMENT_APPROVED;
}

void
payment_void(const char *ref)
{
	log_info("payment %s voided", ref);
}

void
payment_refund(const char *booking_id, int64_t cents)
{
	log_info("booking %s refunded %" PRId64 " cents", booking_id, cents);
}
