/*
 * store.c - the replica fallback and the transaction cap.
 */
#include "config.h"

#include "base/log.h"
#include "store/statements.h"
#include "store/store.h"
#include "store/txn_slots.h"

int
store_exec_read(
    const struct store *s, int q, const char *const *params, PGresult **r)
{
	if (s->replica != NULL) {
		int err = db_exec(s->replica, q, params, r);

		if (err != TD_ERR_UNAVAILABLE) {
			return err;
		}
	}
	return db_exec(s->primary, q, params, r);
}

int
store_exec_txn(
    const struct store *s, int q, const char *const *params, PGresult **r)
{
	int err;

	*r = NULL;
	if (txn_slots_acquire(s->txn_semid, STORE_SLOT_WAIT_MS) != 0) {
		return TD_ERR_BUSY;
	}
	for (int attempt = 1;; attempt++) {
		err = db_exec(s->primary, q, params, r);
		if (err != TD_ERR_SERIALIZATION ||
		    attempt == STORE_TXN_ATTEMPTS) {
			break;
		}
		log_info("%s: retrying after %s", statements[q].name,
		    db_sqlstate(s->primary));
	}
	txn_slots_release(s->txn_semid);
	/* Still failing after every attempt: the system is busy. */
	return err == TD_ERR_SERIALIZATION ? TD_ERR_BUSY : err;
}

int
store_ping(const struct store *s)
{
	PGresult *r;
	int err = db_exec(s->primary, Q_PING, NULL, &r);

	PQclear(r);
	return err;
}
