/*
 * rows.h - reading a PGresult's cells by column name, into bounded
 * buffers and checked numbers.  A missing column, a text that does not
 * fit or a number that does not parse is TD_ERR_INTERNAL (logged): the
 * statement and the code disagree, and nothing half-read is used.
 */
#ifndef TICKETD_ROWS_H
#define TICKETD_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

/* Copies the cell's text (NULL is "") into out (len bytes).  0 or error. */
int rows_text(
    const PGresult *r, int row, const char *col, char *out, size_t len);

/* The cell as a 64-bit integer (NULL is 0).  Returns 0 or an error. */
int rows_int64(const PGresult *r, int row, const char *col, int64_t *out);

/* The cell as an int (NULL is 0).  Returns 0 or an error. */
int rows_int(const PGresult *r, int row, const char *col, int *out);

/* The cell as a boolean; NULL, like anything but t or f, is an error. */
int rows_bool(const PGresult *r, int row, const char *col, bool *out);

/* Whether the cell is NULL (a missing column counts as NULL). */
bool rows_is_null(const PGresult *r, int row, const char *col);

#endif
