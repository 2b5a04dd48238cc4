/*
 * check_mail.c - the mailer's pieces without a database or a relay: the
 * message a booking is owed (headers that cannot be forged by a name,
 * base64 lines, the parts), the calendar entry, the QR image, the
 * retry schedule.
 */
#include "config.h"

#include <string.h>

#include <check.h>

#include "base/errors.h"
#include "mail/ics.h"
#include "mail/mailer.h"
#include "mail/message.h"
#include "mail/qr_png.h"
#include "unit_main.h"

static struct mail_booking mb;
static struct outbox_item item;
static const struct mail_settings ms = {"ticketd <tickets@ticketd.example>",
    "ticketd.example", "https://tickets.example"};

static void
setup(void)
{
	memset(&mb, 0, sizeof(mb));
	snprintf(
	    mb.b.id, sizeof(mb.b.id), "bk_0123456789abcdef0123456789abcdef");
	mb.b.status = BOOKING_STATUS_CONFIRMED;
	mb.b.total_cents = 21000;
	mb.b.nitems = 2;
	snprintf(
	    mb.b.items[0].tier_name, sizeof(mb.b.items[0].tier_name), "GA");
	mb.b.items[0].quantity = 1;
	mb.b.items[0].price_cents = 1000;
	snprintf(
	    mb.b.items[1].tier_name, sizeof(mb.b.items[1].tier_name), "VIP");
	mb.b.items[1].quantity = 2;
	mb.b.items[1].price_cents = 10000;
	snprintf(mb.fan_email, sizeof(mb.fan_email), "ann@example.com");
	snprintf(mb.fan_name, sizeof(mb.fan_name), "Ann");
	snprintf(mb.concert_name, sizeof(mb.concert_name), "Rock Night");
	snprintf(mb.venue, sizeof(mb.venue), "Hall; Main, Floor");
	snprintf(mb.time_zone, sizeof(mb.time_zone), "America/New_York");
	snprintf(mb.event_date, sizeof(mb.event_date), "2027-06-16T00:00:00Z");
	snprintf(
	    mb.starts_at, sizeof(mb.starts_at), "2027-06-15T20:00:00-04:00");
	item.id = 42;
	item.kind = OUTBOX_BOOKING_CONFIRMED;
	snprintf(item.booking_id, sizeof(item.booking_id), "%s", mb.b.id);
	item.attempts = 1;
}

/* The header block of msg (up to the blank line). */
static size_t
head_len(const char *msg)
{
	const char *end = strstr(msg, "\r\n\r\n");

	ck_assert_ptr_nonnull(end);
	return (size_t)(end - msg);
}

START_TEST(headers_and_parts)
{
	struct mail_ticket t[2] = {
	    {0, "GA", "T1.code-one"}, {1, "VIP", "T1.code-two"}};
	char *msg;
	size_t len;

	ck_assert_int_eq(mail_compose(&ms, &item, &mb, t, 2, &msg, &len), 0);
	ck_assert_uint_eq(strlen(msg), len);
	ck_assert_ptr_nonnull(
	    strstr(msg, "\r\nMessage-ID: "
	                "<outbox-42.bk_0123456789abcdef0123456789abcdef@"
	                "ticketd.example>\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "\r\nTo: <ann@example.com>\r\n"));
	ck_assert_ptr_nonnull(
	    strstr(msg, "\r\nSubject: Your tickets: Rock Night\r\n"));
	ck_assert_ptr_nonnull(strstr(msg, "boundary=\"=_ticketd_42\""));
	ck_assert_ptr_nonnull(strstr(msg, "Content-Type: text/calendar"));
	ck_assert_ptr_nonnull(strstr(msg, "filename=\"ticket-1.png\""));
	ck_assert_ptr_nonnull(strstr(msg, "filename=\"ticket-2.png\""));
	ck_assert_ptr_nonnull(strstr(msg, "\r\n--=_ticketd_42--\r\n"));
	free(msg);
}
END_TEST

/* The same outbox row composes the same Message-ID on every attempt. */
START_TEST(message_id_is_stable)
{
	char *a, *b;
	size_t la, lb;
	const char *ida, *idb;

	ck_assert_int_eq(mail_compose(&ms, &item, &mb, NULL, 0, &a, &la), 0);
	item.attempts = 7;
	ck_assert_int_eq(mail_compose(&ms, &item, &mb, NULL, 0, &b, &lb), 0);
	ida = strstr(a, "\r\nMessage-ID: ");
	idb = strstr(b, "\r\nMessage-ID: ");
	ck_assert_ptr_nonnull(ida);
	ck_assert_ptr_nonnull(idb);
	ck_assert_int_eq(strcspn(ida + 2, "\r"), strcspn(idb + 2, "\r"));
	ck_assert_int_eq(strncmp(ida, idb, strcspn(ida + 2, "\r") + 2), 0);
	free(a);
	free(b);
}
END_TEST

/* A name with a line break cannot add a header: it is an encoded word. */
START_TEST(a_name_cannot_forge_a_header)
{
	char *msg;
	size_t len;

	snprintf(mb.concert_name, sizeof(mb.concert_name),
	    "Night\r\nBcc: victim@example.com");
	ck_assert_int_eq(mail_compose(&ms, &item, &mb, NULL, 0, &msg, &len), 0);
	msg[head_len(msg)] = '\0';
	ck_assert_ptr_null(strstr(msg, "\r\nBcc:"));
	ck_assert_ptr_nonnull(strstr(msg, "Subject: =?UTF-8?B?"));
	free(msg);
}
END_TEST

/* Every line of the message is within SMTP's 998, base64 within 76. */
START_TEST(lines_are_short)
{
	char *msg, *line, *save;
	size_t len;

	for (size_t i = 0; i < sizeof(mb.fan_name) - 1; i++) {
		mb.fan_name[i] = 'a' + (char)(i % 26);
	}
	ck_assert_int_eq(mail_compose(&ms, &item, &mb, NULL, 0, &msg, &len), 0);
	for (line = strtok_r(msg, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		ck_assert_uint_le(strlen(line), 998);
		ck_assert_msg(line[strlen(line) - 1] == '\r', "CRLF: %s", line);
	}
	free(msg);
}
END_TEST

START_TEST(a_cancellation_has_no_tickets_and_cancels_the_event)
{
	struct mail_ticket t[1] = {{0, "GA", "T1.code"}};
	char *msg;
	size_t len;

	item.kind = OUTBOX_BOOKING_CANCELLED;
	ck_assert_int_eq(mail_compose(&ms, &item, &mb, t, 1, &msg, &len), 0);
	ck_assert_ptr_nonnull(
	    strstr(msg, "Subject: Booking cancelled: Rock Night"));
	ck_assert_ptr_nonnull(strstr(msg, "method=CANCEL"));
	ck_assert_ptr_null(strstr(msg, "image/png"));
	free(msg);
}
END_TEST

START_TEST(calendar_entry)
{
	char *ics = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&ics, &len);

	ics_write(f, &mb, "ticketd.example", false);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(ics, "\r\nDTSTART:20270616T000000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(ics, "\r\nDTEND:20270616T030000Z\r\n"));
	ck_assert_ptr_nonnull(strstr(ics,
	    "\r\nUID:bk_0123456789abcdef0123456789abcdef@ticketd.example\r\n"));
	/* RFC 5545 escapes the separators of text values. */
	ck_assert_ptr_nonnull(
	    strstr(ics, "\r\nLOCATION:Hall\\; Main\\, Floor\r\n"));
	free(ics);
}
END_TEST

/* Long values fold before 75 octets and never inside a character. */
START_TEST(calendar_lines_fold_between_characters)
{
	char *ics = NULL, *line, *save;
	size_t len = 0;
	FILE *f = open_memstream(&ics, &len);

	mb.concert_name[0] = '\0';
	for (int i = 0; i < 60; i++) {
		strcat(mb.concert_name, "é"); /* two bytes each */
	}
	ics_write(f, &mb, "ticketd.example", false);
	fclose(f);
	for (line = strtok_r(ics, "\n", &save); line != NULL;
	     line = strtok_r(NULL, "\n", &save)) {
		size_t n = strlen(line);

		ck_assert_uint_le(n, 76); /* 75 octets and the CR */
		/* A line never ends on the first byte of "é". */
		ck_assert_int_ne((unsigned char)line[n - 2], 0xC3);
	}
	free(ics);
}
END_TEST

START_TEST(qr_png_is_a_png)
{
	char *png;
	size_t len;

	ck_assert_int_eq(qr_png("T1.AAAABBBBCCCCDDDD", 4, &png, &len), 0);
	ck_assert_uint_gt(len, 100);
	ck_assert_int_eq(memcmp(png, "\x89PNG\r\n\x1a\n", 8), 0);
	ck_assert_int_eq(memcmp(png + 12, "IHDR", 4), 0);
	ck_assert_int_eq(memcmp(png + len - 8, "IEND", 4), 0);
	free(png);
}
END_TEST

START_TEST(retry_schedule_doubles_up_to_an_hour)
{
	ck_assert_int_eq(mailer_retry_delay_s(1), 5);
	ck_assert_int_eq(mailer_retry_delay_s(2), 10);
	ck_assert_int_eq(mailer_retry_delay_s(3), 20);
	ck_assert_int_eq(mailer_retry_delay_s(10), 2560);
	ck_assert_int_eq(mailer_retry_delay_s(11), 3600);
	ck_assert_int_eq(mailer_retry_delay_s(25), 3600);
}
END_TEST

START_TEST(from_address)
{
	char a[64];

	ck_assert_int_eq(
	    mail_address("ticketd <t@x.example>", a, sizeof(a)), 0);
	ck_assert_str_eq(a, "t@x.example");
	ck_assert_int_eq(mail_address("t@x.example", a, sizeof(a)), 0);
	ck_assert_str_eq(a, "t@x.example");
	ck_assert_int_eq(
	    mail_address("ticketd <>", a, sizeof(a)), TD_ERR_INVALID);
	ck_assert_int_eq(mail_address("nobody", a, sizeof(a)), TD_ERR_INVALID);
}
END_TEST

static Suite *
suite(void)
{
	Suite *s = suite_create("mail");
	TCase *tc = tcase_create("mail");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, headers_and_parts);
	tcase_add_test(tc, message_id_is_stable);
	tcase_add_test(tc, a_name_cannot_forge_a_header);
	tcase_add_test(tc, lines_are_short);
	tcase_add_test(tc, a_cancellation_has_no_tickets_and_cancels_the_event);
	tcase_add_test(tc, calendar_entry);
	tcase_add_test(tc, calendar_lines_fold_between_characters);
	tcase_add_test(tc, qr_png_is_a_png);
	tcase_add_test(tc, retry_schedule_doubles_up_to_an_hour);
	tcase_add_test(tc, from_address);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return unit_run(suite());
}
