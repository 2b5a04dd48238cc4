/*
 * rows.c - cells by column name, bounded and checked.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "store/rows.h"

static int
column(const PGresult *r, const char *col)
{
	int c = PQfnumber(r, col);

	if (c < 0) {
		log_error("the result has no column %s", col);
	}
	return c;
}

int
rows_text(const PGresult *r, int row, const char *col, char *out, size_t len)
{
	int c = column(r, col);
	size_t n;

	if (c < 0) {
		return TD_ERR_INTERNAL;
	}
	n = (size_t)PQgetlength(r, row, c);
	if (n >= len) {
		log_error(
		    "column %s: %zu bytes do not fit in %zu", col, n, len);
		return TD_ERR_INTERNAL;
	}
	memcpy(out, PQgetvalue(r, row, c), n);
	out[n] = '\0';
	return 0;
}

int
rows_int64(const PGresult *r, int row, const char *col, int64_t *out)
{
	int c = column(r, col);
	const char *text;
	char *end;
	long long v;

	if (c < 0) {
		return TD_ERR_INTERNAL;
	}
	*out = 0;
	if (PQgetisnull(r, row, c)) {
		return 0;
	}
	text = PQgetvalue(r, row, c);
	errno = 0;
	v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0') {
		log_error("column %s: %s is not an integer", col, text);
		return TD_ERR_INTERNAL;
	}
	*out = (int64_t)v;
	return 0;
}

int
rows_int(const PGresult *r, int row, const char *col, int *out)
{
	int64_t v;
	int err = rows_int64(r, row, col, &v);

	if (err != 0) {
		return err;
	}
	if (v < INT_MIN || v > INT_MAX) {
		log_error("column %s: %lld is out of range", col, (long long)v);
		return TD_ERR_INTERNAL;
	}
	*out = (int)v;
	return 0;
}

int
rows_bool(const PGresult *r, int row, const char *col, bool *out)
{
	int c = column(r, col);
	const char *text;

	if (c < 0) {
		return TD_ERR_INTERNAL;
	}
	text = PQgetvalue(r, row, c);
	if (PQgetisnull(r, row, c) ||
	    (strcmp(text, "t") != 0 && strcmp(text, "f") != 0)) {
		log_error("column %s: %s is not a boolean", col,
		    PQgetisnull(r, row, c) ? "NULL" : text);
		return TD_ERR_INTERNAL;
	}
	*out = text[0] == 't';
	return 0;
}

bool
rows_is_null(const PGresult *r, int row, const char *col)
{
	int c = column(r, col);

	return c < 0 || PQgetisnull(r, row, c);
}
