/*
 * account_mail_store.h - verification and reset of accounts in PostgreSQL.
 */
#ifndef TICKETD_ACCOUNT_MAIL_STORE_H
#define TICKETD_ACCOUNT_MAIL_STORE_H

#include "domain/account_mail.h"
#include "store/store.h"

/* Fills port with the functions that run against s (which must outlive it). */
void account_mail_store_bind(struct store *s, struct account_mail_store *port);

#endif
