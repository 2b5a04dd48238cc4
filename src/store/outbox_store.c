/*
 * outbox_store.c - the outbox in PostgreSQL.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "store/booking_store.h"
#include "store/outbox_store.h"
#include "store/rows.h"
#include "store/statements.h"

#define TEXT(r, row, col, dst) rows_text(r, row, col, dst, sizeof(dst))

static int
read_item(const PGresult *r, int row, struct outbox_item *it)
{
	char kind[32];
	int err;

	memset(it, 0, sizeof(*it));
	if ((err = rows_int64(r, row, "id", &it->id)) != 0 ||
	    (err = TEXT(r, row, "kind", kind)) != 0 ||
	    (err = TEXT(r, row, "booking_id", it->booking_id)) != 0 ||
	    (err = TEXT(r, row, "user_id", it->user_id)) != 0 ||
	    (err = rows_int(r, row, "attempts", &it->attempts)) != 0) {
		return err;
	}
	if (strcmp(kind, "booking_confirmed") == 0) {
		it->kind = OUTBOX_BOOKING_CONFIRMED;
	} else if (strcmp(kind, "booking_cancelled") == 0) {
		it->kind = OUTBOX_BOOKING_CANCELLED;
	} else if (strcmp(kind, "verify_email") == 0) {
		it->kind = OUTBOX_VERIFY_EMAIL;
	} else if (strcmp(kind, "password_reset") == 0) {
		it->kind = OUTBOX_PASSWORD_RESET;
	} else {
		log_error("outbox %" PRId64 ": unknown kind %s", it->id, kind);
		return TD_ERR_INTERNAL;
	}
	return 0;
}

int
outbox_store_claim(struct db *db, int lease_s, int max_attempts,
    struct outbox_item *out, int max, int *n)
{
	char lease[16], limit[16], attempts[16];
	const char *params[3] = {lease, limit, attempts};
	PGresult *r;
	int err;

	*n = 0;
	snprintf(lease, sizeof(lease), "%d", lease_s);
	snprintf(limit, sizeof(limit), "%d", max);
	snprintf(attempts, sizeof(attempts), "%d", max_attempts);
	if ((err = db_exec(db, Q_OUTBOX_GIVE_UP, params + 2, &r)) != 0) {
		return err;
	}
	PQclear(r);
	if ((err = db_exec(db, Q_OUTBOX_CLAIM, params, &r)) != 0) {
		return err;
	}
	for (int i = 0; i < PQntuples(r) && i < max && err == 0; i++) {
		if ((err = read_item(r, i, &out[i])) == 0) {
			(*n)++;
		}
	}
	PQclear(r);
	return err;
}

int
outbox_store_sent(struct db *db, int64_t id)
{
	char text[24];
	const char *params[1] = {text};
	PGresult *r;
	int err;

	snprintf(text, sizeof(text), "%" PRId64, id);
	err = db_exec(db, Q_OUTBOX_SENT, params, &r);
	PQclear(r);
	return err;
}

int
outbox_store_retry(
    struct db *db, int64_t id, const char *error, int delay_s, bool give_up)
{
	char text[24], delay[16];
	const char *params[4] = {
	    text, error, delay, give_up ? "true" : "false"};
	PGresult *r;
	int err;

	snprintf(text, sizeof(text), "%" PRId64, id);
	snprintf(delay, sizeof(delay), "%d", delay_s);
	err = db_exec(db, Q_OUTBOX_RETRY, params, &r);
	PQclear(r);
	return err;
}

int
outbox_store_user(struct db *db, const char *id, struct mail_user *out)
{
	const char *params[1] = {id};
	char verified[4];
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = db_exec(db, Q_MAIL_USER, params, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) == 0) {
		err = TD_ERR_NOT_FOUND;
	} else if ((err = TEXT(r, 0, "id", out->id)) == 0 &&
	           (err = TEXT(r, 0, "email", out->email)) == 0 &&
	           (err = TEXT(r, 0, "name", out->name)) == 0 &&
	           (err = TEXT(r, 0, "verified", verified)) == 0) {
		out->verified = strcmp(verified, "t") == 0;
	}
	PQclear(r);
	return err;
}

int
outbox_store_reset_token(
    struct db *db, const char *token_hash, const char *user_id, int ttl_s)
{
	char ttl[16];
	const char *params[3] = {token_hash, user_id, ttl};
	PGresult *r;
	int err;

	snprintf(ttl, sizeof(ttl), "%d", ttl_s);
	err = db_exec(db, Q_RESET_STORE, params, &r);
	PQclear(r);
	return err;
}

int
outbox_store_booking(struct db *db, const char *id, struct mail_booking *out)
{
	const char *params[1] = {id};
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = db_exec(db, Q_MAIL_BOOKING, params, &r)) != 0) {
		return err;
	}
	if (PQntuples(r) == 0) {
		err = TD_ERR_NOT_FOUND;
	} else if ((err = booking_store_read_rows(
	                r, 0, PQntuples(r), &out->b)) == 0 &&
	           (err = TEXT(r, 0, "fan_email", out->fan_email)) == 0 &&
	           (err = TEXT(r, 0, "fan_name", out->fan_name)) == 0 &&
	           (err = TEXT(r, 0, "concert_name", out->concert_name)) == 0 &&
	           (err = TEXT(r, 0, "venue", out->venue)) == 0 &&
	           (err = TEXT(r, 0, "time_zone", out->time_zone)) == 0 &&
	           (err = TEXT(r, 0, "event_date", out->event_date)) == 0 &&
	           (err = TEXT(r, 0, "starts_at", out->starts_at)) == 0 &&
	           (err = TEXT(r, 0, "doors_at", out->doors_at)) == 0) {
		out->fan_verified =
		    strcmp(PQgetvalue(r, 0, PQfnumber(r, "fan_verified")),
		        "t") == 0;
	}
	PQclear(r);
	return err;
}
