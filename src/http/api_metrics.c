/*
 * api_metrics.c - GET /metrics: the daemon's counters, the tickets of
 * every listed concert, and the 502s and 504s nginx answered itself
 * (which no worker saw: an outage shows here once ticketd answers again).
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/metrics.h"
#include "http/api_metrics.h"
#include "http/router.h"
#include "store/concert_admin_store.h"

/* Bytes nginx writes per answer in a gateway log: "502\n". */
#define GATEWAY_LINE 4

static void
write_concert_gauges(struct api_context *ctx, FILE *out)
{
	struct concert_gauge *g;
	int n;

	/* Without the database the rest of /metrics still answers. */
	if (concert_admin_store_gauges(&ctx->store, &g, &n) != 0) {
		return;
	}
	fputs("# HELP ticketd_concert_tickets_sold Tickets sold of each listed "
	      "concert.\n# TYPE ticketd_concert_tickets_sold gauge\n",
	    out);
	for (int i = 0; i < n; i++) {
		fprintf(out,
		    "ticketd_concert_tickets_sold{concert=\"%s\"} %lld\n",
		    g[i].id, (long long)g[i].sold);
	}
	fputs(
	    "# HELP ticketd_concert_tickets_available Tickets on sale of each "
	    "listed concert.\n# TYPE ticketd_concert_tickets_available "
	    "gauge\n",
	    out);
	for (int i = 0; i < n; i++) {
		fprintf(out,
		    "ticketd_concert_tickets_available{concert=\"%s\"} %lld\n",
		    g[i].id, (long long)g[i].available);
	}
	free(g);
}

/* A line per answer in a file nginx appends to: its size counts them. */
static void
write_gateway_counts(const char *dir, FILE *out)
{
	static const char *const statuses[] = {"502", "504"};
	char path[4096];
	struct stat st;

	if (dir == NULL || dir[0] == '\0') {
		return;
	}
	fputs("# HELP ticketd_nginx_gateway_errors_total Answers nginx gave "
	      "itself because no worker did (since its log was last "
	      "rotated).\n# TYPE ticketd_nginx_gateway_errors_total counter\n",
	    out);
	for (size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		snprintf(
		    path, sizeof(path), "%s/gateway-%s.log", dir, statuses[i]);
		fprintf(out,
		    "ticketd_nginx_gateway_errors_total{status=\"%s\"} %lld\n",
		    statuses[i],
		    stat(path, &st) == 0 ? (long long)st.st_size / GATEWAY_LINE
		                         : 0LL);
	}
}

/* How far the node's start has got (base/readiness.h). */
static void
write_readiness(struct readiness *r, FILE *out)
{
	if (r == NULL) {
		return;
	}
	fputs("# HELP ticketd_workers_started Workers that have connected to "
	      "the database (or found it down) and serve.\n"
	      "# TYPE ticketd_workers_started gauge\n",
	    out);
	for (int p = 0; p < POOL_COUNT; p++) {
		fprintf(out, "ticketd_workers_started{pool=\"%s\"} %d\n",
		    pool_name(p), readiness_count(r, p));
	}
	fprintf(out,
	    "# HELP ticketd_ready 1 once every worker has started (/health "
	    "answers \"starting\" before).\n# TYPE ticketd_ready gauge\n"
	    "ticketd_ready %d\n",
	    readiness_check(r) ? 1 : 0);
}

void
api_metrics(struct api_context *ctx, const struct request *req, const char *id,
    struct response *res)
{
	const struct metrics_labels labels = {
	    .routes = router_names,
	    .nroutes = ROUTE_COUNT,
	    .pool_sizes = {ctx->pool_sizes[POOL_READ],
	        ctx->pool_sizes[POOL_BOOK]},
	    .gates = {ctx->gates[POOL_READ], ctx->gates[POOL_BOOK]},
	};
	char *own = metrics_render(&labels), *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (out == NULL) {
		abort();
	}
	fputs(own, out);
	free(own);
	write_readiness(ctx->readiness, out);
	write_concert_gauges(ctx, out);
	write_gateway_counts(ctx->gateway_log_dir, out);
	fclose(out);
	response_text(res, 200, text, "text/plain; version=0.0.4");
}
