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
store_txn_slot_take(const struct store *s)
{
	return txn_slots_acquire(s->txn_semid, s->slot_wait_ms) == 0
	           ? 0
	           : TD_ERR_BUSY;
}

void
store_txn_slot_give(const struct store *s)
{
	txn_slots_release(s->txn_semid);
}

int
store_exec_in_slot(
    const struct store *s, int q, const char *const *params, PGresult **r)
{
	int err;

	for (int attempt = 1;; attempt++) {
		err = db_exec(s->primary, q, params, r);
		if (err != TD_ERR_SERIALIZATION ||
		    attempt == STORE_TXN_ATTEMPTS) {
			break;
		}
		log_info("%s: retrying after %s", statements[q].name,
		    db_sqlstate(s->primary));
	}
	/* Still failing after every attempt: the system is busy. */
	return err == TD_ERR_SERIALIZATION ? TD_ERR_BUSY : err;
}

int
store_exec_txn(
    const struct store *s, int q, const char *const *params, PGresult **r)
{
	int err;

	*r = NULL;
	if ((err = store_txn_slot_take(s)) != 0) {
		return err;
	}
	err = store_exec_in_slot(s, q, params, r);
	store_txn_slot_give(s);
	return err;
}

int
store_ping(const struct store *s)
{
	PGresult *r;
	int err = db_exec(s->primary, Q_PING, NULL, &r);

	PQclear(r);
	return err;
}
