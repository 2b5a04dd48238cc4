/*
 * request.c - CGI params and a bounded body read.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/ids.h"
#include "http/request.h"

int
request_parse_length(const char *text, size_t cap, size_t *len)
{
	size_t v = 0;

	*len = 0;
	if (text == NULL || *text == '\0') {
		return 0;
	}
	for (const char *p = text; *p != '\0'; p++) {
		if (*p < '0' || *p > '9') {
			return TD_ERR_INVALID;
		}
		v = v * 10 + (size_t)(*p - '0');
		/* Stop before overflow: anything above cap is refused anyway.
		 */
		if (v > cap) {
			return TD_ERR_TOO_LARGE;
		}
	}
	*len = v;
	return 0;
}

static const char *
param_or(const char *(*param)(void *, const char *), void *ctx,
    const char *name, const char *fallback)
{
	const char *v = param(ctx, name);

	return v != NULL && *v != '\0' ? v : fallback;
}

void
request_init(struct request *req,
    const char *(*param)(void *ctx, const char *name), void *ctx)
{
	req->method = param_or(param, ctx, "REQUEST_METHOD", "GET");
	req->path = param_or(param, ctx, "DOCUMENT_URI",
	    param_or(param, ctx, "SCRIPT_NAME", "/"));
	req->content_type = param_or(param, ctx, "CONTENT_TYPE", "");
	req->request_id = param_or(param, ctx, "HTTP_X_REQUEST_ID", "-");
	req->query = param_or(param, ctx, "QUERY_STRING", "");
	req->host = param_or(param, ctx, "HTTP_HOST", "");
	req->remote_addr = param_or(param, ctx, "REMOTE_ADDR", "-");
	req->https = strcmp(param_or(param, ctx, "HTTPS", ""), "on") == 0;
	req->cookie = param(ctx, "HTTP_COOKIE");
	req->origin = param(ctx, "HTTP_ORIGIN");
	req->sec_fetch_site = param(ctx, "HTTP_SEC_FETCH_SITE");
	req->body = NULL;
	req->body_len = 0;
}

int
request_query(const struct request *req, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);

	for (const char *p = req->query; *p != '\0';) {
		const char *end = strchr(p, '&');
		size_t n = end != NULL ? (size_t)(end - p) : strlen(p);

		if (n > klen && strncmp(p, key, klen) == 0 && p[klen] == '=') {
			n -= klen + 1;
			if (n >= len) {
				return TD_ERR_TOO_LARGE;
			}
			memcpy(out, p + klen + 1, n);
			out[n] = '\0';
			return 0;
		}
		p += n + (end != NULL);
	}
	return TD_ERR_NOT_FOUND;
}

static int
hex_value(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
	                              : -1;
}

int
request_query_text(
    const struct request *req, const char *key, char *out, size_t len)
{
	size_t n = 0;
	int rc = request_query(req, key, out, len);

	if (rc != 0) {
		return rc;
	}
	/* In place: the decoded text is never longer. */
	for (const char *p = out; *p != '\0'; p++) {
		if (*p == '%') {
			int hi = hex_value(p[1]),
			    lo = hi < 0 ? -1 : hex_value(p[2]);

			if (lo < 0) {
				return TD_ERR_INVALID;
			}
			out[n++] = (char)(hi * 16 + lo);
			p += 2;
		} else {
			out[n++] = *p == '+' ? ' ' : *p;
		}
	}
	out[n] = '\0';
	return ids_is_clean_utf8(out, n) && strlen(out) == n ? 0
	                                                     : TD_ERR_INVALID;
}

int
request_read_body(struct request *req, const char *content_length, size_t cap,
    request_reader reader, void *ctx, struct response *res)
{
	size_t want, got = 0;
	int rc;

	rc = request_parse_length(content_length, cap, &want);
	if (rc == TD_ERR_TOO_LARGE) {
		response_error(res, 413, "PAYLOAD_TOO_LARGE",
		    "Request body is too large", NULL);
		return -1;
	}
	if (rc != 0) {
		response_invalid(
		    res, "Content-Length", "Malformed Content-Length");
		return -1;
	}
	if (want == 0) {
		return 0;
	}

	req->body = malloc(want + 1);
	if (req->body == NULL) {
		abort();
	}
	while (got < want) {
		int n = reader(ctx, req->body + got, (int)(want - got));

		if (n <= 0) {
			break;
		}
		got += (size_t)n;
	}
	req->body[got] = '\0';
	req->body_len = got;
	if (got != want) {
		response_invalid(res, "body",
		    "Request body is shorter than its Content-Length");
		return -1;
	}
	return 0;
}

/* Optional white space of a header (RFC 9110). */
static bool
is_ows(char c)
{
	return c == ' ' || c == '\t';
}

bool
request_content_type_is_json(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof(json) - 1;

	if (ct == NULL) {
		return false;
	}
	while (is_ows(*ct)) {
		ct++;
	}
	if (strncasecmp(ct, json, n) != 0) {
		return false;
	}
	ct += n;
	while (is_ows(*ct)) {
		ct++;
	}
	return *ct == '\0' || *ct == ';';
}

bool
request_is_json(const struct request *req)
{
	return request_content_type_is_json(req->content_type);
}

void
request_free(struct request *req)
{
	free(req->body);
	req->body = NULL;
	req->body_len = 0;
}
