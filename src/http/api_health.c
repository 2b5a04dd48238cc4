/*
 * api_health.c - GET /health runs a query, so a load balancer takes a
 * node whose database is gone out of rotation.
 */
#include "config.h"

#include "http/api_health.h"

void
api_health(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	json_object *body = json_object_new_object();
	int up = store_ping(&ctx->store) == 0;

	json_object_object_add(body, "status",
	    json_object_new_string(up ? "healthy" : "unhealthy"));
	json_object_object_add(
	    body, "database", json_object_new_string(up ? "up" : "down"));
	json_object_object_add(body, "pool",
	    json_object_new_string(ctx->pool == POOL_READ ? "read" : "book"));
	response_raw(res, up ? 200 : 503, body);
	if (!up) {
		res->retry_after = 1;
	}
}
