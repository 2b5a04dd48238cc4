/*
 * pg_array.h - PostgreSQL array literals for statement parameters
 * ('{"a","b"}', '{1,2}').  Truncation is an error, never a silent cut.
 */
#ifndef TICKETD_PG_ARRAY_H
#define TICKETD_PG_ARRAY_H

#include <stddef.h>
#include <stdint.h>

/*
 * Writes the n strings as a text[] literal into buf (len bytes), each
 * quoted (so a string named NULL stays a string) with '"' and '\'
 * escaped; a NULL pointer is the element NULL.  Returns 0, or
 * TD_ERR_TOO_LARGE when buf is too small.
 */
int pg_array_text(char *buf, size_t len, const char *const *items, int n);

/* The same for integers.  Returns 0 or TD_ERR_TOO_LARGE. */
int pg_array_int(char *buf, size_t len, const int *items, int n);
int pg_array_int64(char *buf, size_t len, const int64_t *items, int n);

#endif
