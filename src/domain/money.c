/*
 * money.c - exact decimal money as integer cents.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "domain/money.h"

int
money_parse_cents(const char *text, int64_t *cents)
{
	int64_t whole = 0, frac = 0;
	const char *p = text;
	int digits = 0, fdigits = 0;

	/* JSON writes no leading zeros: 0300.00 is not a number it knows. */
	if (p[0] == '0' && p[1] >= '0' && p[1] <= '9') {
		return -1;
	}
	while (*p >= '0' && *p <= '9') {
		/* Stop long before int64 could overflow. */
		if (++digits > 12) {
			return -1;
		}
		whole = whole * 10 + (*p++ - '0');
	}
	if (digits == 0) {
		return -1;
	}

	if (*p == '.') {
		p++;
		while (*p >= '0' && *p <= '9') {
			if (++fdigits > 2) {
				return -1;
			}
			frac = frac * 10 + (*p++ - '0');
		}
		if (fdigits == 0) {
			return -1;
		}
		if (fdigits == 1) {
			frac *= 10;
		}
	}
	if (*p != '\0') {
		return -1;
	}

	whole = whole * 100 + frac;
	if (whole > MONEY_MAX_CENTS) {
		return -1;
	}
	*cents = whole;
	return 0;
}

char *
money_format(int64_t cents, char *buf, size_t len)
{
	const char *sign = cents < 0 ? "-" : "";
	int64_t abs_cents = cents < 0 ? -cents : cents;

	snprintf(buf, len, "%s%" PRId64 ".%02" PRId64, sign, abs_cents / 100,
	    abs_cents % 100);
	return buf;
}
