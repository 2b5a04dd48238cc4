/*
 * settings.h - every setting of ticketd, from defaults, an optional file
 * of KEY=VALUE lines and the environment (the environment wins).
 *
 * (Named settings, not config, because autoconf owns config.h.)
 */
#ifndef TICKETD_SETTINGS_H
#define TICKETD_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#include "domain/payment.h"
#include "store/db.h"

struct settings {
	char *database_url;
	char *database_read_url;
	char *read_socket;
	char *book_socket;
	char *pidfile;
	char *log_file;        /* "": stderr as inherited */
	char *public_origin;   /* "" or scheme://host[:port] */
	char *gateway_log_dir; /* "" or where nginx counts its 502s and 504s */
	char *smtp_url;        /* "" or the relay the mailer sends through */
	char *mail_from;
	char *mail_site_url;
	int mailer_poll_ms;
	char *ticket_key_file; /* "" or the tickets' Ed25519 seed (32 bytes) */
	int log_level;         /* an enum log_level, parsed once */
	int read_workers;
	int book_workers;
	int read_serving; /* 0: no accept gate (base/accept_gate.h) */
	int book_serving;
	int txn_slots;
	int slot_wait_ms;
	int book_batch_max; /* 0: no booking writer */
	int book_batch_lock_wait_ms;
	int hash_slots;
	int backlog;
	int max_body;
	int drain_timeout_ms;
	int sold_out_ttl_ms;   /* 0: no sold-out table */
	int listing_totals_ms; /* 0: no refresh of the listing's totals */
	struct payment_settings payment; /* what the payment simulator reads */
	struct db_settings db;           /* what every connection reads */
	bool read_prepared;              /* DB_READ_PREPARED_STATEMENTS */
};

/* Fills every field with its default.  Free with settings_free(). */
void settings_defaults(struct settings *s);

/*
 * Sets one setting by its key (e.g. "PAYMENT_LATENCY_MS") from text,
 * with bounds checked.  Returns 0, or -1 with a message in err.
 */
int settings_set(struct settings *s, const char *key, const char *value,
    char *err, size_t errlen);

/*
 * Reads KEY=VALUE lines (blank lines and '#' comments allowed) from path.
 * Returns 0, or -1 with a message in err.
 */
int settings_load_file(
    struct settings *s, const char *path, char *err, size_t errlen);

/* Applies every known key present in the environment.  Returns 0 or -1. */
int settings_load_env(struct settings *s, char *err, size_t errlen);

/* Prints the table of settings with defaults and meanings. */
void settings_usage(FILE *fp);

void settings_free(struct settings *s);

#endif
