/*
 * request.h - one FastCGI request as the handlers see it.
 */
#ifndef TICKETD_REQUEST_H
#define TICKETD_REQUEST_H

#include <stdbool.h>
#include <stddef.h>

#include "base/errors.h"
#include "http/response.h"

struct request {
	const char *method;
	const char *path; /* DOCUMENT_URI: decoded and normalized by nginx */
	const char *content_type; /* "" when absent */
	const char *request_id;   /* nginx's $request_id, "-" when absent */
	const char *query;        /* QUERY_STRING, "" when absent */
	const char *host;         /* the Host header, "" when absent */
	const char *remote_addr;  /* the client (after nginx's realip), "-" */
	bool https;               /* the request came over TLS */
	/* Headers that may be absent (NULL) as well as empty: */
	const char *cookie;
	const char *origin;
	const char *sec_fetch_site;
	char *body; /* NUL-terminated; owned; NULL when empty */
	size_t body_len;
};

/* Reads up to n bytes into buf; returns the count, 0 at end of input. */
typedef int (*request_reader)(void *ctx, char *buf, int n);

/*
 * Parses CONTENT_LENGTH: NULL or "" is 0, otherwise decimal digits only.
 * Returns 0, TD_ERR_INVALID, or TD_ERR_TOO_LARGE when above cap.
 */
int request_parse_length(const char *text, size_t cap, size_t *len);

/*
 * Fills method, path, content type and request id from CGI params
 * (getenv-like lookup).  The strings stay owned by params.
 */
void request_init(struct request *req,
    const char *(*param)(void *ctx, const char *name), void *ctx);

/*
 * Reads the body announced by content_length (at most cap bytes) through
 * reader.  On failure it answers itself - 400 for a malformed or short
 * body, 413 above cap - and returns that td_error; the caller just sends
 * res.
 */
int request_read_body(struct request *req, const char *content_length,
    size_t cap, request_reader reader, void *ctx, struct response *res);

/*
 * The value of key in the query string into out (len bytes), as it is
 * (no percent-decoding: the API's values are ids).  Returns 0,
 * TD_ERR_NOT_FOUND when absent, TD_ERR_TOO_LARGE when it does not fit.
 */
int request_query(
    const struct request *req, const char *key, char *out, size_t len);

/*
 * True when a Content-Type header (NULL when absent) is application/json,
 * in any case, with any parameters: "application/json; charset=utf-8"
 * is, "application/jsonp" and "application/json x" are not.
 */
bool request_content_type_is_json(const char *ct);

/*
 * request_query() of a value that is text: percent-decoded ("+" is a
 * space) into out.  Returns 0, TD_ERR_NOT_FOUND, TD_ERR_TOO_LARGE, or
 * TD_ERR_INVALID for a malformed escape or bytes that are not clean UTF-8.
 */
int request_query_text(
    const struct request *req, const char *key, char *out, size_t len);

/* request_content_type_is_json() of req's Content-Type. */
bool request_is_json(const struct request *req);

void request_free(struct request *req);

#endif
