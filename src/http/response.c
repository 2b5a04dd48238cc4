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
}

void
response_free(struct response *res)
{
	json_object_put(res->body);
	res->body = NULL;
	free(res->text);
	res->text = NULL;
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
	case 400: return "Bad Request";
	case 402: return "Payment Required";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Entity";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Unknown";
	}
}

size_t
response_format_head(const struct response *res, char *buf, size_t len)
{
	char extra[128] = "";
	int n = 0, m;

	if (res->retry_after > 0) {
		n = snprintf(extra, sizeof(extra), "Retry-After: %d\r\n",
		    res->retry_after);
	}
	if (res->allow != NULL && n >= 0 && (size_t)n < sizeof(extra)) {
		snprintf(extra + n, sizeof(extra) - (size_t)n, "Allow: %s\r\n",
		    res->allow);
	}

	m = snprintf(buf, len,
	    "Status: %d %s\r\n"
	    "Content-Type: %s\r\n"
	    "Cache-Control: %s\r\n"
	    "%s"
	    "\r\n",
	    res->status, response_reason(res->status), res->content_type,
	    res->cache_control, extra);
	if (m < 0 || (size_t)m >= len) {
		return 0;
	}
	return (size_t)m;
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
