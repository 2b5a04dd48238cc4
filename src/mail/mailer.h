/*
 * mailer.h - the process that sends the outbox (see mailer.c).
 */
#ifndef TICKETD_MAILER_H
#define TICKETD_MAILER_H

#include "domain/ticket.h"
#include "mail/message.h"
#include "store/db.h"

struct mailer_settings {
	int log_level;
	const char *database_url;
	const struct db_settings *db;
	const char *smtp_url; /* holds credentials: never logged */
	const char *from;     /* MAIL_FROM */
	const char *site;     /* the site's origin for links, or "" */
	int poll_ms;          /* how often an idle mailer looks */
	/* The tickets' signing key; NULL: confirmations without QR codes. */
	const struct ticket_keys *ticket_keys;
};

/*
 * Sends the outbox until SIGTERM, then finishes the email in hand and
 * exits 0.  Never returns.
 */
void mailer_run(const struct mailer_settings *ms) __attribute__((noreturn));

/* Seconds before attempt number attempts + 1: 5, 10, 20 ... 3600. */
int mailer_retry_delay_s(int attempts);

#endif
