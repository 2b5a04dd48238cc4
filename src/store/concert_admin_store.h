/*
 * concert_admin_store.h - the box office's concerts in PostgreSQL: the
 * port concert_admin.c runs against, and the reads of its pages (every
 * concert in any state, a concert's sales, the gauges of /metrics).
 */
#ifndef TICKETD_CONCERT_ADMIN_STORE_H
#define TICKETD_CONCERT_ADMIN_STORE_H

#include "domain/concert_admin.h"
#include "store/store.h"

#define SALES_MINUTES 60

/* A concert's sales, as the dashboard shows them. */
struct sales_report {
	char generated_at[TIMESTAMP_LEN + 1];
	int ntiers;
	struct sales_tier {
		char id[IDS_SLUG_MAX + 1];
		char name[TIER_NAME_MAX + 1];
		int64_t price_cents;
		int capacity;
		int sold;
		int available;
		int64_t gross_cents;
		int64_t refunded_cents;
	} tiers[CONCERT_MAX_TIERS];
	int64_t confirmed, declined, rejected, cancelled;
	struct sales_minute {
		char minute[TIMESTAMP_LEN + 1];
		int64_t confirmed;
	} minutes[SALES_MINUTES];
};

/* Binds the domain's port to s (primary only: the admin reads its writes). */
void concert_admin_store_bind(
    struct concert_admin_store *port, struct store *s);

/*
 * Every concert in any state with its tiers, by start.  *out is malloc'd
 * (free() it), *n its length.  Returns 0 or a td_error.
 */
int concert_admin_store_list(
    struct store *s, struct admin_concert **out, int *n);

/* One concert in any state.  Returns 0, TD_ERR_NOT_FOUND or an error. */
int concert_admin_store_get(
    struct store *s, const char *id, struct admin_concert *out);

/* The dashboard of one concert.  0, TD_ERR_NOT_FOUND or an error. */
int concert_admin_store_sales(
    struct store *s, const char *id, struct sales_report *out);

/* Tickets sold and available per listed concert, for /metrics. */
struct concert_gauge {
	char id[IDS_SLUG_MAX + 1];
	int64_t sold;
	int64_t available;
};

/* *out is malloc'd (free() it).  Returns 0 or a td_error. */
int concert_admin_store_gauges(
    struct store *s, struct concert_gauge **out, int *n);

#endif
