/*
 * message.c - a booking's email as one RFC 5322 message: a UTF-8 text
 * part, an iCalendar entry and a QR image per ticket, every part base64
 * (no line is ever too long, whatever a name holds), every header that
 * may hold UTF-8 written as RFC 2047 encoded words (so no value can add a
 * header line).
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "base/errors.h"
#include "domain/money.h"
#include "mail/ics.h"
#include "mail/message.h"
#include "mail/qr_png.h"

#define QR_SCALE 6

/* n bytes as base64 in lines of 76 characters. */
static void
base64_lines(FILE *f, const void *data, size_t n)
{
	const unsigned char *p = data;

	/* 57 bytes make one line of 76 characters. */
	for (size_t off = 0; off < n; off += 57) {
		char line[80];
		size_t take = n - off > 57 ? 57 : n - off;

		sodium_bin2base64(line, sizeof(line), p + off, take,
		    sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, "%s\r\n", line);
	}
}

static bool
plain_ascii(const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e) {
			return false;
		}
	}
	return true;
}

/*
 * "Name: value" with value as encoded words of at most 45 bytes each
 * (never splitting a UTF-8 character), unless it is plain ASCII.
 */
static void
header(FILE *f, const char *name, const char *value)
{
	size_t n = strlen(value);

	if (plain_ascii(value) && n < 900) {
		fprintf(f, "%s: %s\r\n", name, value);
		return;
	}
	fprintf(f, "%s:", name);
	for (size_t off = 0; off < n;) {
		char word[80];
		size_t take = n - off > 45 ? 45 : n - off;

		while (take > 1 && off + take < n &&
		       ((unsigned char)value[off + take] & 0xC0) == 0x80) {
			take--;
		}
		sodium_bin2base64(word, sizeof(word),
		    (const unsigned char *)value + off, take,
		    sodium_base64_VARIANT_ORIGINAL);
		fprintf(f, " =?UTF-8?B?%s?=\r\n", word);
		off += take;
	}
}

/* "2027-06-15T20:00:00-04:00" as "Tuesday 15 June 2027 at 20:00". */
static void
human_time(const char *local, char *out, size_t len)
{
	struct tm tm;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(local, "%4d-%2d-%2dT%2d:%2d", &tm.tm_year, &tm.tm_mon,
	        &tm.tm_mday, &tm.tm_hour, &tm.tm_min) != 5) {
		snprintf(out, len, "%s", local);
		return;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	t = timegm(&tm); /* only for the weekday: the fields are local */
	gmtime_r(&t, &tm);
	strftime(out, len, "%A %d %B %Y at %H:%M", &tm);
}

static void
text_part(FILE *f, const struct mail_settings *ms, enum outbox_kind kind,
    const struct mail_booking *mb, const struct mail_ticket *tickets,
    int ntickets)
{
	char *text = NULL, when[96], doors[96], money[24];
	size_t len = 0;
	FILE *t = open_memstream(&text, &len);

	if (t == NULL) {
		abort();
	}
	human_time(mb->starts_at, when, sizeof(when));
	fprintf(t, "Hello %s,\n\n", mb->fan_name);
	if (kind == OUTBOX_BOOKING_CONFIRMED) {
		fprintf(t, "your booking %s is confirmed.\n\n", mb->b.id);
	} else {
		fprintf(t,
		    "your booking %s is cancelled and %s is refunded.\n"
		    "ITS TICKETS ARE VOID: they will not be admitted.\n\n",
		    mb->b.id,
		    money_format(mb->b.total_cents, money, sizeof(money)));
	}
	fprintf(t, "%s\n%s\n%s (%s, UTC%.6s)\n", mb->concert_name, mb->venue,
	    when, mb->time_zone, mb->starts_at + TIMESTAMP_LOCAL_LEN);
	if (mb->doors_at[0] != '\0') {
		human_time(mb->doors_at, doors, sizeof(doors));
		fprintf(t, "Doors open %s\n", doors);
	}
	fputs("\n", t);
	for (int i = 0; i < mb->b.nitems; i++) {
		const struct booking_item *it = &mb->b.items[i];

		fprintf(t, "  %d x %s at %s\n", it->quantity, it->tier_name,
		    money_format(it->price_cents, money, sizeof(money)));
	}
	fprintf(t, "Total: %s\n\n",
	    money_format(mb->b.total_cents, money, sizeof(money)));
	if (kind == OUTBOX_BOOKING_CONFIRMED && ntickets == 0) {
		fputs("Your tickets are on your booking's page (sign in to see "
		      "them). We email them too once you confirm this address: "
		      "follow the link we sent when you signed up.\n\n",
		    t);
	}
	if (kind == OUTBOX_BOOKING_CONFIRMED && ntickets > 0) {
		fprintf(t,
		    "Your %d ticket%s attached as QR code%s, one per ticket: "
		    "show %s at the door, printed or on your phone. Each "
		    "ticket's code, should a scanner fail:\n\n",
		    ntickets, ntickets == 1 ? " is" : "s are",
		    ntickets == 1 ? "" : "s", ntickets == 1 ? "it" : "them");
		for (int i = 0; i < ntickets; i++) {
			fprintf(t, "  Ticket %d, %s: %s\n",
			    tickets[i].index + 1, tickets[i].tier_name,
			    tickets[i].code);
		}
		fputs("\nThe calendar entry is attached too.\n\n", t);
	}
	if (ms->site[0] != '\0') {
		fprintf(
		    t, "Your booking: %s/bookings/%s\n\n", ms->site, mb->b.id);
	}
	fputs("-- \nticketd\n", t);
	fclose(t);

	fputs("Content-Type: text/plain; charset=utf-8\r\n"
	      "Content-Transfer-Encoding: base64\r\n\r\n",
	    f);
	base64_lines(f, text, len);
	free(text);
}

static void
calendar_part(FILE *f, const struct mail_settings *ms, enum outbox_kind kind,
    const struct mail_booking *mb)
{
	char *ics = NULL;
	size_t len = 0;
	FILE *c = open_memstream(&ics, &len);
	bool cancelled = kind == OUTBOX_BOOKING_CANCELLED;

	if (c == NULL) {
		abort();
	}
	ics_write(c, mb, ms->domain, cancelled);
	fclose(c);
	fprintf(f,
	    "Content-Type: text/calendar; charset=utf-8; method=%s\r\n"
	    "Content-Disposition: attachment; filename=\"concert.ics\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n",
	    cancelled ? "CANCEL" : "PUBLISH");
	base64_lines(f, ics, len);
	free(ics);
}

static int
ticket_part(FILE *f, const struct mail_ticket *t)
{
	char *png;
	size_t len;
	int err;

	if ((err = qr_png(t->code, QR_SCALE, &png, &len)) != 0) {
		return err;
	}
	fprintf(f,
	    "Content-Type: image/png\r\n"
	    "Content-Disposition: attachment; filename=\"ticket-%d.png\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n",
	    t->index + 1);
	base64_lines(f, png, len);
	free(png);
	return 0;
}

/* The header block every email starts with. */
static void
common_headers(FILE *f, const struct mail_settings *ms, int64_t outbox_id,
    const char *about, const char *to, const char *subject)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	fprintf(f, "Date: %s\r\n", date);
	header(f, "From", ms->from);
	fprintf(f, "To: <%s>\r\n", to);
	header(f, "Subject", subject);
	fprintf(f, "Message-ID: <outbox-%" PRId64 ".%s@%s>\r\n", outbox_id,
	    about, ms->domain);
	fputs("Auto-Submitted: auto-generated\r\nMIME-Version: 1.0\r\n", f);
}

int
mail_compose(const struct mail_settings *ms, const struct outbox_item *item,
    const struct mail_booking *mb, const struct mail_ticket *tickets,
    int ntickets, char **msg, size_t *len)
{
	char subject[CONCERT_TEXT_MAX + 64], boundary[64];
	bool confirmed = item->kind == OUTBOX_BOOKING_CONFIRMED;
	int err = 0;
	FILE *f;

	snprintf(subject, sizeof(subject), "%s: %s",
	    confirmed ? "Your tickets" : "Booking cancelled", mb->concert_name);
	snprintf(boundary, sizeof(boundary), "=_ticketd_%" PRId64, item->id);
	if ((f = open_memstream(msg, len)) == NULL) {
		abort();
	}
	common_headers(f, ms, item->id, mb->b.id, mb->fan_email, subject);
	fprintf(f, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n",
	    boundary);

	fprintf(f, "--%s\r\n", boundary);
	text_part(f, ms, item->kind, mb, tickets, ntickets);
	fprintf(f, "--%s\r\n", boundary);
	calendar_part(f, ms, item->kind, mb);
	for (int i = 0; confirmed && i < ntickets && err == 0; i++) {
		fprintf(f, "--%s\r\n", boundary);
		err = ticket_part(f, &tickets[i]);
	}
	fprintf(f, "--%s--\r\n", boundary);
	fclose(f);
	if (err != 0) {
		free(*msg);
		*msg = NULL;
	}
	return err;
}

int
mail_address(const char *from, char *out, size_t len)
{
	const char *lt = strrchr(from, '<'), *gt;
	size_t n;

	if (lt != NULL && (gt = strchr(lt, '>')) != NULL) {
		n = (size_t)(gt - lt - 1);
		from = lt + 1;
	} else {
		n = strlen(from);
	}
	if (n == 0 || n >= len || memchr(from, '@', n) == NULL) {
		return TD_ERR_INVALID;
	}
	memcpy(out, from, n);
	out[n] = '\0';
	return 0;
}

int
mail_compose_account(const struct mail_settings *ms,
    const struct outbox_item *item, const struct mail_user *u,
    const char *token, char **msg, size_t *len)
{
	bool verify = item->kind == OUTBOX_VERIFY_EMAIL;
	char *text = NULL;
	size_t tlen = 0;
	FILE *t, *f;

	if ((t = open_memstream(&text, &tlen)) == NULL) {
		abort();
	}
	/*
	 * No name: whoever signs up chooses it, and the address has not
	 * shown it is theirs, so a stranger's words never reach an inbox in
	 * our name.
	 */
	fputs("Hello,\n\n", t);
	if (verify) {
		fputs(
		    "please confirm this is your address for ticketd: open the "
		    "link below (valid for 48 hours).\n\n",
		    t);
	} else {
		fputs(
		    "someone, hopefully you, asked to reset your ticketd "
		    "password. Open the link below within an hour to choose a "
		    "new one; it works once, and signs you out everywhere.\n"
		    "If it was not you, ignore this email: your password stays "
		    "as it is.\n\n",
		    t);
	}
	/* The token rides in the fragment: no server, log or proxy sees it. */
	if (ms->site[0] != '\0') {
		fprintf(t, "%s/%s#token=%s\n\n", ms->site,
		    verify ? "verify-email" : "reset-password", token);
	} else {
		fprintf(t, "Your code: %s\n\n", token);
	}
	fputs("-- \nticketd\n", t);
	fclose(t);

	if ((f = open_memstream(msg, len)) == NULL) {
		abort();
	}
	common_headers(f, ms, item->id, u->id, u->email,
	    verify ? "Confirm your email address" : "Reset your password");
	fputs("Content-Type: text/plain; charset=utf-8\r\n"
	      "Content-Transfer-Encoding: base64\r\n\r\n",
	    f);
	base64_lines(f, text, tlen);
	fclose(f);
	free(text);
	return 0;
}
