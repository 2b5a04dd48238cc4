/*
 * account_store.h - accounts and sessions (domain/account.h) over
 * PostgreSQL.  Every session read and write goes to the primary: a
 * replica may not have a session that was started a moment ago.
 */
#ifndef TICKETD_ACCOUNT_STORE_H
#define TICKETD_ACCOUNT_STORE_H

#include "domain/account.h"
#include "store/store.h"

/* The user of r's first row (id, email, name, role).  0 or a td_error. */
int account_store_read_user(const PGresult *r, struct user *u);

/*
 * The session and user of r's first row, as statements.c's SESSION_SELECT
 * names them with prefix.  0 or a td_error.
 */
int account_store_read_session(
    const PGresult *r, const char *prefix, struct session_record *out);

/* Fills port with the functions that run against s (which must outlive it). */
void account_store_bind(struct store *s, struct account_store *port);

#endif
