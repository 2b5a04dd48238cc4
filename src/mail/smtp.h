/*
 * smtp.h - handing one message to an SMTP relay with libcurl.
 */
#ifndef TICKETD_SMTP_H
#define TICKETD_SMTP_H

#include <stdbool.h>
#include <stddef.h>

enum smtp_result {
	SMTP_SENT,
	SMTP_RETRY,  /* try again later: the relay is down, busy, slow */
	SMTP_REFUSED /* refused for good: never answered today (see smtp.c) */
};

struct smtp;

/*
 * A client of the relay at url (smtp://host:port, smtps://user:pass@host:465;
 * credentials in the URL are never logged).  Over smtp:// the connection
 * must upgrade to TLS (STARTTLS) or nothing is sent, except to a relay on
 * loopback without a password.
 */
struct smtp *smtp_new(const char *url, int timeout_s);

/*
 * Sends msg (len bytes, CRLF lines) from the address from to the address
 * to.  On anything but SMTP_SENT, why says what failed, without secrets.
 */
enum smtp_result smtp_send(struct smtp *s, const char *from, const char *to,
    const char *msg, size_t len, char *why, size_t whylen);

void smtp_free(struct smtp *s);

/* The relay's host for logs ("smtp://relay.example:465"), without secrets. */
const char *smtp_where(const struct smtp *s);

#endif
