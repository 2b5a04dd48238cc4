/*
 * settings.c - the table of settings and its parsers.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "daemon/settings.h"
#include "http/csrf.h"

enum setting_type {
	ST_STRING,
	ST_INT,
	ST_RATE,
	ST_LOG_LEVEL,
	ST_BOOL,
	ST_ORIGIN
};

struct setting {
	const char *key;
	enum setting_type type;
	size_t offset;
	long min, max;
	const char *def;
	const char *help;
};

#define OFF(f) offsetof(struct settings, f)

static const struct setting table[] = {
    {"DATABASE_URL", ST_STRING, OFF(database_url), 0, 0,
        "postgresql:///ticketd",
        "libpq connection string or URL of the primary"},
    {"DATABASE_READ_URL", ST_STRING, OFF(database_read_url), 0, 0, "",
        "a replica for listings and availability (empty: the primary); reads "
        "fall back to the primary while it is down"},
    {"TICKETD_READ_SOCKET", ST_STRING, OFF(read_socket), 0, 0,
        "/run/ticketd/read.sock",
        "FastCGI socket of the read pool (path, or :port / host:port for TCP)"},
    {"TICKETD_BOOK_SOCKET", ST_STRING, OFF(book_socket), 0, 0,
        "/run/ticketd/book.sock", "FastCGI socket of the booking pool"},
    {"TICKETD_READ_WORKERS", ST_INT, OFF(read_workers), 1, 256, "8",
        "workers serving reads and /health"},
    {"TICKETD_BOOK_WORKERS", ST_INT, OFF(book_workers), 1, 1024, "96",
        "workers serving bookings (rate x payment latency)"},
    {"TICKETD_BOOK_SERVING", ST_INT, OFF(book_serving), 0, 1024, "32",
        "booking requests served at once, not counting those waiting on the "
        "payment (the others wait in the socket's backlog); idle workers "
        "sleep, the most recently busy serving next, so a light load runs "
        "on a few warm workers and database connections; 0: the kernel "
        "hands each connection to the worker idle longest, all serving"},
    {"TICKETD_READ_SERVING", ST_INT, OFF(read_serving), 0, 256, "0",
        "the same for the read pool (at most TICKETD_READ_WORKERS)"},
    {"TICKETD_TXN_SLOTS", ST_INT, OFF(txn_slots), 1, 1024, "16",
        "booking transactions in flight at once, across all workers"},
    {"TICKETD_SLOT_WAIT_MS", ST_INT, OFF(slot_wait_ms), 1, 10000, "2000",
        "how long a transaction waits for one of those slots before its "
        "request is answered 503 (with the payment's time, under nginx's "
        "fastcgi_read_timeout of 15 s)"},
    {"TICKETD_BOOK_BATCH_MAX", ST_INT, OFF(book_batch_max), 0, 16, "16",
        "paid bookings of one tier that the booking writer writes in one "
        "statement at most (those that queued while its last one ran); 0: "
        "no writer, each worker writes its own"},
    {"TICKETD_BOOK_BATCH_LOCK_WAIT_MS", ST_INT, OFF(book_batch_lock_wait_ms), 1,
        600000, "100",
        "how long the booking writer's statement waits for a row lock (a "
        "fan's quota row another transaction holds) before it hands its "
        "batch back, each booking to wait on its own: every booking of the "
        "node queues behind the writer"},
    {"TICKETD_HASH_SLOTS", ST_INT, OFF(hash_slots), 1, 64, "2",
        "password hashes (sign-up, sign-in) at once: ~19 MiB and ~15 ms "
        "of CPU each"},
    {"TICKETD_BACKLOG", ST_INT, OFF(backlog), 16, 65535, "1024",
        "listen backlog of each socket (a full queue is an immediate 502)"},
    {"TICKETD_MAX_BODY", ST_INT, OFF(max_body), 1024, 1048576, "65536",
        "largest request body in bytes (413 above)"},
    {"TICKETD_DRAIN_TIMEOUT_MS", ST_INT, OFF(drain_timeout_ms), 0, 600000,
        "20000", "on SIGTERM, how long workers may finish requests in hand"},
    {"TICKETD_SOLD_OUT_TTL_MS", ST_INT, OFF(sold_out_ttl_ms), 0, 60000, "1000",
        "a tier a booking found sold out is answered 409 from shared memory "
        "for this long (cleared at once by a cancellation or a concert "
        "change through this daemon; changes made elsewhere show after it); "
        "0: every booking asks the database"},
    {"TICKETD_LISTING_TOTALS_MS", ST_INT, OFF(listing_totals_ms), 0, 60000, "0",
        "how often a worker refreshes the home page's per-concert totals "
        "(the listing believes them within twice this, at least 2 s, of "
        "now, and sums the buckets otherwise); 0: every listing sums the "
        "buckets"},
    {"PAYMENT_LATENCY_MS", ST_INT, OFF(payment.latency_ms), 0, 600000, "100",
        "simulated payment authorization latency"},
    {"PAYMENT_TIMEOUT_MS", ST_INT, OFF(payment.timeout_ms), 1, 600000, "5000",
        "give up on a payment authorization after this long (504)"},
    {"PAYMENT_DECLINE_RATE", ST_RATE, OFF(payment.decline_rate), 0, 1, "0.05",
        "share of payments the simulator declines (0 to 1)"},
    {"PAYMENT_TEST_METHODS", ST_BOOL, OFF(payment.test_methods), 0, 1, "off",
        "on: fans may ask for paymentMethod test_decline (demos, tests)"},
    {"DB_STATEMENT_TIMEOUT_MS", ST_INT, OFF(db.statement_timeout_ms), 0, 600000,
        "3000", "PostgreSQL statement_timeout of every connection"},
    {"DB_LOCK_TIMEOUT_MS", ST_INT, OFF(db.lock_timeout_ms), 0, 600000, "2000",
        "PostgreSQL lock_timeout of every connection"},
    {"DB_CONNECT_TIMEOUT_S", ST_INT, OFF(db.connect_timeout_s), 1, 60, "3",
        "libpq connect_timeout"},
    {"DB_PREPARED_STATEMENTS", ST_BOOL, OFF(db.prepared), 0, 1, "on",
        "DATABASE_URL's connections: on, each statement prepared on its "
        "first run on a connection; off, each sent "
        "unnamed, for a transaction pooler (PgBouncer "
        "pool_mode=transaction) that cannot carry prepared statements"},
    {"DB_READ_PREPARED_STATEMENTS", ST_BOOL, OFF(read_prepared), 0, 1, "on",
        "the same for DATABASE_READ_URL's connections (off only when the "
        "replica too is reached through a transaction pooler)"},
    {"LOG_LEVEL", ST_LOG_LEVEL, OFF(log_level), 0, 0, "info",
        "error, warn, info or debug"},
    {"TICKETD_PUBLIC_ORIGIN", ST_ORIGIN, OFF(public_origin), 0, 0, "",
        "the site's origin as browsers see it (https://tickets.example) when "
        "TLS ends in front of nginx: origins are checked against it, and the "
        "session cookie is Secure and __Host- when it is https"},
    {"TICKETD_GATEWAY_LOG_DIR", ST_STRING, OFF(gateway_log_dir), 0, 0, "",
        "where nginx logs each 502 and 504 it answers itself "
        "(gateway-502.log, gateway-504.log): /metrics counts them (empty: "
        "not counted)"},
    {"SMTP_URL", ST_STRING, OFF(smtp_url), 0, 0, "",
        "the relay the mailer sends the outbox through: smtp://host:25, "
        "smtps://user:pass@relay:465 (with a password over smtp://, STARTTLS "
        "is required); empty: no mailer, emails wait in the outbox"},
    {"MAIL_FROM", ST_STRING, OFF(mail_from), 0, 0,
        "ticketd <tickets@ticketd.invalid>",
        "the From of every email; its domain names Message-IDs"},
    {"MAIL_SITE_URL", ST_STRING, OFF(mail_site_url), 0, 0, "",
        "the site's address for links in emails (https://tickets.example); "
        "empty: TICKETD_PUBLIC_ORIGIN, else no links"},
    {"MAILER_POLL_MS", ST_INT, OFF(mailer_poll_ms), 50, 60000, "1000",
        "how often an idle mailer looks for emails to send"},
    {"TICKETD_TICKET_KEY_FILE", ST_STRING, OFF(ticket_key_file), 0, 0, "",
        "the tickets' signing key: a file of 32 random bytes (an Ed25519 "
        "seed), mode 0600 or 0640, made by ticketd --generate-ticket-key "
        "FILE (empty: no tickets or check-in, they answer 503)"},
    {"TICKETD_PIDFILE", ST_STRING, OFF(pidfile), 0, 0, "",
        "write the master's pid here (empty: none)"},
    {"TICKETD_LOG_FILE", ST_STRING, OFF(log_file), 0, 0, "",
        "append the log to this file, reopened on SIGUSR1 for log rotation "
        "(empty: stderr)"},
};

#define NSETTINGS (sizeof(table) / sizeof(table[0]))

static const struct setting *
setting_find(const char *key)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (strcmp(table[i].key, key) == 0) {
			return &table[i];
		}
	}
	return NULL;
}

static int
parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
		return -1;
	}
	*out = v;
	return 0;
}

static int
parse_rate(const char *text, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	/* The comparisons are false for NaN, so NaN is rejected too. */
	if (errno != 0 || end == text || *end != '\0' ||
	    !(v >= 0.0 && v <= 1.0)) {
		return -1;
	}
	*out = v;
	return 0;
}

int
settings_set(struct settings *s, const char *key, const char *value, char *err,
    size_t errlen)
{
	const struct setting *st = setting_find(key);
	char *base = (char *)s;
	struct csrf_site site;
	long v;

	if (st == NULL) {
		snprintf(err, errlen, "unknown setting %s", key);
		return -1;
	}

	switch (st->type) {
	case ST_LOG_LEVEL:
		v = log_level_parse(value);
		if (v < 0) {
			snprintf(err, errlen,
			    "%s must be error, warn, info or debug", key);
			return -1;
		}
		*(int *)(base + st->offset) = (int)v;
		return 0;
	case ST_ORIGIN:
		if (*value != '\0' && csrf_site_parse(value, &site) != 0) {
			snprintf(err, errlen,
			    "%s must be scheme://host[:port], not \"%s\"", key,
			    value);
			return -1;
		}
		/* FALLTHROUGH */
	case ST_STRING:
		free(*(char **)(base + st->offset));
		*(char **)(base + st->offset) = strdup(value);
		if (*(char **)(base + st->offset) == NULL) {
			abort();
		}
		return 0;
	case ST_INT:
		if (parse_long(value, st->min, st->max, &v) != 0) {
			snprintf(err, errlen,
			    "%s must be an integer from %ld to %ld, not \"%s\"",
			    key, st->min, st->max, value);
			return -1;
		}
		*(int *)(base + st->offset) = (int)v;
		return 0;
	case ST_BOOL:
		if (strcmp(value, "on") != 0 && strcmp(value, "off") != 0) {
			snprintf(err, errlen,
			    "%s must be on or off, not \"%s\"", key, value);
			return -1;
		}
		*(bool *)(base + st->offset) = strcmp(value, "on") == 0;
		return 0;
	case ST_RATE:
		if (parse_rate(value, (double *)(base + st->offset)) != 0) {
			snprintf(err, errlen,
			    "%s must be a number from 0 to 1, not \"%s\"", key,
			    value);
			return -1;
		}
		return 0;
	}
	return -1;
}

void
settings_defaults(struct settings *s)
{
	char err[256];

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (settings_set(
		        s, table[i].key, table[i].def, err, sizeof(err)) != 0) {
			abort(); /* a default outside its own bounds is a bug */
		}
	}
}

static char *
trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s)) {
		s++;
	}
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1])) {
		*--end = '\0';
	}
	return s;
}

int
settings_load_file(
    struct settings *s, const char *path, char *err, size_t errlen)
{
	char line[1024], *key, *value, *eq;
	int lineno = 0, rc = -1;
	FILE *fp;

	fp = fopen(path, "r");
	if (fp == NULL) {
		snprintf(
		    err, errlen, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}

	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		key = trim(line);
		if (*key == '\0' || *key == '#') {
			continue;
		}
		eq = strchr(key, '=');
		if (eq == NULL) {
			snprintf(err, errlen, "%s:%d: expected KEY=VALUE", path,
			    lineno);
			goto out;
		}
		*eq = '\0';
		key = trim(key);
		value = trim(eq + 1);
		if (settings_set(s, key, value, err, errlen) != 0) {
			goto out;
		}
	}
	rc = 0;
out:
	fclose(fp);
	return rc;
}

int
settings_load_env(struct settings *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		const char *v = getenv(table[i].key);

		if (v != NULL &&
		    settings_set(s, table[i].key, v, err, errlen) != 0) {
			return -1;
		}
	}
	return 0;
}

void
settings_usage(FILE *fp)
{
	fprintf(fp,
	    "usage: ticketd [--config FILE] [--help] [--version]\n"
	    "       ticketd --hash-password < password\n"
	    "       ticketd [--config FILE] --create-concert < "
	    "concert.json\n"
	    "       ticketd --generate-ticket-key FILE\n"
	    "\n"
	    "Prefork FastCGI server of the ticketd booking API.  "
	    "Settings come from\n"
	    "the environment, or from FILE as KEY=VALUE lines (the "
	    "environment wins).\n"
	    "--hash-password prints the Argon2id hash of the password "
	    "on standard input.\n"
	    "--create-concert creates the concert on standard input "
	    "(the JSON body of\n"
	    "POST /api/admin/concerts) in DATABASE_URL's database and "
	    "prints its id.\n"
	    "--generate-ticket-key writes a new signing key for tickets "
	    "to FILE (mode\n"
	    "0600; an existing FILE is never overwritten) and prints its "
	    "public key.\n"
	    "\n");
	for (size_t i = 0; i < NSETTINGS; i++) {
		fprintf(fp, "  %-26s %s\n  %-26s default: %s\n", table[i].key,
		    table[i].help, "",
		    *table[i].def ? table[i].def : "(empty)");
	}
}

void
settings_free(struct settings *s)
{
	for (size_t i = 0; i < NSETTINGS; i++) {
		if (table[i].type == ST_STRING || table[i].type == ST_ORIGIN) {
			char **p = (char **)((char *)s + table[i].offset);

			free(*p);
			*p = NULL;
		}
	}
}
