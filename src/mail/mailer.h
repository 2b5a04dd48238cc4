/*
 * mailer.h - the process that sends the outbox (see mailer.c).
 */
#ifndef TICKETD_MAILER_H
#define TICKETD_MAILER_H

#include "mail/message.h"
#include "store/db.h"

/*
 * A booking's tickets for its email: *out malloc'd (the mailer frees it),
 * *n of them.  Returns 0 or a td_error.
 */
typedef int mail_tickets_fn(
    void *ctx, const struct mail_booking *mb, struct mail_ticket **out, int *n);

struct mailer_settings {
	int log_level;
	const char *database_url;
	const struct db_settings *db;
	const char *smtp_url;     /* holds credentials: never logged */
	const char *from;         /* MAIL_FROM */
	const char *site;         /* the site's origin for links, or "" */
	int poll_ms;              /* how often an idle mailer looks */
	mail_tickets_fn *tickets; /* NULL: emails without QR codes */
	void *tickets_ctx;
};

/*
 * Sends the outbox until SIGTERM, then finishes the email in hand and
 * exits 0.  Never returns.
 */
void mailer_run(const struct mailer_settings *ms) __attribute__((noreturn));

/* Seconds before attempt number attempts + 1: 5, 10, 20 ... 3600. */
int mailer_retry_delay_s(int attempts);

#endif
