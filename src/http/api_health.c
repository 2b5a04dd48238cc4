/*
 * api_health.c - GET /health runs a query, so a load balancer takes a
 * node whose database is gone out of rotation; and until every worker of
 * the node has started (base/readiness.h) it answers "starting", so a
 * node whose booking pool is still connecting after a restart is not put
 * in rotation yet (a reload's new master does not: the old one serves
 * until it is ready).
 */
#include "config.h"

#include "http/api_health.h"

static json_object *
pool_start(const struct readiness *r, enum pool_kind pool)
{
	json_object *o = json_object_new_object();

	json_object_object_add(
	    o, "started", json_object_new_int(readiness_count(r, pool)));
	json_object_object_add(
	    o, "workers", json_object_new_int(readiness_size(r, pool)));
	return o;
}

/* 503 with how far each pool has got; no query: the pools' turn first. */
static void
answer_starting(struct api_context *ctx, struct response *res)
{
	json_object *body = json_object_new_object();
	json_object *pools = json_object_new_object();

	json_object_object_add(
	    body, "status", json_object_new_string("starting"));
	json_object_object_add(
	    body, "pool", json_object_new_string(pool_name(ctx->pool)));
	for (int p = 0; p < POOL_COUNT; p++) {
		json_object_object_add(
		    pools, pool_name(p), pool_start(ctx->readiness, p));
	}
	json_object_object_add(body, "workers", pools);
	response_raw(res, 503, body);
	res->retry_after = 1;
}

void
api_health(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	json_object *body;
	int up;

	if (ctx->readiness != NULL &&
	    readiness_answers_starting(ctx->readiness)) {
		answer_starting(ctx, res);
		return;
	}
	body = json_object_new_object();
	up = store_ping(&ctx->store) == 0;
	json_object_object_add(body, "status",
	    json_object_new_string(up ? "healthy" : "unhealthy"));
	json_object_object_add(
	    body, "database", json_object_new_string(up ? "up" : "down"));
	json_object_object_add(
	    body, "pool", json_object_new_string(pool_name(ctx->pool)));
	response_raw(res, up ? 200 : 503, body);
	if (!up) {
		res->retry_after = 1;
	}
}
