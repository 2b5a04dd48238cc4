/*
 * api_metrics.c - GET /metrics.
 */
#include "config.h"

#include "base/metrics.h"
#include "http/api_metrics.h"
#include "http/router.h"

void
api_metrics(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	const struct metrics_labels labels = {
	    .routes = router_names,
	    .nroutes = ROUTE_COUNT,
	    .pool_sizes = {ctx->pool_sizes[POOL_READ],
	        ctx->pool_sizes[POOL_BOOK]},
	};

	response_text(
	    res, 200, metrics_render(&labels), "text/plain; version=0.0.4");
}
