/*
 * checkin_store.c - a ticket's admission in one statement.
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "base/log.h"
#include "store/checkin_store.h"
#include "store/rows.h"
#include "store/statements.h"

static int
read_admission(const PGresult *r, struct admission *out)
{
	char outcome[24];
	int err;

	if ((err = rows_text(r, 0, "outcome", outcome, sizeof(outcome))) != 0) {
		return err;
	}
	if (checkin_outcome_parse(outcome, &out->outcome) != 0 ||
	    out->outcome == CHECKIN_WRONG_CONCERT) {
		log_error("admit_ticket() answered %s", outcome);
		return TD_ERR_INTERNAL;
	}
	if (out->outcome != CHECKIN_ADMITTED &&
	    out->outcome != CHECKIN_ALREADY_ADMITTED) {
		return 0;
	}
	if ((err = rows_text(r, 0, "o_admitted_at", out->admitted_at,
	         sizeof(out->admitted_at))) != 0 ||
	    (err = rows_text(r, 0, "o_door", out->door, sizeof(out->door))) !=
	        0 ||
	    (err = rows_text(r, 0, "o_tier_name", out->tier_name,
	         sizeof(out->tier_name))) != 0) {
		return err;
	}
	return rows_text(
	    r, 0, "o_fan_name", out->fan_name, sizeof(out->fan_name));
}

static int
admit(void *ctx, const struct ticket_claim *claim, const char *door,
    const char *staff_id, struct admission *out)
{
	char index[16];
	const char *params[5] = {
	    claim->booking_id, index, claim->concert_id, door, staff_id};
	PGresult *r;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(index, sizeof(index), "%d", claim->index);
	err = store_exec_txn(ctx, Q_ADMIT_TICKET, params, &r);
	if (err == 0) {
		err = read_admission(r, out);
	}
	PQclear(r);
	return err;
}

void
checkin_store_bind(struct store *s, struct checkin_store *port)
{
	port->ctx = s;
	port->admit = admit;
}
