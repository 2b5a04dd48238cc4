/*
 * message.h - the email a booking is owed, composed from what the outbox
 * store reads (plain C: no SQL, no SMTP here).
 */
#ifndef TICKETD_MESSAGE_H
#define TICKETD_MESSAGE_H

#include <stddef.h>

#include "domain/ticket_code.h"
#include "store/outbox_store.h"

#define MAIL_TICKET_CODE_MAX TICKET_CODE_MAX_LEN

/* One ticket of a booking, as its QR code carries it. */
struct mail_ticket {
	int index; /* 0-based across the booking */
	char tier_name[TIER_NAME_MAX + 1];
	char code[MAIL_TICKET_CODE_MAX + 1];
};

struct mail_settings {
	const char *from; /* the From header: "ticketd <tickets@example.com>" */
	const char *domain; /* of Message-IDs and calendar UIDs */
	const char *site;   /* the site's origin for links, or "" */
};

/*
 * The whole message for the outbox item about mb: Message-ID
 * <outbox-ID.BOOKING@domain> (the same on every attempt), a text part, a
 * calendar entry (a cancellation for a cancelled booking), and for a
 * confirmation a PNG QR code per ticket.  *msg is malloc'd (free() it),
 * CRLF line ends.  Returns 0, or TD_ERR_INVALID when a code does not fit
 * a QR code.
 */
int mail_compose(const struct mail_settings *ms, const struct outbox_item *item,
    const struct mail_booking *mb, const struct mail_ticket *tickets,
    int ntickets, char **msg, size_t *len);

/*
 * An account's email (item's kind: verify_email or password_reset) to u:
 * its link carries token, in the URL's fragment.  *msg is malloc'd.
 * Returns 0.
 */
int mail_compose_account(const struct mail_settings *ms,
    const struct outbox_item *item, const struct mail_user *u,
    const char *token, char **msg, size_t *len);

/*
 * The address of a From value ("Name <a@b>" or "a@b") into out.  Returns
 * 0, or TD_ERR_INVALID when it has none.
 */
int mail_address(const char *from, char *out, size_t len);

#endif
