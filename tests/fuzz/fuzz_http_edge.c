/*
 * fuzz_http_edge.c - libFuzzer target for the HTTP edge of a worker:
 * CGI params, CONTENT_LENGTH, the bounded body read, routing, the slug
 * check of ":id", the booking validator and the response writer.
 *
 * Input: four lines and a body,
 *
 *     METHOD \n PATH \n CONTENT_TYPE \n CONTENT_LENGTH \n BODY...
 *
 * (missing lines are absent params).  The request is served the way
 * worker.c's serve_one() serves it, except that router_dispatch() only runs
 * when the answer is decided before the database: the context here has no
 * connection.  Requests that would reach PostgreSQL stop after their last
 * database-free step.  A booking without a session cookie (every one here)
 * is answered 401 after its body is parsed: it is dispatched, and its body
 * is also checked as a signed-in fan's would be (the validator, the
 * binding to the fan and the canonical text).
 */
#include "config.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/context.h"
#include "http/booking_request.h"
#include "domain/ids.h"
#include "http/request.h"
#include "http/response.h"
#include "http/router.h"

#define FUZZ_MAX_BODY 4096 /* a small cap so 413 is reachable */

static const struct payment_settings payment = {0, 1000, 0.0, false};
#define NFIELDS 4

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct params {
	char *field[NFIELDS]; /* NULL when the input has no such line */
};

struct mem_reader {
	const char *buf;
	size_t len, off, chunk;
};

static const char *const param_names[NFIELDS] = {
    "REQUEST_METHOD", "DOCUMENT_URI", "CONTENT_TYPE", "CONTENT_LENGTH"};

static const char *
param(void *ctx, const char *name)
{
	struct params *p = ctx;

	for (int i = 0; i < NFIELDS; i++) {
		if (strcmp(name, param_names[i]) == 0) {
			return p->field[i];
		}
	}
	return NULL;
}

/* Hands out the body in small pieces, as FCGX_GetStr may. */
static int
mem_read(void *ctx, char *buf, int n)
{
	struct mem_reader *m = ctx;
	size_t k = m->len - m->off;

	if (k > (size_t)n) {
		k = (size_t)n;
	}
	if (k > m->chunk) {
		k = m->chunk;
	}
	memcpy(buf, m->buf + m->off, k);
	m->off += k;
	return (int)k;
}

/* True when dispatching req answers without asking the database. */
static int
decided_before_db(const struct request *req)
{
	struct booking_request br;
	struct user_claim claim;
	struct route_match m;
	struct response res;
	char *canonical;
	int rc;

	if (router_match(req->method, req->path, &m) != 0) {
		return 1;
	}
	assert(m.id >= 0 && m.id < ROUTE_COUNT);
	if (m.param != NULL) {
		assert(m.param_len > 0);
		assert(m.param >= req->path &&
		       m.param + m.param_len <= req->path + strlen(req->path));
		if (m.param_len > IDS_SLUG_MAX ||
		    strspn(m.param, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		                    "qrstuvwxyz0123456789_-") < m.param_len) {
			return 1; /* 400 for the id */
		}
	}
	if (m.id != ROUTE_BOOKINGS) {
		return 0;
	}
	if (!request_is_json(req)) {
		return 1; /* 415 */
	}

	/* The validator and the binding to a fan, as a signed-in fan's
	 * booking would run them. */
	response_init(&res);
	rc = booking_request_parse(req->body, req->body_len, &br, &claim, &res);
	if (rc == 0) {
		rc = booking_request_bind(&br, &claim, "u_fuzz", &res);
	}
	if (rc == 0) {
		/* The last step before the booking flow asks the database. */
		canonical = booking_request_canonical(&br);
		free(canonical);
	}
	response_free(&res);
	/* These requests carry no session cookie (param() has none): the
	 * handler parses the body, then answers 401 without asking the
	 * database. */
	assert(req->cookie == NULL || req->cookie[0] == '\0');
	return 1;
}

static void
split_input(const uint8_t *data, size_t size, struct params *p,
    const char **body, size_t *body_len)
{
	const char *s = (const char *)data, *end = s + size;

	memset(p, 0, sizeof(*p));
	for (int i = 0; i < NFIELDS && s < end; i++) {
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl != NULL ? (size_t)(nl - s) : (size_t)(end - s);

		/* CGI params are C strings: a NUL inside ends them. */
		p->field[i] = strndup(s, n);
		if (p->field[i] == NULL) {
			abort();
		}
		s += n + (nl != NULL);
	}
	*body = s;
	*body_len = (size_t)(end - s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct api_context ctx; /* zeroed: no handler that reads it runs */
	struct params p;
	struct mem_reader mr;
	struct request req;
	struct response res;
	char head[512];
	const char *body;
	size_t blen, hlen;

	memset(&ctx, 0, sizeof(ctx));
	ctx.store.txn_semid = -1;
	ctx.payment = &payment; /* as a worker's: test payments off */

	split_input(data, size, &p, &body, &blen);
	mr.buf = body;
	mr.len = blen;
	mr.off = 0;
	mr.chunk = 1 + blen % 7;

	request_init(&req, param, &p);
	assert(req.method != NULL && req.path != NULL);
	assert(req.content_type != NULL && req.request_id != NULL);
	response_init(&res);
	if (request_read_body(
	        &req, p.field[3], FUZZ_MAX_BODY, mem_read, &mr, &res) == 0) {
		assert(req.body_len <= FUZZ_MAX_BODY);
		assert(req.body == NULL || req.body[req.body_len] == '\0');
		if (decided_before_db(&req)) {
			router_dispatch(&ctx, &req, &res);
			assert(res.status >= 400 && res.status < 500);
			assert(res.status != 405 || res.allow != NULL);
		}
	} else {
		assert(res.status == 400 || res.status == 413);
	}

	/* What the worker writes back, for every request. */
	(void)router_names[ROUTE_BOOKINGS];
	hlen = response_format_head(&res, head, sizeof(head));
	assert(hlen > 0);
	(void)response_body(&res, &blen);

	response_free(&res);
	request_free(&req);
	for (int i = 0; i < NFIELDS; i++) {
		free(p.field[i]);
	}
	return 0;
}
