/*
 * concert_store.h - concerts and their tiers from PostgreSQL.
 *
 * Listings read the replica when there is one (a fan may see data as old
 * as the replication lag); a booking's check reads the primary.
 */
#ifndef TICKETD_CONCERT_STORE_H
#define TICKETD_CONCERT_STORE_H

#include "domain/concert.h"
#include "store/store.h"

/* Reads the CONCERT_COLUMNS of row into c.  Returns 0 or a td_error. */
int concert_store_read(const PGresult *r, int row, struct concert *c);

/*
 * At most max published concerts that are not over, ordered by start,
 * after the concert `after` (NULL: from the first), with their price and
 * ticket totals, into out; *n says how many.  Returns 0 or a td_error.
 */
int concert_store_list(const struct store *s, const char *after,
    struct concert *out, int max, int *n);

/*
 * One concert that is not a draft, with its description (without totals).
 * Returns 0, TD_ERR_NOT_FOUND or an error.
 */
int concert_store_get(
    const struct store *s, const char *id, struct concert_detail *out);

/*
 * The tiers of a concert with their availability, read without locks in
 * one snapshot, from the replica when there is one.  A concert without
 * tiers is 0 tiers.  Returns 0, TD_ERR_NOT_FOUND (no such concert) or an
 * error.
 */
int concert_store_tiers(
    const struct store *s, const char *concert_id, struct tier_list *out);

/*
 * The tiers of a booking's check (Q_BOOKING_CHECK's rows of part 'tiers'),
 * with the concert's limit per fan, what the fan holds already and the
 * sales window.  Returns 0, TD_ERR_NOT_FOUND (no rows: no such concert) or
 * an error.
 */
int concert_store_read_fan_tiers(
    const PGresult *r, const char *concert_id, struct tier_list *out);

/*
 * Refreshes the listing's per-concert totals on the primary, over the
 * connection the worker holds (TD_ERR_UNAVAILABLE when it has none open):
 * one refresher at a time across the nodes, none while the last refresh
 * is younger than min_age_ms.  *changed: how many totals changed, -1 when
 * skipped.  Returns 0 or a td_error.
 */
int concert_store_refresh_totals(
    const struct store *s, int min_age_ms, int *changed);

#endif
