/*
 * ics.c - one event, written the way calendar programs read it: UTC
 * times, escaped text, lines folded at 75 octets without splitting a
 * UTF-8 character.
 */
#include "config.h"

#include <string.h>
#include <time.h>

#include "domain/timestamp.h"
#include "mail/ics.h"

/* A concert's length when it gives none. */
#define EVENT_HOURS 3

/* "2027-06-16T00:00:00Z" as "20270616T000000Z", shifted by hours. */
static void
utc_stamp(const char *iso, int hours, char *out, size_t len)
{
	int64_t ms = 0;
	time_t t;
	struct tm tm;

	(void)timestamp_parse_instant(iso, &ms);
	t = (time_t)(ms / 1000) + hours * 3600;
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y%m%dT%H%M%SZ", &tm);
}

/* Writes "NAME:value" with value escaped and the line folded. */
static void
property(FILE *f, const char *name, const char *value)
{
	char line[2048];
	size_t n = (size_t)snprintf(line, sizeof(line), "%s:", name), col;

	for (const char *p = value; *p != '\0' && n < sizeof(line) - 3; p++) {
		if (strchr(",;\\", *p) != NULL) {
			line[n++] = '\\';
		}
		if (*p == '\n') {
			line[n++] = '\\';
			line[n++] = 'n';
			continue;
		}
		line[n++] = *p;
	}
	col = 0;
	for (size_t i = 0; i < n; i++) {
		/* Fold before 75 octets, never inside a UTF-8 sequence. */
		if (col >= 74 && ((unsigned char)line[i] & 0xC0) != 0x80) {
			fputs("\r\n ", f);
			col = 1;
		}
		fputc(line[i], f);
		col++;
	}
	fputs("\r\n", f);
}

void
ics_write(FILE *f, const struct mail_booking *mb, const char *uid_domain,
    bool cancelled)
{
	char start[24], end[24], now[24], uid[128],
	    where[2 * CONCERT_TEXT_MAX + 4];
	time_t t = time(NULL);
	struct tm tm;

	utc_stamp(mb->event_date, 0, start, sizeof(start));
	utc_stamp(mb->event_date, EVENT_HOURS, end, sizeof(end));
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y%m%dT%H%M%SZ", &tm);
	snprintf(uid, sizeof(uid), "%s@%s", mb->b.id, uid_domain);
	snprintf(where, sizeof(where), "%s", mb->venue);

	fputs("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//ticketd//tickets//"
	      "EN\r\n",
	    f);
	fputs(cancelled ? "METHOD:CANCEL\r\n" : "METHOD:PUBLISH\r\n", f);
	fputs("BEGIN:VEVENT\r\n", f);
	property(f, "UID", uid);
	property(f, "DTSTAMP", now);
	property(f, "DTSTART", start);
	property(f, "DTEND", end);
	property(f, "SUMMARY", mb->concert_name);
	property(f, "LOCATION", where);
	property(f, "STATUS", cancelled ? "CANCELLED" : "CONFIRMED");
	if (cancelled) {
		property(f, "SEQUENCE", "1");
	}
	fputs("END:VEVENT\r\nEND:VCALENDAR\r\n", f);
}
