/*
 * concerts.c - GET /api/concerts, /api/concerts/:id and its availability.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/concerts.h"
#include "store/queries.h"

static int64_t
cell_int(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col)
	           ? 0
	           : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static json_object *
cell_string(const PGresult *r, int row, int col)
{
	return json_object_new_string(PQgetvalue(r, row, col));
}

/* Columns 0-4 of Q_CONCERTS and Q_CONCERT: id, name, venue, eventDate,
 * createdAt. */
static json_object *
concert_json(const PGresult *r, int row)
{
	json_object *c = json_object_new_object();

	json_object_object_add(c, "id", cell_string(r, row, 0));
	json_object_object_add(c, "name", cell_string(r, row, 1));
	json_object_object_add(c, "venue", cell_string(r, row, 2));
	json_object_object_add(c, "eventDate", cell_string(r, row, 3));
	json_object_object_add(c, "createdAt", cell_string(r, row, 4));
	return c;
}

void
concerts_list(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	json_object *list;
	PGresult *r;
	int err;

	err = app_exec_read(app, Q_CONCERTS, NULL, &r);
	if (err != DB_OK) {
		app_reply_db_error(res, err);
		return;
	}

	list = json_object_new_array_ext(PQntuples(r));
	for (int i = 0; i < PQntuples(r); i++) {
		json_object *c = concert_json(r, i);

		/* Beyond the seed's contract: enough for a listing page in one
		 * call. */
		json_object_object_add(c, "minPrice",
		    PQgetisnull(r, i, 5) ? NULL
		                         : json_money(cell_int(r, i, 5)));
		json_object_object_add(c, "totalQuantity",
		    json_object_new_int64(cell_int(r, i, 6)));
		json_object_object_add(c, "availableQuantity",
		    json_object_new_int64(cell_int(r, i, 7)));
		json_object_array_add(list, c);
	}
	PQclear(r);
	response_data(res, 200, list, NULL);
	res->cache_control = "no-cache";
}

/* Answers 404 CONCERT_NOT_FOUND or the db error; returns the concert or NULL.
 */
static json_object *
concert_or_reply(struct app *app, const char *id, struct response *res)
{
	const char *params[1] = {id};
	json_object *c = NULL;
	PGresult *r;
	int err;

	err = app_exec_read(app, Q_CONCERT, params, &r);
	if (err != DB_OK) {
		app_reply_db_error(res, err);
		return NULL;
	}
	if (PQntuples(r) == 0) {
		response_error(
		    res, 404, "CONCERT_NOT_FOUND", "Concert not found", NULL);
	} else {
		c = concert_json(r, 0);
	}
	PQclear(r);
	return c;
}

void
concerts_get(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	json_object *c = concert_or_reply(app, id, res);

	if (c != NULL) {
		response_data(res, 200, c, NULL);
		res->cache_control = "no-cache";
	}
}

/* One read statement, from the replica or the primary. */
static int
exec_on(struct app *app, int from_replica, int q, const char *const *params,
    PGresult **r)
{
	return from_replica ? app_exec_read(app, q, params, r)
	                    : db_exec(app->db, q, params, r);
}

int
concerts_load_tiers(struct app *app, int from_replica, const char *concert_id,
    struct tier *tiers, int max)
{
	const char *params[1] = {concert_id};
	PGresult *r;
	int err, n;

	err = exec_on(app, from_replica, Q_AVAILABILITY, params, &r);
	if (err != DB_OK) {
		return err;
	}
	n = PQntuples(r) < max ? PQntuples(r) : max;
	for (int i = 0; i < n; i++) {
		struct tier *t = &tiers[i];

		snprintf(t->id, sizeof(t->id), "%s", PQgetvalue(r, i, AV_ID));
		snprintf(
		    t->name, sizeof(t->name), "%s", PQgetvalue(r, i, AV_NAME));
		t->price_cents = cell_int(r, i, AV_PRICE);
		t->total = (int)cell_int(r, i, AV_TOTAL);
		t->available = (int)cell_int(r, i, AV_AVAILABLE);
		t->buckets = (int)cell_int(r, i, AV_BUCKETS);
	}
	PQclear(r);
	if (n > 0) {
		return n;
	}

	/* No tiers: tell a concert without tiers from no concert at all. */
	err = exec_on(app, from_replica, Q_CONCERT, params, &r);
	if (err != DB_OK) {
		return err;
	}
	n = PQntuples(r) == 0 ? CONCERTS_NOT_FOUND : 0;
	PQclear(r);
	return n;
}

const struct tier *
concerts_find_tier(const struct tier *tiers, int n, const char *tier_id)
{
	for (int i = 0; i < n; i++) {
		if (strcmp(tiers[i].id, tier_id) == 0) {
			return &tiers[i];
		}
	}
	return NULL;
}

void
concerts_availability(struct app *app, const struct request *req,
    const char *id, struct response *res)
{
	struct tier tiers[CONCERTS_MAX_TIERS];
	json_object *data, *list;
	int n;

	n = concerts_load_tiers(app, 1, id, tiers, CONCERTS_MAX_TIERS);
	if (n == CONCERTS_NOT_FOUND) {
		response_error(
		    res, 404, "CONCERT_NOT_FOUND", "Concert not found", NULL);
		return;
	}
	if (n < 0) {
		app_reply_db_error(res, n);
		return;
	}

	list = json_object_new_array_ext(n);
	for (int i = 0; i < n; i++) {
		json_object *t = json_object_new_object();

		json_object_object_add(
		    t, "id", json_object_new_string(tiers[i].id));
		json_object_object_add(
		    t, "tierName", json_object_new_string(tiers[i].name));
		json_object_object_add(
		    t, "price", json_money(tiers[i].price_cents));
		json_object_object_add(
		    t, "totalQuantity", json_object_new_int(tiers[i].total));
		json_object_object_add(t, "availableQuantity",
		    json_object_new_int(tiers[i].available));
		json_object_array_add(list, t);
	}
	data = json_object_new_object();
	json_object_object_add(data, "concertId", json_object_new_string(id));
	json_object_object_add(data, "tiers", list);
	response_data(res, 200, data, NULL);
	res->cache_control = "no-cache";
}
