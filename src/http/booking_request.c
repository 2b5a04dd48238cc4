/*
 * booking_request.c - strict parsing of a booking body.
 *
 * json-c is lenient where we must not be: its getters convert between
 * types ("7", true and 1.9 all become integers) and saturate huge
 * numbers, so every getter here follows a type check, and money is
 * parsed from the number's original text, never through a double.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "base/errors.h"
#include "http/booking_request.h"
#include "http/json_body.h"

static int
invalid(struct response *res, const char *field, const char *message)
{
	response_invalid(res, field, message);
	return TD_ERR_INVALID;
}

static int
get_string(
    json_object *obj, const char *key, const char **out, struct response *res)
{
	return json_body_string(obj, key, out, 0, res);
}

static int
parse_slug(json_object *obj, const char *key, const char *field, char *out,
    struct response *res)
{
	const char *s;
	char msg[128];

	if (get_string(obj, key, &s, res) < 0) {
		/* Re-answer with the full field path of a nested member. */
		if (strcmp(key, field) != 0) {
			response_invalid(res, field, "must be a string id");
		}
		return TD_ERR_INVALID;
	}
	if (!ids_is_slug(s)) {
		snprintf(msg, sizeof(msg), "%s must be 1-64 of A-Z a-z 0-9 _ -",
		    field);
		return invalid(res, field, msg);
	}
	memcpy(out, s, strlen(s) + 1);
	return 0;
}

/*
 * userId is optional: the booking is the signed-in fan's.  When present
 * it is kept in claim, for booking_request_bind to compare with the fan.
 */
static int
parse_user(json_object *obj, struct user_claim *claim, struct response *res)
{
	json_object *v;
	const char *s;
	size_t n;

	if (!json_object_object_get_ex(obj, "userId", &v)) {
		return 0;
	}
	/* Present but null is no way to leave it out. */
	if (v == NULL) {
		return invalid(
		    res, "userId", "userId must be a string, or left out");
	}
	if (get_string(obj, "userId", &s, res) < 0) {
		return TD_ERR_INVALID;
	}
	claim->present = true;
	n = strlen(s);
	/* Longer than any fan's id: it names no fan. */
	claim->too_long = n >= sizeof(claim->id);
	if (!claim->too_long) {
		memcpy(claim->id, s, n + 1);
	}
	return 0;
}

static int
parse_key(json_object *obj, struct booking_request *br, struct response *res)
{
	const char *s;

	if (get_string(obj, "idempotencyKey", &s, res) < 0) {
		return TD_ERR_INVALID;
	}
	if (ids_normalize_uuid(s, br->idempotency_key) != 0) {
		return invalid(
		    res, "idempotencyKey", "idempotencyKey must be a UUID");
	}
	return 0;
}

static int
parse_method(json_object *obj, struct booking_request *br, struct response *res)
{
	json_object *v;
	const char *s;

	if (!json_object_object_get_ex(obj, "paymentMethod", &v) || v == NULL) {
		strcpy(br->payment_method, "card");
		return 0;
	}
	if (get_string(obj, "paymentMethod", &s, res) < 0) {
		return TD_ERR_INVALID;
	}
	if (strcmp(s, "card") != 0 && strcmp(s, "test_decline") != 0) {
		return invalid(res, "paymentMethod",
		    "paymentMethod must be \"card\" or \"test_decline\"");
	}
	strcpy(br->payment_method, s);
	return 0;
}

static int
parse_total(json_object *obj, struct booking_request *br, struct response *res)
{
	const char *msg = "totalAmount must be a non-negative amount with at "
	                  "most two decimals";
	json_object *v;

	if (!json_object_object_get_ex(obj, "totalAmount", &v) || v == NULL) {
		return invalid(res, "totalAmount", "totalAmount is required");
	}
	if (json_object_is_type(v, json_type_int) ||
	    json_object_is_type(v, json_type_double)) {
		return json_body_money(v, &br->total_cents) == 0
		           ? 0
		           : invalid(res, "totalAmount", msg);
	}
	return invalid(res, "totalAmount", "totalAmount must be a number");
}

static int
parse_line(
    json_object *item, int i, struct booking_line *line, struct response *res)
{
	char field[48];
	json_object *q;
	int64_t n;

	snprintf(field, sizeof(field), "tickets[%d]", i);
	if (!json_object_is_type(item, json_type_object)) {
		return invalid(
		    res, field, "each ticket line must be an object");
	}

	snprintf(field, sizeof(field), "tickets[%d].tierId", i);
	if (parse_slug(item, "tierId", field, line->tier_id, res) != 0) {
		return TD_ERR_INVALID;
	}

	snprintf(field, sizeof(field), "tickets[%d].quantity", i);
	if (!json_object_object_get_ex(item, "quantity", &q) || q == NULL) {
		return invalid(res, field, "quantity is required");
	}
	if (!json_object_is_type(q, json_type_int)) {
		return invalid(res, field, "quantity must be a whole number");
	}
	n = json_object_get_int64(q);
	if (n < 1 || n > BOOKING_MAX_QUANTITY) {
		return invalid(res, field, "quantity must be from 1 to 10");
	}
	line->quantity = (int)n;
	line->index = i;
	return 0;
}

static int
line_cmp(const void *a, const void *b)
{
	return strcmp(((const struct booking_line *)a)->tier_id,
	    ((const struct booking_line *)b)->tier_id);
}

static int
parse_lines(json_object *obj, struct booking_request *br, struct response *res)
{
	json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(obj, "tickets", &arr) || arr == NULL) {
		return invalid(res, "tickets", "tickets is required");
	}
	if (!json_object_is_type(arr, json_type_array)) {
		return invalid(res, "tickets", "tickets must be an array");
	}
	n = json_object_array_length(arr);
	if (n < 1 || n > BOOKING_MAX_LINES) {
		return invalid(
		    res, "tickets", "tickets must have 1 to 10 lines");
	}

	for (size_t i = 0; i < n; i++) {
		struct booking_line *line = &br->lines[i];

		if (parse_line(json_object_array_get_idx(arr, i), (int)i, line,
		        res) != 0) {
			return TD_ERR_INVALID;
		}
		for (size_t j = 0; j < i; j++) {
			if (strcmp(br->lines[j].tier_id, line->tier_id) == 0) {
				char field[48];

				snprintf(field, sizeof(field),
				    "tickets[%zu].tierId", i);
				return invalid(res, field,
				    "each tier may appear only once");
			}
		}
	}
	br->nlines = (int)n;

	/* Tiers are locked in this order, so bookings never deadlock. */
	qsort(br->lines, n, sizeof(br->lines[0]), line_cmp);
	return 0;
}

/* Stores the canonical text in br; it always fits (bounded fields). */
static int
fingerprint(struct booking_request *br, struct response *res)
{
	char *text = booking_request_canonical(br);
	size_t n = strlen(text);

	if (n >= sizeof(br->fingerprint)) {
		free(text);
		response_internal(res);
		return TD_ERR_INTERNAL;
	}
	memcpy(br->fingerprint, text, n + 1);
	free(text);
	return 0;
}

int
booking_request_parse(const char *body, size_t len, struct booking_request *br,
    struct user_claim *claim, struct response *res)
{
	json_object *obj;
	int rc = TD_ERR_INVALID;

	memset(br, 0, sizeof(*br));
	memset(claim, 0, sizeof(*claim));
	obj = json_body_parse(body, len, res);
	if (obj == NULL) {
		return TD_ERR_INVALID;
	}
	if (parse_slug(obj, "concertId", "concertId", br->concert_id, res) !=
	        0 ||
	    parse_user(obj, claim, res) != 0 ||
	    parse_lines(obj, br, res) != 0 || parse_key(obj, br, res) != 0 ||
	    parse_total(obj, br, res) != 0 || parse_method(obj, br, res) != 0) {
		goto out;
	}
	rc = 0;
out:
	json_object_put(obj);
	return rc;
}

int
booking_request_bind(struct booking_request *br, const struct user_claim *claim,
    const char *fan_id, struct response *res)
{
	json_object *details;

	if (claim->present &&
	    (claim->too_long || strcmp(claim->id, fan_id) != 0)) {
		details = json_object_new_object();
		json_object_object_add(
		    details, "field", json_object_new_string("userId"));
		response_error(res, 403, "FORBIDDEN",
		    "userId must be your own id, or left out", details);
		return TD_ERR_INVALID;
	}
	if (strlen(fan_id) >= sizeof(br->user_id)) {
		response_internal(res);
		return TD_ERR_INTERNAL;
	}
	strcpy(br->user_id, fan_id);
	return fingerprint(br, res);
}

char *
booking_request_canonical(const struct booking_request *br)
{
	json_object *arr = json_object_new_array();
	json_object *lines = json_object_new_array();
	char *text;

	for (int i = 0; i < br->nlines; i++) {
		json_object *line = json_object_new_array();

		json_object_array_add(
		    line, json_object_new_string(br->lines[i].tier_id));
		json_object_array_add(
		    line, json_object_new_int(br->lines[i].quantity));
		json_object_array_add(lines, line);
	}
	json_object_array_add(arr, json_object_new_string(br->concert_id));
	json_object_array_add(arr, json_object_new_string(br->user_id));
	json_object_array_add(arr, json_object_new_string(br->payment_method));
	json_object_array_add(arr, json_object_new_int64(br->total_cents));
	json_object_array_add(arr, lines);

	text =
	    strdup(json_object_to_json_string_ext(arr, JSON_C_TO_STRING_PLAIN));
	json_object_put(arr);
	if (text == NULL) {
		abort();
	}
	return text;
}
