/*
 * concert_admin.c - the rules of a concert an admin creates or changes:
 * names, the venue's time zone, a start in the future, doors before it,
 * a sales window that closes by the start, tiers with distinct names.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/errors.h"
#include "domain/concert_admin.h"
#include "domain/ids.h"
#include "domain/utf8.h"

static enum concert_admin_outcome
decide(struct concert_admin_result *out, enum concert_admin_outcome o)
{
	out->outcome = o;
	return o;
}

static enum concert_admin_outcome
fail(struct concert_admin_result *out, int err)
{
	out->error = err;
	return decide(out, ADMIN_FAILED);
}

static enum concert_admin_outcome
invalid(
    struct concert_admin_result *out, const char *field, const char *fmt, ...)
{
	va_list ap;

	snprintf(out->field, sizeof(out->field), "%s", field);
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return decide(out, ADMIN_INVALID);
}

/* Text a person will read: 1 to max characters, not only blanks. */
static bool
text_ok(const char *s, int max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	bool visible = false;
	int n = 0;
	uint32_t cp;

	while (p < end) {
		if (utf8_next(&p, end, &cp) != 0 || cp < 0x20 || cp == 0x7f) {
			return false;
		}
		visible |= cp != ' ';
		n++;
	}
	return visible && n <= max_chars;
}

/* Characters of s (valid UTF-8 by now). */
static int
chars(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	const unsigned char *end = p + strlen(s);
	int n = 0;
	uint32_t cp;

	while (p < end && utf8_next(&p, end, &cp) == 0) {
		n++;
	}
	return n;
}

static int
tier_field(char *buf, size_t len, int index, const char *name)
{
	return snprintf(buf, len, "tiers[%d].%s", index, name);
}

/*
 * The tiers of a request: names readable and distinct among themselves
 * (the store compares them with the tiers already there), a new tier
 * complete with at least one ticket.
 */
static int
check_tier_drafts(
    const struct concert_draft *d, struct concert_admin_result *out)
{
	char field[48];

	for (int i = 0; i < d->ntiers; i++) {
		const struct tier_draft *t = &d->tiers[i];

		if (t->id[0] == '\0' &&
		    (!t->has_name || !t->has_price || !t->has_capacity)) {
			tier_field(field, sizeof(field), t->index,
			    !t->has_name    ? "tierName"
			    : !t->has_price ? "price"
			                    : "capacity");
			invalid(out, field,
			    "A new tier needs tierName, price and capacity");
			return -1;
		}
		if (t->has_name && !text_ok(t->name, TIER_NAME_CHARS)) {
			tier_field(field, sizeof(field), t->index, "tierName");
			invalid(out, field,
			    "A tier's name is 1 to %d characters",
			    TIER_NAME_CHARS);
			return -1;
		}
		if (t->id[0] == '\0' && t->capacity < 1) {
			tier_field(field, sizeof(field), t->index, "capacity");
			invalid(
			    out, field, "A new tier has at least one ticket");
			return -1;
		}
		for (int j = 0; j < i && t->has_name; j++) {
			if (d->tiers[j].has_name &&
			    strcasecmp(d->tiers[j].name, t->name) == 0) {
				snprintf(out->tier_name, sizeof(out->tier_name),
				    "%s", t->name);
				decide(out, ADMIN_DUPLICATE_TIER);
				return -1;
			}
		}
	}
	return 0;
}

static int
check_texts(const struct concert_draft *d, struct concert_admin_result *out)
{
	if (!text_ok(d->name, CONCERT_NAME_CHARS)) {
		invalid(out, "name", "The name is 1 to %d characters",
		    CONCERT_NAME_CHARS);
		return -1;
	}
	if (!text_ok(d->venue, CONCERT_NAME_CHARS)) {
		invalid(out, "venue", "The venue is 1 to %d characters",
		    CONCERT_NAME_CHARS);
		return -1;
	}
	if (chars(d->description) > CONCERT_DESCRIPTION_CHARS) {
		invalid(out, "description",
		    "The description is at most %d characters",
		    CONCERT_DESCRIPTION_CHARS);
		return -1;
	}
	if (d->max_per_fan < 1 || d->max_per_fan > 100) {
		invalid(out, "maxTicketsPerFan",
		    "maxTicketsPerFan is from 1 to 100");
		return -1;
	}
	return 0;
}

/*
 * The times of d, resolved in its zone: a start in the future (when
 * future_start), doors by the start, sales that open before they close
 * and close by the start.  now_start/now_end: the sales window's default
 * ends when d leaves them out (a creation's sales start now and end at
 * the start).  Returns 0, or -1 with out decided.
 */
static int
check_times(const struct concert_admin_store *store,
    const struct concert_draft *d, bool future_start,
    struct concert_admin_result *out)
{
	struct resolved_times rt;
	int64_t start_ms, end_ms;
	int err;

	err = store->resolve(store->ctx, d->time_zone, d->starts_local,
	    d->doors_local[0] != '\0' ? d->doors_local : NULL, &rt);
	if (err == TD_ERR_NOT_FOUND) {
		invalid(out, "timeZone",
		    "Unknown time zone: use an IANA name such as "
		    "America/New_York");
		return -1;
	}
	if (err != 0) {
		fail(out, err);
		return -1;
	}
	if (future_start && rt.starts_ms <= rt.now_ms) {
		invalid(
		    out, "startsAt", "The concert must start in the future");
		return -1;
	}
	if (d->doors_local[0] != '\0' && rt.doors_ms > rt.starts_ms) {
		invalid(out, "doorsAt", "Doors open before the concert starts");
		return -1;
	}
	start_ms = rt.now_ms;
	if (d->sales_start[0] != '\0' &&
	    timestamp_parse_instant(d->sales_start, &start_ms) != 0) {
		invalid(out, "salesStart", "salesStart is an ISO 8601 instant");
		return -1;
	}
	end_ms = rt.starts_ms;
	if (d->sales_end[0] != '\0' &&
	    timestamp_parse_instant(d->sales_end, &end_ms) != 0) {
		invalid(out, "salesEnd", "salesEnd is an ISO 8601 instant");
		return -1;
	}
	if (end_ms > rt.starts_ms) {
		invalid(
		    out, "salesEnd", "Sales close by the start of the concert");
		return -1;
	}
	if (start_ms >= end_ms) {
		invalid(out, "salesEnd", "Sales close after they open");
		return -1;
	}
	return 0;
}

enum concert_admin_outcome
concert_admin_create(const struct concert_admin_store *store,
    const struct concert_draft *d, struct concert_admin_result *out)
{
	char id[IDS_SLUG_MAX + 1],
	    tier_ids[CONCERT_MAX_TIERS][IDS_SLUG_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	if (!d->has_name || !d->has_venue || !d->has_time_zone ||
	    !d->has_starts) {
		return invalid(out,
		    !d->has_name        ? "name"
		    : !d->has_venue     ? "venue"
		    : !d->has_time_zone ? "timeZone"
		                        : "startsAt",
		    "A concert needs a name, a venue, a time zone and a start");
	}
	if (d->ntiers == 0) {
		return invalid(
		    out, "tiers", "A concert needs at least one tier");
	}
	if (d->status == CONCERT_CANCELLED) {
		return invalid(
		    out, "status", "A new concert is a draft or published");
	}
	for (int i = 0; i < d->ntiers; i++) {
		if (d->tiers[i].id[0] != '\0') {
			char field[48];

			tier_field(
			    field, sizeof(field), d->tiers[i].index, "id");
			return invalid(
			    out, field, "A new concert's tiers are new");
		}
	}
	if (check_texts(d, out) != 0 || check_tier_drafts(d, out) != 0 ||
	    check_times(store, d, true, out) != 0) {
		return out->outcome;
	}

	ids_new_concert_id(id);
	for (int i = 0; i < d->ntiers; i++) {
		ids_new_tier_id(tier_ids[i]);
	}
	if ((err = store->create(store->ctx, id, d, tier_ids, out)) != 0) {
		return fail(out, err);
	}
	if (out->outcome == ADMIN_DONE) {
		snprintf(out->concert_id, sizeof(out->concert_id), "%s", id);
	}
	return out->outcome;
}

/* "2027-06-15T20:00:00-04:00" is 20:00 local: its first 19 characters. */
static void
local_part(const char *with_offset, char *out)
{
	snprintf(out, TIMESTAMP_LOCAL_LEN + 1, "%.*s", TIMESTAMP_LOCAL_LEN,
	    with_offset);
}

/*
 * The concert as it will be: cur with d's fields over it.  Sales that
 * closed at the start by default keep closing at the start when it moves.
 */
static void
merge(const struct admin_concert *cur, const struct concert_draft *d,
    struct concert_draft *m)
{
	const struct concert *c = &cur->d.c;

	*m = *d;
#define KEEP(flag, field, value)                                               \
	if (!d->flag) {                                                        \
		snprintf(m->field, sizeof(m->field), "%s", value);             \
	}
	KEEP(has_name, name, c->name);
	KEEP(has_venue, venue, c->venue);
	KEEP(has_time_zone, time_zone, c->time_zone);
	KEEP(has_description, description, cur->d.description);
	KEEP(has_sales_start, sales_start, c->sales_start);
#undef KEEP
	if (!d->has_starts) {
		local_part(c->starts_at, m->starts_local);
	}
	if (!d->has_doors) {
		m->doors_local[0] = '\0';
		if (c->doors_at[0] != '\0') {
			local_part(c->doors_at, m->doors_local);
		}
	}
	if (!d->has_sales_end) {
		bool at_start = strcmp(c->sales_end, c->starts_at) == 0;

		snprintf(m->sales_end, sizeof(m->sales_end), "%s",
		    at_start && (d->has_starts || d->has_time_zone)
		        ? ""
		        : c->sales_end);
	}
	if (!d->has_max_per_fan) {
		m->max_per_fan = c->max_per_fan;
	}
	if (!d->has_status) {
		m->status = c->status;
	}
}

static const struct admin_tier *
find_tier(const struct admin_concert *c, const char *id)
{
	for (int i = 0; i < c->ntiers; i++) {
		if (strcmp(c->tiers[i].id, id) == 0) {
			return &c->tiers[i];
		}
	}
	return NULL;
}

/* The changes name tiers of the concert, and the total stays in bounds. */
static int
check_tier_changes(const struct admin_concert *cur,
    const struct concert_draft *d, struct concert_admin_result *out)
{
	int added = 0;
	char field[48];

	for (int i = 0; i < d->ntiers; i++) {
		const struct tier_draft *t = &d->tiers[i];

		if (t->id[0] == '\0') {
			added++;
			continue;
		}
		if (find_tier(cur, t->id) == NULL) {
			tier_field(field, sizeof(field), t->index, "id");
			invalid(
			    out, field, "No tier %s in this concert", t->id);
			return -1;
		}
	}
	if (cur->ntiers + added > CONCERT_MAX_TIERS) {
		invalid(out, "tiers", "A concert has at most %d tiers",
		    CONCERT_MAX_TIERS);
		return -1;
	}
	return check_tier_drafts(d, out);
}

enum concert_admin_outcome
concert_admin_update(const struct concert_admin_store *store, const char *id,
    const struct admin_actor *who, const struct concert_draft *d,
    struct concert_admin_result *out)
{
	struct admin_concert cur;
	struct concert_draft m;
	char new_ids[CONCERT_MAX_TIERS][IDS_SLUG_MAX + 1];
	int err;

	memset(out, 0, sizeof(*out));
	err = store->load(store->ctx, id, &cur);
	if (err == TD_ERR_NOT_FOUND) {
		return decide(out, ADMIN_NOT_FOUND);
	}
	if (err != 0) {
		return fail(out, err);
	}
	if (cur.d.c.status == CONCERT_CANCELLED) {
		return decide(out, ADMIN_CONCERT_CANCELLED);
	}
	merge(&cur, d, &m);
	if (m.status == CONCERT_CANCELLED &&
	    (!d->has_cancel_reason ||
	        !text_ok(d->cancel_reason, CANCEL_REASON_CHARS))) {
		return invalid(out, "cancelReason",
		    "Cancelling a concert needs a reason (1 to %d characters): "
		    "its bookings are refunded",
		    CANCEL_REASON_CHARS);
	}
	if (check_texts(&m, out) != 0 ||
	    check_tier_changes(&cur, &m, out) != 0 ||
	    check_times(store, &m, d->has_starts || d->has_time_zone, out) !=
	        0) {
		return out->outcome;
	}

	for (int i = 0; i < m.ntiers; i++) {
		new_ids[i][0] = '\0';
		if (m.tiers[i].id[0] == '\0') {
			ids_new_tier_id(new_ids[i]);
		}
	}
	err = store->update(store->ctx, id, who, &m, new_ids, out);
	/* Capacity, prices or the concert's state may have changed (after an
	 * error too: a lost connection hides whether it committed). */
	if (store->sold_out != NULL &&
	    (err != 0 || out->outcome == ADMIN_DONE)) {
		store->sold_out->clear(store->sold_out->ctx);
	}
	if (err != 0) {
		return fail(out, err);
	}
	if (out->outcome == ADMIN_DONE) {
		snprintf(out->concert_id, sizeof(out->concert_id), "%s", id);
	}
	return out->outcome;
}
