/*
 * book_batch.c - several paid bookings of one tier in one statement.
 */
#include "config.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "base/log.h"
#include "store/book_batch.h"
#include "store/pg_array.h"
#include "store/rows.h"
#include "store/statements.h"

bool
book_batch_same_tier(
    const struct book_batch_item *a, const struct book_batch_item *b)
{
	return strcmp(a->concert_id, b->concert_id) == 0 &&
	       strcmp(a->tier_id, b->tier_id) == 0 && a->buckets == b->buckets;
}

bool
book_batch_conflict(
    const struct book_batch_item *a, const struct book_batch_item *b)
{
	return strcmp(a->user_id, b->user_id) == 0 ||
	       strcmp(a->key, b->key) == 0;
}

/* The text[] literal of one field of every item, in a buffer of its own. */
static char *
text_array(const struct book_batch_item *const *items, int n, size_t field)
{
	const char *v[BOOK_BATCH_MAX];
	size_t len = 3;
	char *buf;

	for (int i = 0; i < n; i++) {
		v[i] = (const char *)items[i] + field;
		/* Quoted, every character possibly escaped, a comma. */
		len += 2 * strlen(v[i]) + 3;
	}
	if ((buf = malloc(len)) == NULL) {
		return NULL;
	}
	if (pg_array_text(buf, len, v, n) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

#define FIELD(f) offsetof(struct book_batch_item, f)

/* The statement's $n, 1-based, that each text[] field binds. */
static const struct {
	int param;
	size_t field;
} text_fields[] = {
    {1, FIELD(key)},
    {2, FIELD(booking_id)},
    {4, FIELD(user_id)},
    {5, FIELD(fingerprint)},
    {6, FIELD(method)},
    {11, FIELD(payment_ref)},
    {12, FIELD(request_id)},
};

#define NTEXT (sizeof(text_fields) / sizeof(text_fields[0]))

static int
read_results(const PGresult *r, int n, struct book_batch_result *out)
{
	char outcome[24];
	int err, k;

	if (PQntuples(r) != n) {
		log_error(
		    "book_batch: %d rows for %d bookings", PQntuples(r), n);
		return TD_ERR_INTERNAL;
	}
	for (int i = 0; i < n; i++) {
		if ((err = rows_int(r, i, "n", &k)) != 0 ||
		    (err = rows_text(
		         r, i, "outcome", outcome, sizeof(outcome))) != 0) {
			return err;
		}
		if (k != i + 1) {
			log_error(
			    "book_batch: row %d answers booking %d", i, k);
			return TD_ERR_INTERNAL;
		}
		memset(&out[i], 0, sizeof(out[i]));
		if (strcmp(outcome, "duplicate") == 0) {
			out[i].outcome = BOOK_BATCH_DUPLICATE;
		} else if (strcmp(outcome, "confirmed") == 0) {
			out[i].outcome = BOOK_BATCH_CONFIRMED;
			if ((err = rows_text(r, i, "o_created_at",
			         out[i].created_at,
			         sizeof(out[i].created_at))) != 0) {
				return err;
			}
		} else {
			log_error("book_batch: outcome %s", outcome);
			return TD_ERR_INTERNAL;
		}
	}
	return 0;
}

int
book_batch_run(struct db *db, const struct book_batch_item *const *items, int n,
    struct book_batch_result *out)
{
	char *text[NTEXT] = {NULL};
	int qty[BOOK_BATCH_MAX];
	int64_t cents[BOOK_BATCH_MAX];
	/* Each total: at most 20 characters and a comma. */
	char totals[BOOK_BATCH_MAX * 21 + 3],
	    quantities[BOOK_BATCH_MAX * 12 + 3];
	char buckets[12];
	const char *params[12];
	PGresult *r = NULL;
	int err = TD_ERR_INTERNAL;

	if (n < 1 || n > BOOK_BATCH_MAX) {
		return TD_ERR_INTERNAL;
	}
	for (int i = 0; i < n; i++) {
		cents[i] = items[i]->total_cents;
		qty[i] = items[i]->quantity;
	}
	snprintf(buckets, sizeof(buckets), "%d", items[0]->buckets);
	if (pg_array_int64(totals, sizeof(totals), cents, n) != 0 ||
	    pg_array_int(quantities, sizeof(quantities), qty, n) != 0) {
		goto out;
	}
	for (size_t i = 0; i < NTEXT; i++) {
		if ((text[i] = text_array(items, n, text_fields[i].field)) ==
		    NULL) {
			goto out;
		}
		params[text_fields[i].param - 1] = text[i];
	}
	params[2] = items[0]->concert_id;
	params[6] = totals;
	params[7] = items[0]->tier_id;
	params[8] = quantities;
	params[9] = buckets;
	/* Rows that cannot be read come from a committed statement. */
	if ((err = db_exec(db, Q_BOOK_BATCH, params, &r)) == 0 &&
	    read_results(r, n, out) != 0) {
		err = TD_ERR_UNAVAILABLE;
	}
	PQclear(r);
out:
	for (size_t i = 0; i < NTEXT; i++) {
		free(text[i]);
	}
	return err;
}
