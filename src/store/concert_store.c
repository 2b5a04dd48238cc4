/*
 * concert_store.c - concerts and tiers, turned into domain structs.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/concert_store.h"
#include "store/rows.h"
#include "store/statements.h"

static int
read_status(const PGresult *r, int row, enum concert_status *status)
{
	char name[16];
	int err;

	if ((err = rows_text(r, row, "status", name, sizeof(name))) != 0) {
		return err;
	}
	if (concert_status_parse(name, status) != 0) {
		log_error("concert status %s", name);
		return TD_ERR_INTERNAL;
	}
	return 0;
}

#define TEXT(col, field) rows_text(r, row, col, c->field, sizeof(c->field))

int
concert_store_read(const PGresult *r, int row, struct concert *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	if ((err = TEXT("id", id)) != 0 || (err = TEXT("name", name)) != 0 ||
	    (err = TEXT("venue", venue)) != 0 ||
	    (err = TEXT("event_date", event_date)) != 0 ||
	    (err = TEXT("created_at", created_at)) != 0 ||
	    (err = TEXT("updated_at", updated_at)) != 0 ||
	    (err = TEXT("time_zone", time_zone)) != 0 ||
	    (err = TEXT("starts_at", starts_at)) != 0 ||
	    (err = TEXT("doors_at", doors_at)) != 0 ||
	    (err = TEXT("sales_start", sales_start)) != 0 ||
	    (err = TEXT("sales_end", sales_end)) != 0 ||
	    (err = rows_int(r, row, "max_tickets_per_fan", &c->max_per_fan)) !=
	        0) {
		return err;
	}
	return read_status(r, row, &c->status);
}

#undef TEXT

/* The concert's status and SALES_COLUMNS (store/statements.c). */
static int
read_sales_window(const PGresult *r, int row, struct sales_window *w)
{
	int err;

	if ((err = read_status(r, row, &w->status)) != 0 ||
	    (err = rows_int64(r, row, "now_ms", &w->now_ms)) != 0 ||
	    (err = rows_int64(r, row, "start_ms", &w->start_ms)) != 0 ||
	    (err = rows_int64(r, row, "end_ms", &w->end_ms)) != 0 ||
	    (err = rows_int64(r, row, "starts_ms", &w->starts_ms)) != 0 ||
	    (err = rows_text(
	         r, row, "sales_start", w->start, sizeof(w->start))) != 0) {
		return err;
	}
	return rows_text(r, row, "sales_end", w->end, sizeof(w->end));
}

static int
read_totals(const PGresult *r, int row, struct concert *c)
{
	int err;

	c->has_tiers = !rows_is_null(r, row, "min_price");
	if ((err = rows_int64(r, row, "min_price", &c->min_price_cents)) != 0 ||
	    (err = rows_int64(r, row, "total", &c->total)) != 0) {
		return err;
	}
	return rows_int64(r, row, "available", &c->available);
}

int
concert_store_list(const struct store *s, const char *after,
    struct concert *out, int max, int *n)
{
	char limit[12], window[12];
	const char *params[3] = {after, limit, window};
	PGresult *r;
	int err = 0;

	*n = 0;
	snprintf(limit, sizeof(limit), "%d", max);
	snprintf(window, sizeof(window), "%d", s->totals_window_ms);
	if ((err = store_exec_read(s, Q_CONCERTS, params, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) > max) {
		err = TD_ERR_INTERNAL;
	}
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		if ((err = concert_store_read(r, i, &out[i])) == 0 &&
		    (err = read_totals(r, i, &out[i])) == 0) {
			(*n)++;
		}
	}
	PQclear(r);
	return err;
}

int
concert_store_get(
    const struct store *s, const char *id, struct concert_detail *out)
{
	const char *params[1] = {id};
	PGresult *r;
	int err;

	if ((err = store_exec_read(s, Q_CONCERT, params, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) == 0) {
		err = TD_ERR_NOT_FOUND;
	} else if ((err = concert_store_read(r, 0, &out->c)) == 0 &&
	           (err = rows_text(r, 0, "description", out->description,
	                sizeof(out->description))) == 0) {
		err = rows_text(r, 0, "server_time", out->server_time,
		    sizeof(out->server_time));
	}
	PQclear(r);
	return err;
}

static int
read_tier(const PGresult *r, int row, struct tier *t)
{
	int err;

	if ((err = rows_text(r, row, "tier_id", t->id, sizeof(t->id))) != 0 ||
	    (err = rows_text(r, row, "tier_name", t->name, sizeof(t->name))) !=
	        0 ||
	    (err = rows_int64(r, row, "price_cents", &t->price_cents)) != 0 ||
	    (err = rows_int(r, row, "total_quantity", &t->total)) != 0 ||
	    (err = rows_int(r, row, "available", &t->available)) != 0) {
		return err;
	}
	return rows_int(r, row, "bucket_count", &t->buckets);
}

/* Reads the tier rows of Q_AVAILABILITY or Q_BOOKING_CHECK into out. */
static int
read_tiers(const PGresult *r, const char *concert_id, struct tier_list *out)
{
	int err = 0;

	if (PQntuples(r) == 0) {
		return TD_ERR_NOT_FOUND;
	}
	for (int i = 0; i < PQntuples(r); i++) {
		if (rows_is_null(r, i, "tier_id")) {
			continue; /* the concert has no tiers */
		}
		if (out->n == CONCERT_MAX_TIERS) {
			log_warn("concert %s has more than %d tiers",
			    concert_id, CONCERT_MAX_TIERS);
			break;
		}
		if ((err = read_tier(r, i, &out->tiers[out->n])) != 0) {
			break;
		}
		out->n++;
	}
	return err;
}

int
concert_store_tiers(
    const struct store *s, const char *concert_id, struct tier_list *out)
{
	const char *params[1] = {concert_id};
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = store_exec_read(s, Q_AVAILABILITY, params, &r)) != 0) {
		return err;
	}
	err = read_tiers(r, concert_id, out);
	PQclear(r);
	return err;
}

int
concert_store_read_fan_tiers(
    const PGresult *r, const char *concert_id, struct tier_list *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = read_tiers(r, concert_id, out)) == 0 &&
	    ((err = rows_int(r, 0, "max_tickets_per_fan", &out->max_per_fan)) !=
	            0 ||
	        (err = rows_int(r, 0, "fan_booked", &out->fan_booked)) != 0 ||
	        (err = read_sales_window(r, 0, &out->sales)) != 0)) {
		log_error(
		    "concert %s: no limit per fan or sales window", concert_id);
	}
	return err;
}

int
concert_store_refresh_totals(
    const struct store *s, int min_age_ms, int *changed)
{
	char age[12];
	const char *params[1] = {age};
	PGresult *r;
	int err;

	*changed = 0;
	/* Never a connection of its own: a primary away costs no worker. */
	if (!db_is_open(s->primary)) {
		return TD_ERR_UNAVAILABLE;
	}
	snprintf(age, sizeof(age), "%d", min_age_ms);
	if ((err = db_exec(s->primary, Q_REFRESH_TOTALS, params, &r)) != 0) {
		return err;
	}
	err = rows_int(r, 0, "changed", changed);
	PQclear(r);
	return err;
}
