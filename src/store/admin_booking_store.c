/*
 * admin_booking_store.c - bookings as the box office reads them, always
 * from the primary (an admin who just cancelled one reads it back).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "store/admin_booking_store.h"
#include "store/booking_store.h"
#include "store/rows.h"
#include "store/statements.h"

#define TEXT(r, row, col, dst) rows_text(r, row, col, dst, sizeof(dst))

/* Rows first..end-1: one booking, a row per item. */
static int
read_admin_booking(
    const PGresult *r, int first, int end, struct admin_booking *out)
{
	int err;

	if ((err = booking_store_read_rows(r, first, end, &out->b)) != 0 ||
	    (err = TEXT(r, first, "concert_name", out->concert_name)) != 0 ||
	    (err = TEXT(r, first, "fan_email", out->fan_email)) != 0 ||
	    (err = TEXT(r, first, "fan_name", out->fan_name)) != 0) {
		return err;
	}
	return TEXT(r, first, "guest_name", out->guest_name);
}

int
admin_booking_store_search(struct store *s, const struct booking_search *q,
    struct admin_booking *out, int *n, bool *more)
{
	char limit[16], id[IDS_SLUG_MAX + 1] = "";
	const char *params[5] = {
	    q->concert_id, q->text, q->status, q->after, limit};
	PGresult *r;
	int err, first = 0;

	*n = 0;
	*more = false;
	/* One more than a page tells whether there is a next one. */
	snprintf(limit, sizeof(limit), "%d", q->limit + 1);
	if ((err = db_exec(s->primary, Q_ADMIN_BOOKINGS, params, &r)) != 0) {
		return err;
	}
	for (int i = 0; i <= PQntuples(r) && err == 0; i++) {
		char next[IDS_SLUG_MAX + 1] = "";

		if (i < PQntuples(r) && (err = TEXT(r, i, "id", next)) != 0) {
			break;
		}
		if (i > 0 && strcmp(next, id) != 0) {
			if (*n == q->limit) {
				*more = true;
				break;
			}
			memset(&out[*n], 0, sizeof(out[*n]));
			err = read_admin_booking(r, first, i, &out[(*n)++]);
			first = i;
		}
		memcpy(id, next, sizeof(id));
	}
	PQclear(r);
	return err;
}

static int
read_event(const PGresult *r, int row, struct audit_event *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	if ((err = TEXT(r, row, "at", e->at)) != 0 ||
	    (err = TEXT(r, row, "from_status", e->from_status)) != 0 ||
	    (err = TEXT(r, row, "to_status", e->to_status)) != 0 ||
	    (err = TEXT(r, row, "actor_id", e->actor_id)) != 0 ||
	    (err = TEXT(r, row, "actor_email", e->actor_email)) != 0 ||
	    (err = TEXT(r, row, "actor_name", e->actor_name)) != 0) {
		return err;
	}
	return TEXT(r, row, "reason", e->reason);
}

int
admin_booking_store_get(struct store *s, const char *id,
    struct admin_booking *out, struct audit_event *events, int *nevents)
{
	const char *params[1] = {id};
	PGresult *r;
	int err;

	*nevents = 0;
	memset(out, 0, sizeof(*out));
	if ((err = db_exec(s->primary, Q_ADMIN_BOOKING, params, &r)) != 0) {
		return err;
	}
	err = PQntuples(r) == 0 ? TD_ERR_NOT_FOUND
	                        : read_admin_booking(r, 0, PQntuples(r), out);
	PQclear(r);
	if (err != 0 ||
	    (err = db_exec(s->primary, Q_BOOKING_EVENTS, params, &r)) != 0) {
		return err;
	}
	for (int i = 0; i < PQntuples(r) && i < AUDIT_MAX_EVENTS && err == 0;
	     i++) {
		if ((err = read_event(r, i, &events[i])) == 0) {
			(*nevents)++;
		}
	}
	PQclear(r);
	return err;
}

static int
read_csv_row(const PGresult *r, int row, struct csv_booking *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	if ((err = TEXT(r, row, "id", c->id)) != 0 ||
	    (err = TEXT(r, row, "status", c->status)) != 0 ||
	    (err = TEXT(r, row, "created_at", c->created_at)) != 0 ||
	    (err = TEXT(r, row, "cursor_at", c->cursor_at)) != 0 ||
	    (err = TEXT(r, row, "email", c->email)) != 0 ||
	    (err = TEXT(r, row, "name", c->name)) != 0 ||
	    (err = TEXT(r, row, "guest_name", c->guest_name)) != 0 ||
	    (err = TEXT(r, row, "items", c->items)) != 0 ||
	    (err = rows_int64(r, row, "total_cents", &c->total_cents)) != 0) {
		return err;
	}
	return rows_int(r, row, "tickets", &c->tickets);
}

int
admin_booking_store_csv_page(struct store *s, const char *concert_id,
    const struct csv_booking *last, struct csv_booking *out, int max, int *n)
{
	char limit[16];
	const char *params[4] = {concert_id,
	    last->id[0] != '\0' ? last->cursor_at : NULL,
	    last->id[0] != '\0' ? last->id : NULL, limit};
	PGresult *r;
	int err;

	*n = 0;
	snprintf(limit, sizeof(limit), "%d", max);
	if ((err = db_exec(s->primary, Q_BOOKINGS_CSV, params, &r)) != 0) {
		return err;
	}
	for (int i = 0; i < PQntuples(r) && i < max && err == 0; i++) {
		if ((err = read_csv_row(r, i, &out[i])) == 0) {
			(*n)++;
		}
	}
	PQclear(r);
	return err;
}
