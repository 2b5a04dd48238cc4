/*
 * health.c - GET /health runs a query, so a load balancer takes a node
 * whose database is gone out of rotation.
 */
#include "config.h"

#include "http/health.h"
#include "store/queries.h"

void
health_check(struct app *app, const struct request *req, const char *id,
    struct response *res)
{
	json_object *body = json_object_new_object();
	PGresult *r;
	int err;

	err = db_exec(app->db, Q_PING, NULL, &r);
	PQclear(r);

	json_object_object_add(body, "status",
	    json_object_new_string(err == DB_OK ? "healthy" : "unhealthy"));
	json_object_object_add(body, "database",
	    json_object_new_string(err == DB_OK ? "up" : "down"));
	json_object_object_add(body, "pool",
	    json_object_new_string(app->pool == POOL_READ ? "read" : "book"));
	response_raw(res, err == DB_OK ? 200 : 503, body);
	if (err != DB_OK) {
		res->retry_after = 1;
	}
}
