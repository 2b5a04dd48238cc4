/*
 * concert_request.c - strict parsing of the box office's concert bodies
 * (POST and PATCH /api/admin/concerts): every member typed, bounded and
 * in its documented form; an unknown member is a typo, answered 400.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/errors.h"
#include "http/concert_request.h"
#include "http/json_body.h"

static int
invalid(struct response *res, const char *field, const char *message)
{
	response_invalid(res, field, message);
	return TD_ERR_INVALID;
}

static const char *const known_members[] = {"name", "venue", "timeZone",
    "startsAt", "doorsAt", "description", "salesStart", "salesEnd",
    "maxTicketsPerFan", "status", "cancelReason", "tiers"};

static int
check_members(json_object *obj, struct response *res)
{
	char msg[96];

	json_object_object_foreach(obj, key, val)
	{
		size_t i, n = sizeof(known_members) / sizeof(known_members[0]);

		(void)val;
		for (i = 0; i < n && strcmp(key, known_members[i]) != 0; i++) {
		}
		if (i == n) {
			snprintf(msg, sizeof(msg), "Unknown member %.48s", key);
			return invalid(res, "body", msg);
		}
	}
	return 0;
}

/*
 * A string member into out (size bytes).  Returns 1 when present, 0 when
 * absent, or TD_ERR_INVALID (answered).  controls: newlines and tabs are
 * text (a description), not an attack.
 */
static int
get_text(json_object *obj, const char *key, char *out, size_t size,
    int controls, struct response *res)
{
	const char *s;
	char msg[96];
	int len;

	if (!json_object_object_get_ex(obj, key, NULL)) {
		return 0;
	}
	if ((len = json_body_string(obj, key, &s, controls, res)) < 0) {
		return TD_ERR_INVALID;
	}
	if ((size_t)len >= size) {
		snprintf(msg, sizeof(msg), "%s is too long", key);
		return invalid(res, key, msg);
	}
	memcpy(out, s, (size_t)len + 1);
	return 1;
}

static int
parse_time_zone(json_object *obj, struct concert_draft *d, struct response *res)
{
	int got = get_text(
	    obj, "timeZone", d->time_zone, sizeof(d->time_zone), 0, res);

	if (got <= 0) {
		return got;
	}
	for (const char *p = d->time_zone; *p != '\0'; p++) {
		if (!(*p >= 'A' && *p <= 'Z') && !(*p >= 'a' && *p <= 'z') &&
		    !(*p >= '0' && *p <= '9') && strchr("_+-/", *p) == NULL) {
			return invalid(res, "timeZone",
			    "timeZone is an IANA name such as "
			    "America/New_York");
		}
	}
	d->has_time_zone = true;
	return 0;
}

/* startsAt or doorsAt: a wall-clock time at the venue, no offset. */
static int
parse_local(json_object *obj, const char *key, char *out, bool *has,
    bool nullable, struct response *res)
{
	char text[TIMESTAMP_INSTANT_MAX + 1], msg[128];
	json_object *v;
	int got;

	if (json_object_object_get_ex(obj, key, &v) && v == NULL && nullable) {
		out[0] = '\0';
		*has = true;
		return 0;
	}
	if ((got = get_text(obj, key, text, sizeof(text), 0, res)) <= 0) {
		return got;
	}
	if (!timestamp_local_canonical(text, out)) {
		snprintf(msg, sizeof(msg),
		    "%s is the local time at the venue, YYYY-MM-DDTHH:MM[:SS], "
		    "without an offset",
		    key);
		return invalid(res, key, msg);
	}
	*has = true;
	return 0;
}

/* salesStart or salesEnd: an instant with its offset. */
static int
parse_instant(json_object *obj, const char *key, char *out, size_t size,
    bool *has, struct response *res)
{
	char msg[128];
	int64_t ms;
	int got;

	if ((got = get_text(obj, key, out, size, 0, res)) <= 0) {
		return got;
	}
	if (timestamp_parse_instant(out, &ms) != 0) {
		snprintf(msg, sizeof(msg),
		    "%s is an instant with its offset, e.g. "
		    "2027-05-01T10:00:00-04:00 or 2027-05-01T14:00:00Z",
		    key);
		return invalid(res, key, msg);
	}
	*has = true;
	return 0;
}

/* A whole number member within lo..hi.  1 present, 0 absent, or error. */
static int
get_int(json_object *obj, const char *key, const char *field, int lo, int hi,
    int *out, struct response *res)
{
	json_object *v;
	char msg[96];
	int64_t n;

	if (!json_object_object_get_ex(obj, key, &v)) {
		return 0;
	}
	if (v == NULL || !json_object_is_type(v, json_type_int) ||
	    (n = json_object_get_int64(v)) < lo || n > hi) {
		snprintf(msg, sizeof(msg),
		    "%s must be a whole number from %d to %d", field, lo, hi);
		return invalid(res, field, msg);
	}
	*out = (int)n;
	return 1;
}

static int
parse_status(json_object *obj, struct concert_draft *d, struct response *res)
{
	char name[16];
	int got = get_text(obj, "status", name, sizeof(name), 0, res);

	if (got <= 0) {
		return got;
	}
	if (concert_status_parse(name, &d->status) != 0) {
		return invalid(res, "status",
		    "status is \"draft\", \"published\" or \"cancelled\"");
	}
	d->has_status = true;
	return 0;
}

static int
parse_tier(json_object *item, int i, struct tier_draft *t, struct response *res)
{
	char field[48];
	json_object *v;
	int got;

	snprintf(field, sizeof(field), "tiers[%d]", i);
	if (!json_object_is_type(item, json_type_object)) {
		return invalid(res, field, "each tier must be an object");
	}
	memset(t, 0, sizeof(*t));
	t->index = i;
	snprintf(field, sizeof(field), "tiers[%d].id", i);
	if (json_object_object_get_ex(item, "id", &v)) {
		const char *s = json_object_get_string(v);

		if (!json_object_is_type(v, json_type_string) ||
		    !ids_is_slug(s)) {
			return invalid(
			    res, field, "a tier id is 1-64 of A-Z a-z 0-9 _ -");
		}
		snprintf(t->id, sizeof(t->id), "%s", s);
	}
	snprintf(field, sizeof(field), "tiers[%d].tierName", i);
	if ((got = get_text(
	         item, "tierName", t->name, sizeof(t->name), 0, res)) < 0) {
		/* Re-answer with the full path of the member. */
		return invalid(res, field,
		    "tierName must be a string of at most 64 characters");
	}
	t->has_name = got == 1;
	snprintf(field, sizeof(field), "tiers[%d].price", i);
	if (json_object_object_get_ex(item, "price", &v)) {
		if (v == NULL || json_body_money(v, &t->price_cents) != 0) {
			return invalid(res, field,
			    "price must be a non-negative amount with at most "
			    "two "
			    "decimals");
		}
		t->has_price = true;
	}
	snprintf(field, sizeof(field), "tiers[%d].capacity", i);
	if ((got = get_int(item, "capacity", field, 0, TIER_CAPACITY_MAX,
	         &t->capacity, res)) < 0) {
		return TD_ERR_INVALID;
	}
	t->has_capacity = got == 1;
	return 0;
}

static int
parse_tiers(json_object *obj, struct concert_draft *d, struct response *res)
{
	json_object *arr;
	size_t n;

	if (!json_object_object_get_ex(obj, "tiers", &arr)) {
		return 0;
	}
	if (arr == NULL || !json_object_is_type(arr, json_type_array) ||
	    (n = json_object_array_length(arr)) > CONCERT_MAX_TIERS) {
		return invalid(
		    res, "tiers", "tiers must be an array of at most 64 tiers");
	}
	for (size_t i = 0; i < n; i++) {
		if (parse_tier(json_object_array_get_idx(arr, i), (int)i,
		        &d->tiers[i], res) != 0) {
			return TD_ERR_INVALID;
		}
	}
	d->ntiers = (int)n;
	return 0;
}

/* Sets d->has_<member> for a text member got from get_text(). */
static int
text_member(json_object *obj, const char *key, char *out, size_t size,
    int controls, bool *has, struct response *res)
{
	int got = get_text(obj, key, out, size, controls, res);

	if (got < 0) {
		return got;
	}
	*has = got == 1;
	return 0;
}

int
concert_request_parse(
    const char *body, size_t len, struct concert_draft *d, struct response *res)
{
	json_object *obj = json_body_parse(body, len, res);
	int got, err = TD_ERR_INVALID;

	memset(d, 0, sizeof(*d));
	d->status = CONCERT_DRAFT;
	d->max_per_fan = 10;
	if (obj == NULL) {
		return TD_ERR_INVALID;
	}
	if (check_members(obj, res) != 0 ||
	    text_member(obj, "name", d->name, sizeof(d->name), 0, &d->has_name,
	        res) != 0 ||
	    text_member(obj, "venue", d->venue, sizeof(d->venue), 0,
	        &d->has_venue, res) != 0 ||
	    text_member(obj, "description", d->description,
	        sizeof(d->description), 1, &d->has_description, res) != 0 ||
	    text_member(obj, "cancelReason", d->cancel_reason,
	        sizeof(d->cancel_reason), 1, &d->has_cancel_reason, res) != 0 ||
	    parse_time_zone(obj, d, res) != 0 ||
	    parse_local(obj, "startsAt", d->starts_local, &d->has_starts, false,
	        res) != 0 ||
	    parse_local(obj, "doorsAt", d->doors_local, &d->has_doors, true,
	        res) != 0 ||
	    parse_instant(obj, "salesStart", d->sales_start,
	        sizeof(d->sales_start), &d->has_sales_start, res) != 0 ||
	    parse_instant(obj, "salesEnd", d->sales_end, sizeof(d->sales_end),
	        &d->has_sales_end, res) != 0 ||
	    (got = get_int(obj, "maxTicketsPerFan", "maxTicketsPerFan", 1, 100,
	         &d->max_per_fan, res)) < 0 ||
	    parse_status(obj, d, res) != 0 || parse_tiers(obj, d, res) != 0) {
		goto out;
	}
	d->has_max_per_fan = got == 1;
	err = 0;
out:
	json_object_put(obj);
	return err;
}
