/*
 * concert_admin_store.c - the box office's writes go through one SQL
 * function each (create_concert, update_concert: one round trip, one
 * transaction, the database's own refusals answered as outcomes); its
 * reads are plain statements, always on the primary.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "store/concert_admin_store.h"
#include "store/concert_store.h"
#include "store/pg_array.h"
#include "store/rows.h"
#include "store/statements.h"

/* A tier row of ADMIN_TIER_COLUMNS. */
static int
read_admin_tier(const PGresult *r, int row, struct admin_tier *t)
{
	int err;

	if ((err = rows_text(r, row, "tier_id", t->id, sizeof(t->id))) != 0 ||
	    (err = rows_text(r, row, "tier_name", t->name, sizeof(t->name))) !=
	        0 ||
	    (err = rows_int64(r, row, "price_cents", &t->price_cents)) != 0 ||
	    (err = rows_int(r, row, "total_quantity", &t->capacity)) != 0 ||
	    (err = rows_int(r, row, "available", &t->available)) != 0) {
		return err;
	}
	t->sold = t->capacity - t->available;
	return 0;
}

/*
 * Reads the concert of row *row and its tier rows that follow; leaves
 * *row at the next concert's first row.
 */
static int
read_admin_concert(const PGresult *r, int *row, struct admin_concert *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = concert_store_read(r, *row, &out->d.c)) != 0 ||
	    (err = rows_text(r, *row, "description", out->d.description,
	         sizeof(out->d.description))) != 0) {
		return err;
	}
	for (; *row < PQntuples(r); (*row)++) {
		if (strcmp(PQgetvalue(r, *row, PQfnumber(r, "id")),
		        out->d.c.id) != 0) {
			break;
		}
		if (rows_is_null(r, *row, "tier_id") ||
		    out->ntiers == CONCERT_MAX_TIERS) {
			continue;
		}
		if ((err = read_admin_tier(
		         r, *row, &out->tiers[out->ntiers++])) != 0) {
			return err;
		}
	}
	return 0;
}

int
concert_admin_store_get(
    struct store *s, const char *id, struct admin_concert *out)
{
	const char *params[1] = {id};
	PGresult *r;
	int err, row = 0;

	if ((err = db_exec(s->primary, Q_ADMIN_CONCERT, params, &r)) != 0) {
		return err;
	}
	err = PQntuples(r) == 0 ? TD_ERR_NOT_FOUND
	                        : read_admin_concert(r, &row, out);
	PQclear(r);
	return err;
}

int
concert_admin_store_list(struct store *s, struct admin_concert **out, int *n)
{
	struct admin_concert *list = NULL;
	PGresult *r;
	int err, row = 0, count = 0;

	*out = NULL;
	*n = 0;
	if ((err = db_exec(s->primary, Q_ADMIN_CONCERTS, NULL, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) > 0 &&
	    (list = calloc((size_t)PQntuples(r), sizeof(*list))) == NULL) {
		abort();
	}
	while (row < PQntuples(r)) {
		if ((err = read_admin_concert(r, &row, &list[count++])) != 0) {
			free(list);
			PQclear(r);
			return err;
		}
	}
	PQclear(r);
	*out = list;
	*n = count;
	return 0;
}

static int
resolve(void *ctx, const char *zone, const char *starts_local,
    const char *doors_local, struct resolved_times *out)
{
	struct store *s = ctx;
	const char *params[3] = {zone, starts_local, doors_local};
	PGresult *r;
	int err;

	if ((err = db_exec(s->primary, Q_RESOLVE_TIMES, params, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) == 0) {
		err = TD_ERR_NOT_FOUND;
	} else if ((err = rows_int64(r, 0, "o_now_ms", &out->now_ms)) == 0 &&
	           (err = rows_int64(r, 0, "o_starts_ms", &out->starts_ms)) ==
	               0) {
		err = rows_int64(r, 0, "o_doors_ms", &out->doors_ms);
	}
	PQclear(r);
	return err;
}

static int
load(void *ctx, const char *id, struct admin_concert *out)
{
	return concert_admin_store_get(ctx, id, out);
}

/* The tiers of a request as four array parameters. */
struct tier_arrays {
	char ids[CONCERT_MAX_TIERS * (IDS_SLUG_MAX + 3) + 3];
	char names[CONCERT_MAX_TIERS * (TIER_NAME_MAX * 2 + 3) + 3];
	char prices[CONCERT_MAX_TIERS * 24 + 3];
	char capacities[CONCERT_MAX_TIERS * 16 + 3];
};

/*
 * Writes the tiers of d that are new (ids from new_ids) or, when changes,
 * those with an id; a field the request left out is NULL.
 */
static int
format_tiers(const struct concert_draft *d, char (*new_ids)[IDS_SLUG_MAX + 1],
    bool changes, struct tier_arrays *a)
{
	const char *ids[CONCERT_MAX_TIERS], *names[CONCERT_MAX_TIERS];
	const char *prices[CONCERT_MAX_TIERS], *caps[CONCERT_MAX_TIERS];
	char price_text[CONCERT_MAX_TIERS][24], cap_text[CONCERT_MAX_TIERS][16];
	int n = 0;

	for (int i = 0; i < d->ntiers; i++) {
		const struct tier_draft *t = &d->tiers[i];

		if ((t->id[0] != '\0') != changes) {
			continue;
		}
		snprintf(price_text[n], sizeof(price_text[n]), "%lld",
		    (long long)t->price_cents);
		snprintf(cap_text[n], sizeof(cap_text[n]), "%d", t->capacity);
		ids[n] = changes ? t->id : new_ids[i];
		names[n] = t->has_name ? t->name : NULL;
		prices[n] = t->has_price ? price_text[n] : NULL;
		caps[n] = t->has_capacity ? cap_text[n] : NULL;
		n++;
	}
	if (pg_array_text(a->ids, sizeof(a->ids), ids, n) != 0 ||
	    pg_array_text(a->names, sizeof(a->names), names, n) != 0 ||
	    pg_array_text(a->prices, sizeof(a->prices), prices, n) != 0 ||
	    pg_array_text(a->capacities, sizeof(a->capacities), caps, n) != 0) {
		log_error("tier arrays do not fit");
		return TD_ERR_INTERNAL;
	}
	return 0;
}

static const char *
or_null(const char *s)
{
	return s[0] != '\0' ? s : NULL;
}

static int
create(void *ctx, const char *id, const struct concert_draft *d,
    char (*tier_ids)[IDS_SLUG_MAX + 1], struct concert_admin_result *out)
{
	struct store *s = ctx;
	static struct tier_arrays a;
	char max[12], outcome[32];
	const char *params[15];
	PGresult *r;
	int err;

	if ((err = format_tiers(d, tier_ids, false, &a)) != 0) {
		return err;
	}
	snprintf(
	    max, sizeof(max), "%d", d->has_max_per_fan ? d->max_per_fan : 10);
	params[0] = id;
	params[1] = d->name;
	params[2] = d->venue;
	params[3] = d->time_zone;
	params[4] = d->starts_local;
	params[5] = or_null(d->doors_local);
	params[6] = d->description;
	params[7] = or_null(d->sales_start);
	params[8] = or_null(d->sales_end);
	params[9] = max;
	params[10] = concert_status_name(d->status);
	params[11] = a.ids;
	params[12] = a.names;
	params[13] = a.prices;
	params[14] = a.capacities;
	if ((err = store_exec_txn(s, Q_CREATE_CONCERT, params, &r)) != 0) {
		return err;
	}
	if ((err = rows_text(r, 0, "outcome", outcome, sizeof(outcome))) == 0) {
		if (strcmp(outcome, "created") == 0) {
			out->outcome = ADMIN_DONE;
		} else if (strcmp(outcome, "duplicate_tier_name") == 0) {
			out->outcome = ADMIN_DUPLICATE_TIER;
			err = rows_text(r, 0, "o_detail", out->tier_name,
			    sizeof(out->tier_name));
		} else if (strcmp(outcome, "unknown_time_zone") == 0) {
			out->outcome = ADMIN_INVALID;
			snprintf(out->field, sizeof(out->field), "timeZone");
			snprintf(out->message, sizeof(out->message),
			    "Unknown time zone");
		} else {
			log_error("create_concert() answered %s", outcome);
			err = TD_ERR_INTERNAL;
		}
	}
	PQclear(r);
	return err;
}

/* update_concert()'s outcomes, as the domain's. */
static int
read_update_outcome(const PGresult *r, struct concert_admin_result *out)
{
	static const struct {
		const char *name;
		enum concert_admin_outcome outcome;
	} outcomes[] = {
	    {"updated", ADMIN_DONE},
	    {"not_found", ADMIN_NOT_FOUND},
	    {"concert_cancelled", ADMIN_CONCERT_CANCELLED},
	    {"unpublish_with_sales", ADMIN_UNPUBLISH_WITH_SALES},
	    {"duplicate_tier_name", ADMIN_DUPLICATE_TIER},
	    {"capacity_below_sold", ADMIN_CAPACITY_BELOW_SOLD},
	    {"tier_has_sales", ADMIN_TIER_HAS_SALES},
	    {"unknown_tier", ADMIN_INVALID},
	    {"unknown_time_zone", ADMIN_INVALID},
	};
	char outcome[32];
	int err;

	if ((err = rows_text(r, 0, "outcome", outcome, sizeof(outcome))) != 0) {
		return err;
	}
	for (size_t i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++) {
		if (strcmp(outcome, outcomes[i].name) != 0) {
			continue;
		}
		out->outcome = outcomes[i].outcome;
		if (out->outcome == ADMIN_INVALID) {
			bool zone = strcmp(outcome, "unknown_time_zone") == 0;

			snprintf(out->field, sizeof(out->field), "%s",
			    zone ? "timeZone" : "tiers");
			snprintf(out->message, sizeof(out->message), "%s",
			    zone ? "Unknown time zone"
			         : "No such tier in this concert");
			return 0;
		}
		if (out->outcome == ADMIN_DUPLICATE_TIER) {
			return rows_text(r, 0, "o_tier_id", out->tier_name,
			    sizeof(out->tier_name));
		}
		if ((err = rows_text(r, 0, "o_tier_id", out->tier_id,
		         sizeof(out->tier_id))) != 0) {
			return err;
		}
		return rows_int(r, 0, "o_sold", &out->sold);
	}
	log_error("update_concert() answered %s", outcome);
	return TD_ERR_INTERNAL;
}

static int
update(void *ctx, const char *id, const struct admin_actor *who,
    const struct concert_draft *m, char (*new_ids)[IDS_SLUG_MAX + 1],
    struct concert_admin_result *out)
{
	struct store *s = ctx;
	static struct tier_arrays changed, added;
	char max[12];
	const char *params[22];
	PGresult *r;
	int err;

	if ((err = format_tiers(m, new_ids, true, &changed)) != 0 ||
	    (err = format_tiers(m, new_ids, false, &added)) != 0) {
		return err;
	}
	snprintf(max, sizeof(max), "%d", m->max_per_fan);
	params[0] = id;
	params[1] = who->user_id;
	params[2] = who->request_id;
	params[3] = m->name;
	params[4] = m->venue;
	params[5] = m->time_zone;
	params[6] = m->starts_local;
	params[7] = or_null(m->doors_local);
	params[8] = m->description;
	params[9] = m->sales_start;
	params[10] = or_null(m->sales_end);
	params[11] = max;
	params[12] = concert_status_name(m->status);
	params[13] = m->status == CONCERT_CANCELLED ? m->cancel_reason : NULL;
	params[14] = changed.ids;
	params[15] = changed.names;
	params[16] = changed.prices;
	params[17] = changed.capacities;
	params[18] = added.ids;
	params[19] = added.names;
	params[20] = added.prices;
	params[21] = added.capacities;
	if ((err = store_exec_txn(s, Q_UPDATE_CONCERT, params, &r)) != 0) {
		return err;
	}
	err = read_update_outcome(r, out);
	if (err == 0 && out->outcome == ADMIN_CAPACITY_BELOW_SOLD) {
		for (int i = 0; i < m->ntiers; i++) {
			if (strcmp(m->tiers[i].id, out->tier_id) == 0) {
				out->capacity = m->tiers[i].capacity;
			}
		}
	}
	PQclear(r);
	return err;
}

void
concert_admin_store_bind(struct concert_admin_store *port, struct store *s)
{
	port->ctx = s;
	port->resolve = resolve;
	port->load = load;
	port->create = create;
	port->update = update;
}

static int
read_sales_tiers(const PGresult *r, struct sales_report *out)
{
	int err;

	for (int i = 0; i < PQntuples(r) && out->ntiers < CONCERT_MAX_TIERS;
	     i++) {
		struct sales_tier *t = &out->tiers[out->ntiers];

		if (rows_is_null(r, i, "tier_id")) {
			continue;
		}
		if ((err = rows_text(r, i, "tier_id", t->id, sizeof(t->id))) !=
		        0 ||
		    (err = rows_text(
		         r, i, "tier_name", t->name, sizeof(t->name))) != 0 ||
		    (err = rows_int64(r, i, "price_cents", &t->price_cents)) !=
		        0 ||
		    (err = rows_int(r, i, "total_quantity", &t->capacity)) !=
		        0 ||
		    (err = rows_int(r, i, "available", &t->available)) != 0 ||
		    (err = rows_int64(
		         r, i, "refunded_cents", &t->refunded_cents)) != 0) {
			return err;
		}
		t->sold = t->capacity - t->available;
		t->gross_cents = t->price_cents * t->sold + t->refunded_cents;
		out->ntiers++;
	}
	return rows_text(
	    r, 0, "generated_at", out->generated_at, sizeof(out->generated_at));
}

static int
read_outcomes(const PGresult *r, struct sales_report *out)
{
	int err;

	if ((err = rows_int64(r, 0, "confirmed", &out->confirmed)) != 0 ||
	    (err = rows_int64(r, 0, "declined", &out->declined)) != 0 ||
	    (err = rows_int64(r, 0, "rejected", &out->rejected)) != 0) {
		return err;
	}
	return rows_int64(r, 0, "cancelled", &out->cancelled);
}

/* "n,n,..." of 60 minutes from first_minute into out->minutes. */
static int
read_minutes(const PGresult *r, struct sales_report *out)
{
	char first[TIMESTAMP_LEN + 1], list[SALES_MINUTES * 21 + 1];
	const char *p = list;
	int64_t ms;
	int err;

	if ((err = rows_text(r, 0, "first_minute", first, sizeof(first))) !=
	        0 ||
	    (err = rows_text(r, 0, "per_minute", list, sizeof(list))) != 0) {
		return err;
	}
	if (timestamp_parse_instant(first, &ms) != 0) {
		log_error("sales: first minute %s", first);
		return TD_ERR_INTERNAL;
	}
	for (int i = 0; i < SALES_MINUTES && *p != '\0'; i++) {
		char *end;
		time_t t = (time_t)(ms / 1000) + 60 * i;
		struct tm tm;

		gmtime_r(&t, &tm);
		strftime(out->minutes[i].minute, sizeof(out->minutes[i].minute),
		    "%Y-%m-%dT%H:%M:%SZ", &tm);
		out->minutes[i].confirmed = strtoll(p, &end, 10);
		p = *end == ',' ? end + 1 : end;
	}
	return 0;
}

int
concert_admin_store_sales(
    struct store *s, const char *id, struct sales_report *out)
{
	const char *params[1] = {id};
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = db_exec(s->primary, Q_SALES, params, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) == 0) {
		err = TD_ERR_NOT_FOUND;
	} else if ((err = read_sales_tiers(r, out)) == 0 &&
	           (err = read_outcomes(r, out)) == 0) {
		err = read_minutes(r, out);
	}
	PQclear(r);
	return err;
}

int
concert_admin_store_gauges(struct store *s, struct concert_gauge **out, int *n)
{
	struct concert_gauge *list = NULL;
	PGresult *r;
	int err = 0, rows;

	*out = NULL;
	*n = 0;
	if ((err = store_exec_read(s, Q_CONCERT_GAUGES, NULL, &r)) != 0) {
		return err;
	}
	rows = PQntuples(r);
	if (PQntuples(r) > 0 &&
	    (list = calloc((size_t)PQntuples(r), sizeof(*list))) == NULL) {
		abort();
	}
	for (int i = 0; i < PQntuples(r) && err == 0; i++) {
		if ((err = rows_text(
		         r, i, "id", list[i].id, sizeof(list[i].id))) == 0 &&
		    (err = rows_int64(r, i, "sold", &list[i].sold)) == 0) {
			err = rows_int64(r, i, "available", &list[i].available);
		}
	}
	PQclear(r);
	if (err != 0) {
		free(list);
		return err;
	}
	*out = list;
	*n = rows;
	return 0;
}
