/*
 * concert_store.c - concerts and tiers, turned into domain structs.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "store/concert_store.h"
#include "store/rows.h"
#include "store/statements.h"

static int
read_concert(const PGresult *r, int row, struct concert *c)
{
	int err;

	memset(c, 0, sizeof(*c));
	if ((err = rows_text(r, row, "id", c->id, sizeof(c->id))) != 0 ||
	    (err = rows_text(r, row, "name", c->name, sizeof(c->name))) != 0 ||
	    (err = rows_text(r, row, "venue", c->venue, sizeof(c->venue))) !=
	        0 ||
	    (err = rows_text(r, row, "event_date", c->event_date,
	         sizeof(c->event_date))) != 0) {
		return err;
	}
	return rows_text(
	    r, row, "created_at", c->created_at, sizeof(c->created_at));
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
concert_store_list(const struct store *s, struct concert **out, int *n)
{
	struct concert *list = NULL;
	PGresult *r;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = store_exec_read(s, Q_CONCERTS, NULL, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) > 0) {
		list = calloc((size_t)PQntuples(r), sizeof(*list));
		if (list == NULL) {
			abort();
		}
	}
	for (int i = 0; i < PQntuples(r); i++) {
		if ((err = read_concert(r, i, &list[i])) != 0 ||
		    (err = read_totals(r, i, &list[i])) != 0) {
			free(list);
			PQclear(r);
			return err;
		}
	}
	*out = list;
	*n = PQntuples(r);
	PQclear(r);
	return 0;
}

int
concert_store_get(const struct store *s, const char *id, struct concert *out)
{
	const char *params[1] = {id};
	PGresult *r;
	int err;

	if ((err = store_exec_read(s, Q_CONCERT, params, &r)) != 0) {
		return err;
	}
	err = PQntuples(r) == 0 ? TD_ERR_NOT_FOUND : read_concert(r, 0, out);
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

/* Reads the rows of Q_AVAILABILITY or Q_BOOKING_TIERS into out. */
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
concert_store_tiers_for_fan(const struct store *s, const char *concert_id,
    const char *user_id, struct tier_list *out)
{
	const char *params[2] = {concert_id, user_id};
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = db_exec(s->primary, Q_BOOKING_TIERS, params, &r)) != 0) {
		return err;
	}
	if ((err = read_tiers(r, concert_id, out)) == 0 &&
	    ((err = rows_int(r, 0, "max_tickets_per_fan", &out->max_per_fan)) !=
	            0 ||
	        (err = rows_int(r, 0, "fan_booked", &out->fan_booked)) != 0)) {
		log_error("concert %s: no limit per fan", concert_id);
	}
	PQclear(r);
	return err;
}
