/*
 * response.h - one HTTP response as the API's JSON envelope.
 *
 * Success: {"success":true,"data":...[,"meta":...]}
 * Error:   {"success":false,"error":{"code","message"[,"details"]}}
 *
 * A handler fills a struct response; the worker writes it once.  The
 * response owns its json-c body, freed by response_free().
 */
#ifndef TICKETD_RESPONSE_H
#define TICKETD_RESPONSE_H

#include <stddef.h>
#include <stdint.h>

#include <json-c/json.h>

/* Where a streamed body goes: write() returns 0, or -1 once the client is
 * gone (the stream stops early). */
struct response_sink {
	void *ctx;
	int (*write)(void *ctx, const char *buf, size_t n);
};

/*
 * Writes a body that is made as it is sent (the CSV export), after the
 * head; arg is the handler's, freed with free() by response_free().
 */
typedef void response_stream_fn(void *arg, struct response_sink *sink);

struct response {
	int status;
	int retry_after;           /* seconds; 0 sends no Retry-After */
	const char *allow;         /* Allow header of a 405, or NULL */
	const char *cache_control; /* defaults to "no-store" */
	const char *content_type;  /* defaults to JSON; NULL: no body */
	char set_cookie[256];      /* a Set-Cookie value, "" for none */
	json_object *body;
	char *text;                 /* a non-JSON body (metrics); owned */
	const char *disposition;    /* Content-Disposition, or NULL */
	response_stream_fn *stream; /* a streamed body instead, or NULL */
	void *stream_arg;           /* malloc'd; owned */
};

void response_init(struct response *res);
void response_free(struct response *res);

/* Takes ownership of data and meta (meta may be NULL). */
void response_data(
    struct response *res, int status, json_object *data, json_object *meta);

/* A body that is not the envelope (GET /health).  Takes ownership. */
void response_raw(struct response *res, int status, json_object *body);

/* Takes ownership of details (may be NULL). */
void response_error(struct response *res, int status, const char *code,
    const char *message, json_object *details);

/* 400 INVALID_REQUEST with details {"field": field}. */
void response_invalid(
    struct response *res, const char *field, const char *message);

/* An answer without a body (204 No Content). */
void response_empty(struct response *res, int status);

/* A plain-text body.  Takes ownership of the malloc'd text. */
void response_text(
    struct response *res, int status, char *text, const char *content_type);

/*
 * A 200 whose body stream() writes after the head; takes ownership of
 * arg (malloc'd).
 */
void response_stream(struct response *res, const char *content_type,
    response_stream_fn *stream, void *arg);

/* 503 SERVICE_UNAVAILABLE with Retry-After. */
void response_unavailable(struct response *res, const char *message);

/* 500 INTERNAL_SERVER_ERROR, never with internals. */
void response_internal(struct response *res);

/* The reason phrase of a status ("Created"). */
const char *response_reason(int status);

/*
 * Writes the CGI response head (Status, Content-Type, ...) and the blank
 * line into buf.  Returns the length, or 0 when buf is too small.
 */
size_t response_format_head(const struct response *res, char *buf, size_t len);

/* The serialized body; valid until response_free(). */
const char *response_body(const struct response *res, size_t *len);

/* An exact price: 230 cents-less becomes the JSON number 230.00. */
json_object *json_money(int64_t cents);

#endif
