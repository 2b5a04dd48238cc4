/*
 * response.c - the JSON envelope and the CGI response head.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/money.h"
#include "http/response.h"

#define JSON_FLAGS (JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

void
response_init(struct response *res)
{
	res->status = 500;
	res->retry_after = 0;
	res->allow = NULL;
	res->cache_control = "no-store";
	res->content_type = "application/json; charset=utf-8";
	res->body = NULL;
	res->text = NULL;
	res->set_cookie[0] = '\0';
	res->disposition = NULL;
	res->stream = NULL;
	res->stream_arg = NULL;
}

void
response_free(struct response *res)
{
	json_object_put(res->body);
	res->body = NULL;
	free(res->text);
	res->text = NULL;
	free(res->stream_arg);
	res->stream_arg = NULL;
	res->stream = NULL;
}

static void
response_set(struct response *res, int status, json_object *body)
{
	json_object_put(res->body);
	res->status = status;
	res->body = body;
}

void
response_data(
    struct response *res, int status, json_object *data, json_object *meta)
{
	json_object *env = json_object_new_object();

	json_object_object_add(env, "success", json_object_new_boolean(1));
	json_object_object_add(env, "data", data);
	if (meta != NULL) {
		json_object_object_add(env, "meta", meta);
	}
	response_set(res, status, env);
}

void
response_raw(struct response *res, int status, json_object *body)
{
	response_set(res, status, body);
}

void
response_text(
    struct response *res, int status, char *text, const char *content_type)
{
	response_free(res);
	res->status = status;
	res->text = text;
	res->content_type = content_type;
}

void
response_error(struct response *res, int status, const char *code,
    const char *message, json_object *details)
{
	json_object *env = json_object_new_object();
	json_object *err = json_object_new_object();

	json_object_object_add(err, "code", json_object_new_string(code));
	json_object_object_add(err, "message", json_object_new_string(message));
	if (details != NULL) {
		json_object_object_add(err, "details", details);
	}
	json_object_object_add(env, "success", json_object_new_boolean(0));
	json_object_object_add(env, "error", err);
	response_set(res, status, env);
}

void
response_invalid(struct response *res, const char *field, const char *message)
{
	json_object *details = json_object_new_object();

	json_object_object_add(details, "field", json_object_new_string(field));
	response_error(res, 400, "INVALID_REQUEST", message, details);
}

void
response_unavailable(struct response *res, const char *message)
{
	response_error(res, 503, "SERVICE_UNAVAILABLE", message, NULL);
	res->retry_after = 1;
}

void
response_internal(struct response *res)
{
	response_error(res, 500, "INTERNAL_SERVER_ERROR",
	    "An unexpected error occurred", NULL);
}

const char *
response_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 402: return "Payment Required";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

void
response_empty(struct response *res, int status)
{
	response_set(res, status, NULL);
	res->content_type = NULL;
}

/* Appends one header line to buf at *off; returns -1 when it does not fit. */
static int
add_header(
    char *buf, size_t len, size_t *off, const char *name, const char *value)
{
	int n = snprintf(buf + *off, len - *off, "%s: %s\r\n", name, value);

	if (n < 0 || (size_t)n >= len - *off) {
		return -1;
	}
	*off += (size_t)n;
	return 0;
}

size_t
response_format_head(const struct response *res, char *buf, size_t len)
{
	char status[64], retry[16];
	size_t off = 0;

	snprintf(status, sizeof(status), "%d %s", res->status,
	    response_reason(res->status));
	snprintf(retry, sizeof(retry), "%d", res->retry_after);
	if (add_header(buf, len, &off, "Status", status) != 0 ||
	    (res->content_type != NULL &&
	        add_header(buf, len, &off, "Content-Type", res->content_type) !=
	            0) ||
	    add_header(buf, len, &off, "Cache-Control", res->cache_control) !=
	        0 ||
	    (res->retry_after > 0 &&
	        add_header(buf, len, &off, "Retry-After", retry) != 0) ||
	    (res->allow != NULL &&
	        add_header(buf, len, &off, "Allow", res->allow) != 0) ||
	    (res->disposition != NULL &&
	        add_header(buf, len, &off, "Content-Disposition",
	            res->disposition) != 0) ||
	    (res->set_cookie[0] != '\0' &&
	        add_header(buf, len, &off, "Set-Cookie", res->set_cookie) !=
	            0) ||
	    off + 3 > len) {
		return 0;
	}
	memcpy(buf + off, "\r\n", 3);
	return off + 2;
}

void
response_stream(struct response *res, const char *content_type,
    response_stream_fn *stream, void *arg)
{
	response_free(res);
	res->status = 200;
	res->content_type = content_type;
	res->stream = stream;
	res->stream_arg = arg;
}

const char *
response_body(const struct response *res, size_t *len)
{
	if (res->text != NULL) {
		*len = strlen(res->text);
		return res->text;
	}
	if (res->body == NULL) {
		*len = 0;
		return "";
	}
	return json_object_to_json_string_length(res->body, JSON_FLAGS, len);
}

json_object *
json_money(int64_t cents)
{
	char text[32];

	/* The double is only what JSON readers get; the text is what is
	 * written. */
	return json_object_new_double_s(
	    (double)cents / 100.0, money_format(cents, text, sizeof(text)));
}
