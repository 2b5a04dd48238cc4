/*
 * pg_array.c - array literals with every write bounded.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>

#include "base/errors.h"
#include "store/pg_array.h"

/* Appends c to buf at *off, keeping room for the NUL.  0 or -1. */
static int
put(char *buf, size_t len, size_t *off, char c)
{
	if (*off + 1 >= len) {
		return -1;
	}
	buf[(*off)++] = c;
	buf[*off] = '\0';
	return 0;
}

int
pg_array_text(char *buf, size_t len, const char *const *items, int n)
{
	size_t off = 0;

	if (len == 0 || put(buf, len, &off, '{') != 0) {
		return TD_ERR_TOO_LARGE;
	}
	for (int i = 0; i < n; i++) {
		if (i > 0 && put(buf, len, &off, ',') != 0) {
			return TD_ERR_TOO_LARGE;
		}
		if (items[i] == NULL) {
			if (put(buf, len, &off, 'N') != 0 ||
			    put(buf, len, &off, 'U') != 0 ||
			    put(buf, len, &off, 'L') != 0 ||
			    put(buf, len, &off, 'L') != 0) {
				return TD_ERR_TOO_LARGE;
			}
			continue;
		}
		if (put(buf, len, &off, '"') != 0) {
			return TD_ERR_TOO_LARGE;
		}
		for (const char *s = items[i]; *s != '\0'; s++) {
			if ((*s == '"' || *s == '\\') &&
			    put(buf, len, &off, '\\') != 0) {
				return TD_ERR_TOO_LARGE;
			}
			if (put(buf, len, &off, *s) != 0) {
				return TD_ERR_TOO_LARGE;
			}
		}
		if (put(buf, len, &off, '"') != 0) {
			return TD_ERR_TOO_LARGE;
		}
	}
	return put(buf, len, &off, '}') == 0 ? 0 : TD_ERR_TOO_LARGE;
}

/* The literal of n numbers, item(items, i) the ith, into buf. */
static int
numbers(char *buf, size_t len, int n, long long (*item)(const void *, int),
    const void *items)
{
	size_t off = 0;
	int w;

	if (len == 0 || put(buf, len, &off, '{') != 0) {
		return TD_ERR_TOO_LARGE;
	}
	for (int i = 0; i < n; i++) {
		w = snprintf(buf + off, len - off, "%s%lld", i > 0 ? "," : "",
		    item(items, i));
		if (w < 0 || (size_t)w >= len - off) {
			return TD_ERR_TOO_LARGE;
		}
		off += (size_t)w;
	}
	return put(buf, len, &off, '}') == 0 ? 0 : TD_ERR_TOO_LARGE;
}

static long long
int_item(const void *items, int i)
{
	return ((const int *)items)[i];
}

static long long
int64_item(const void *items, int i)
{
	return (long long)((const int64_t *)items)[i];
}

int
pg_array_int(char *buf, size_t len, const int *items, int n)
{
	return numbers(buf, len, n, int_item, items);
}

int
pg_array_int64(char *buf, size_t len, const int64_t *items, int n)
{
	return numbers(buf, len, n, int64_item, items);
}
