/*
 * money.h - exact decimal money as integer cents.
 *
 * Amounts never pass through a double: 19.99 * 100 is 1998.999... in
 * binary floating point.  Text from a request is parsed digit by digit.
 */
#ifndef TICKETD_MONEY_H
#define TICKETD_MONEY_H

#include <stddef.h>
#include <stdint.h>

/* The largest amount accepted anywhere: 10,000,000.00. */
#define MONEY_MAX_CENTS INT64_C(1000000000)

/*
 * Parses a non-negative decimal with at most two fractional digits
 * ("230", "230.5", "230.00") into cents.  Exponents, signs, leading '+',
 * NaN, Infinity and amounts above MONEY_MAX_CENTS are rejected.
 * Returns 0 on success, -1 on malformed or out-of-range text.
 */
int money_parse_cents(const char *text, int64_t *cents);

/* Formats cents as "230.00" into buf (at least 24 bytes).  Returns buf. */
char *money_format(int64_t cents, char *buf, size_t len);

#endif
