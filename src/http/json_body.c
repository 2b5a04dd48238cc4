/*
 * json_body.c - strict parsing of a JSON request body.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/errors.h"
#include "domain/ids.h"
#include "domain/money.h"
#include "http/json_body.h"

static int
hex4(const char *p, const char *end, unsigned *v)
{
	*v = 0;
	if (end - p < 4) {
		return -1;
	}
	for (int i = 0; i < 4; i++) {
		char c = p[i];
		unsigned d;

		if (c >= '0' && c <= '9') {
			d = (unsigned)(c - '0');
		} else if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f') {
			d = (unsigned)((c | 0x20) - 'a' + 10);
		} else {
			return -1;
		}
		*v = *v << 4 | d;
	}
	return 0;
}

/*
 * json-c turns an escaped surrogate that is not half of a pair (\ud800)
 * into U+FFFD, so the decoded text cannot show it: look at the escapes in
 * the body's own text.  Returns 1 when a string holds a lone one.
 */
static int
has_lone_surrogate(const char *body, size_t len)
{
	const char *p = body, *end = body + len;
	int in_string = 0;
	unsigned v, low;

	for (; p < end; p++) {
		if (*p == '"') {
			in_string = !in_string;
		} else if (in_string && *p == '\\' && p + 1 < end) {
			p++;
			if (*p != 'u' || hex4(p + 1, end, &v) != 0) {
				continue;
			}
			p += 4;
			if (v >= 0xdc00 && v <= 0xdfff) {
				return 1;
			}
			if (v < 0xd800 || v > 0xdbff) {
				continue;
			}
			if (end - p < 3 || p[1] != '\\' || p[2] != 'u' ||
			    hex4(p + 3, end, &low) != 0 || low < 0xdc00 ||
			    low > 0xdfff) {
				return 1;
			}
			p += 6;
		}
	}
	return 0;
}

json_object *
json_body_parse(const char *body, size_t len, struct response *res)
{
	json_tokener *tok;
	json_object *obj;
	size_t end;

	if (body == NULL || len == 0) {
		response_invalid(res, "body", "A JSON body is required");
		return NULL;
	}
	tok = json_tokener_new_ex(JSON_BODY_DEPTH);
	if (tok == NULL) {
		abort();
	}
	json_tokener_set_flags(
	    tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	obj = json_tokener_parse_ex(tok, body, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (obj == NULL ||
	    json_tokener_get_error(tok) != json_tokener_success) {
		response_invalid(res, "body", "The body is not valid JSON");
		goto fail;
	}
	/* json-c stops after the first value; whatever follows must be blank.
	 */
	while (end < len && (body[end] == ' ' || body[end] == '\n' ||
	                        body[end] == '\r' || body[end] == '\t')) {
		end++;
	}
	if (end != len) {
		response_invalid(
		    res, "body", "Unexpected data after the JSON object");
		goto fail;
	}
	if (has_lone_surrogate(body, len)) {
		response_invalid(res, "body",
		    "The body has an escaped surrogate that is not half of a "
		    "pair");
		goto fail;
	}
	if (!json_object_is_type(obj, json_type_object)) {
		response_invalid(res, "body", "The body must be a JSON object");
		goto fail;
	}
	json_tokener_free(tok);
	return obj;
fail:
	json_object_put(obj);
	json_tokener_free(tok);
	return NULL;
}

int
json_body_string(json_object *obj, const char *key, const char **out,
    int allow_controls, struct response *res)
{
	json_object *v;
	char msg[96];
	size_t len;

	if (!json_object_object_get_ex(obj, key, &v) || v == NULL) {
		snprintf(msg, sizeof(msg), "%s is required", key);
		response_invalid(res, key, msg);
		return TD_ERR_INVALID;
	}
	if (!json_object_is_type(v, json_type_string)) {
		snprintf(msg, sizeof(msg), "%s must be a string", key);
		response_invalid(res, key, msg);
		return TD_ERR_INVALID;
	}
	*out = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (len != strlen(*out) ||
	    (!allow_controls && !ids_is_clean_utf8(*out, len))) {
		snprintf(
		    msg, sizeof(msg), "%s contains invalid characters", key);
		response_invalid(res, key, msg);
		return TD_ERR_INVALID;
	}
	return (int)len;
}

int
json_body_money(json_object *v, int64_t *cents)
{
	int64_t whole;

	if (json_object_is_type(v, json_type_int)) {
		/* get_int64 saturates: anything at the bounds is out of range
		 * too. */
		whole = json_object_get_int64(v);
		if (whole < 0 || whole > MONEY_MAX_CENTS / 100) {
			return TD_ERR_INVALID;
		}
		*cents = whole * 100;
		return 0;
	}
	if (json_object_is_type(v, json_type_double)) {
		/* The number's own text: 19.99 stays 1999 cents. */
		return money_parse_cents(json_object_get_string(v), cents) == 0
		           ? 0
		           : TD_ERR_INVALID;
	}
	return TD_ERR_INVALID;
}
