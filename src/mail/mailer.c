/*
 * mailer.c - the mailer: a process the ticketd master supervises (forked,
 * respawned, drained like a worker) that sends what the outbox holds.
 *
 * The loop: lease a batch of due emails, and for each read its booking,
 * compose the message, hand it to the relay, then mark it sent, or due
 * again after a back-off.  Killed at any point, it loses nothing: an
 * unmarked email's lease runs out and it is sent again (the same
 * Message-ID), so delivery is at least once.  Nothing here is on a
 * fan's request path: a booking only writes its outbox row.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "base/env.h"
#include "base/helper_process.h"
#include "base/log.h"
#include "domain/account_mail.h"
#include "domain/link_token.h"
#include "domain/session_token.h"
#include "mail/mailer.h"
#include "mail/message.h"
#include "mail/smtp.h"
#include "store/outbox_store.h"
#include "store/statements.h"

#define BATCH 20
#define LEASE_S 120 /* longer than a send may take */
#define SEND_TIMEOUT_S 60
#define FIRST_RETRY_S 5   /* then doubling ... */
#define LAST_RETRY_S 3600 /* ... up to an hour */
#define MAX_ATTEMPTS 25   /* about a day of trying */

static volatile sig_atomic_t stopping;

static void
on_term(int sig)
{
	stopping = 1;
}

/* Waits ms, or less when SIGTERM comes (it is blocked outside ppoll). */
static void
pause_ms(int ms, const sigset_t *waitmask)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	if (!stopping) {
		(void)ppoll(NULL, 0, &ts, waitmask);
	}
}

int
mailer_retry_delay_s(int attempts)
{
	/* Tests shorten the first wait; the doubling stays. */
	int delay = env_int("TICKETD_MAIL_FIRST_RETRY_S", FIRST_RETRY_S, 1, 60);

	for (int i = 1; i < attempts && delay < LAST_RETRY_S; i++) {
		delay *= 2;
	}
	return delay < LAST_RETRY_S ? delay : LAST_RETRY_S;
}

struct mailer {
	const struct mailer_settings *ms;
	struct mail_settings mail;
	char from_addr[256];
	struct db *db;
	struct smtp *smtp;
};

/*
 * The booking's tickets, each with its code signed now (the same codes
 * GET /api/bookings/:id/tickets shows).  *out is malloc'd.
 */
static int
sign_tickets(const struct ticket_keys *keys, const struct mail_booking *mb,
    struct mail_ticket **out, int *n)
{
	struct ticket *t = calloc(TICKETS_MAX, sizeof(*t));
	int err;

	*out = NULL;
	*n = 0;
	if (t == NULL) {
		abort();
	}
	err = tickets_of_booking(&mb->b, keys, t, TICKETS_MAX, n);
	if (err == 0 && *n > 0) {
		if ((*out = calloc((size_t)*n, sizeof(**out))) == NULL) {
			abort();
		}
		for (int i = 0; i < *n; i++) {
			(*out)[i].index = t[i].index;
			snprintf((*out)[i].tier_name,
			    sizeof((*out)[i].tier_name), "%s",
			    t[i].item->tier_name);
			snprintf((*out)[i].code, sizeof((*out)[i].code), "%s",
			    t[i].code);
		}
	}
	free(t);
	return err;
}

/*
 * A booking's email, and its recipient into to.  The tickets go only to
 * an address that showed it is the fan's: sent to a mistyped one, they
 * would let a stranger in first.  *skip: nothing to say any more (a
 * confirmation of a booking cancelled since: its cancellation follows).
 */
static int
compose_booking(struct mailer *m, const struct outbox_item *it, char **msg,
    size_t *len, char *to, size_t tolen, bool *skip)
{
	struct mail_booking *mb = malloc(sizeof(*mb));
	struct mail_ticket *tickets = NULL;
	int ntickets = 0, err;

	if (mb == NULL) {
		abort();
	}
	*skip = false;
	err = outbox_store_booking(m->db, it->booking_id, mb);
	/* A booking made before accounts belongs to a placeholder whose
	 * address is no address (.invalid): there is nobody to tell. */
	if (err == 0 && (strlen(mb->fan_email) > 8 &&
	                    strcmp(mb->fan_email + strlen(mb->fan_email) - 8,
	                        ".invalid") == 0)) {
		*skip = true;
		free(mb);
		return 0;
	}
	if (err == 0 && it->kind == OUTBOX_BOOKING_CONFIRMED &&
	    mb->b.status != BOOKING_STATUS_CONFIRMED) {
		*skip = true;
		free(mb);
		return 0;
	}
	if (err == 0 && it->kind == OUTBOX_BOOKING_CONFIRMED &&
	    mb->fan_verified && m->ms->ticket_keys != NULL) {
		err = sign_tickets(m->ms->ticket_keys, mb, &tickets, &ntickets);
	}
	if (err == 0) {
		err =
		    mail_compose(&m->mail, it, mb, tickets, ntickets, msg, len);
		snprintf(to, tolen, "%s", mb->fan_email);
	}
	free(tickets);
	free(mb);
	return err;
}

/*
 * An account's email: a verification link signed now, or a reset token
 * made now (only its hash is kept).  *skip: nothing to send (the address
 * is verified already).
 */
static int
compose_account(struct mailer *m, const struct outbox_item *it, char **msg,
    size_t *len, char *to, size_t tolen, bool *skip)
{
	char token[LINK_TOKEN_MAX + SESSION_TOKEN_LEN + 1],
	    hash[SESSION_TOKEN_HASH_HEX_LEN + 1];
	unsigned char key[LINK_KEY_BYTES];
	struct link_claim claim;
	struct mail_user u;
	int err;

	*skip = false;
	if ((err = outbox_store_user(m->db, it->user_id, &u)) != 0) {
		return err;
	}
	if (it->kind == OUTBOX_VERIFY_EMAIL) {
		if (u.verified) {
			*skip = true;
			return 0;
		}
		if (m->ms->ticket_keys == NULL) {
			return TD_ERR_UNAVAILABLE; /* no key to sign the link */
		}
		link_token_key(m->ms->ticket_keys->sk, key);
		snprintf(claim.user_id, sizeof(claim.user_id), "%s", u.id);
		link_email_hash(u.email, claim.email_hash);
		/* Tests shorten the link's life to see it expire. */
		claim.expires_s = (int64_t)time(NULL) +
		                  env_int("TICKETD_VERIFY_LINK_TTL_S",
		                      VERIFY_LINK_TTL_S, 1, VERIFY_LINK_TTL_S);
		err = link_token_sign(&claim, key, token, sizeof(token));
		sodium_memzero(key, sizeof(key));
	} else {
		session_token_new(token);
		session_token_hash(token, hash);
		err = outbox_store_reset_token(
		    m->db, hash, u.id, RESET_TOKEN_TTL_S);
	}
	if (err == 0) {
		err = mail_compose_account(&m->mail, it, &u, token, msg, len);
		snprintf(to, tolen, "%s", u.email);
	}
	sodium_memzero(token, sizeof(token));
	return err;
}

/* Marks it sent, or due again (or given up) after a failed attempt. */
static void
settle(struct mailer *m, const struct outbox_item *it, enum smtp_result sent,
    const char *why)
{
	const char *about =
	    it->booking_id[0] != '\0' ? it->booking_id : it->user_id;
	int err;

	if (sent == SMTP_SENT) {
		err = outbox_store_sent(m->db, it->id);
		log_info("mail %" PRId64 " (%s) sent", it->id, about);
	} else {
		bool give_up =
		    sent == SMTP_REFUSED || it->attempts >= MAX_ATTEMPTS;
		int delay = mailer_retry_delay_s(it->attempts);

		err = outbox_store_retry(m->db, it->id, why, delay, give_up);
		if (give_up) {
			log_error("mail %" PRId64
			          " (%s) given up after %d attempts: %s",
			    it->id, about, it->attempts, why);
		} else {
			log_warn("mail %" PRId64
			         " (%s) not sent, again in %d s: %s",
			    it->id, about, delay, why);
		}
	}
	if (err != 0) {
		/* The lease runs out and the email is tried again. */
		log_warn("mail %" PRId64 ": cannot record the attempt: %s",
		    it->id, td_strerror(err));
	}
}

/* Sends one claimed email and settles it. */
static void
deliver(struct mailer *m, const struct outbox_item *it)
{
	char *msg = NULL, why[512] = "", to[OUTBOX_EMAIL_MAX + 1] = "";
	size_t len = 0;
	bool skip = false;
	enum smtp_result sent = SMTP_RETRY;
	int err;

	if (it->kind == OUTBOX_BOOKING_CONFIRMED ||
	    it->kind == OUTBOX_BOOKING_CANCELLED) {
		err = compose_booking(m, it, &msg, &len, to, sizeof(to), &skip);
	} else {
		err = compose_account(m, it, &msg, &len, to, sizeof(to), &skip);
	}
	if (err == 0 && skip) {
		/* Nothing to say any more: settled without sending. */
		sent = SMTP_SENT;
	} else if (err == 0) {
		sent = smtp_send(
		    m->smtp, m->from_addr, to, msg, len, why, sizeof(why));
	} else {
		snprintf(
		    why, sizeof(why), "cannot compose: %s", td_strerror(err));
	}
	settle(m, it, sent, why);
	free(msg);
}

/* One round: returns how many emails it leased (a full batch: go on). */
static int
round_of(struct mailer *m)
{
	struct outbox_item items[BATCH];
	int n = 0, err;

	/* Tests shorten the lease to see a killed mailer's emails again. */
	err = outbox_store_claim(m->db,
	    env_int("TICKETD_MAIL_LEASE_S", LEASE_S, 1, 3600), MAX_ATTEMPTS,
	    items, BATCH, &n);
	if (err != 0) {
		log_warn("cannot read the outbox: %s", td_strerror(err));
		return 0;
	}
	for (int i = 0; i < n && !stopping; i++) {
		deliver(m, &items[i]);
	}
	return n;
}

void
mailer_run(const struct mailer_settings *ms)
{
	struct mailer m = {.ms = ms};
	sigset_t waitmask;

	/* SIGTERM is taken only while waiting: a send in hand is finished. */
	helper_process_start(
	    on_term, "ticketd-mailer", ms->log_level, "mailer", &waitmask);
	m.mail = (struct mail_settings){ms->from, "", ms->site};
	if (mail_address(ms->from, m.from_addr, sizeof(m.from_addr)) != 0) {
		log_error("MAIL_FROM has no address: not sending");
		exit(1);
	}
	m.mail.domain = strchr(m.from_addr, '@') + 1;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	m.smtp = smtp_new(ms->smtp_url, SEND_TIMEOUT_S);
	m.db = db_new(
	    ms->db, ms->database_url, "ticketd-mailer", statements, Q_COUNT);
	(void)db_connect(m.db);
	log_info("sending the outbox through %s as %s", smtp_where(m.smtp),
	    m.from_addr);

	while (!stopping) {
		if (round_of(&m) < BATCH) {
			pause_ms(ms->poll_ms, &waitmask);
		}
	}
	db_free(m.db);
	smtp_free(m.smtp);
	curl_global_cleanup();
	log_debug("mailer exits");
	exit(0);
}
