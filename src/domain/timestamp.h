/*
 * timestamp.h - the two forms of time the box office is given: an instant
 * (ISO 8601 with "Z" or an offset) and a local wall-clock time that means
 * something only with a time zone (the store resolves it).
 */
#ifndef TICKETD_TIMESTAMP_H
#define TICKETD_TIMESTAMP_H

#include <stdbool.h>
#include <stdint.h>

#define TIMESTAMP_LOCAL_LEN 19   /* "2027-06-15T20:00:00" */
#define TIMESTAMP_OFFSET_LEN 25  /* "2027-06-15T20:00:00-04:00" */
#define TIMESTAMP_INSTANT_MAX 35 /* with fractions of a second */

/*
 * Parses "YYYY-MM-DDTHH:MM[:SS[.fff…]](Z|±HH:MM)" into milliseconds since
 * the epoch.  Returns 0, or TD_ERR_INVALID for anything else (a missing
 * zone, 2027-02-30, 24:00, an offset beyond ±18:00).
 */
int timestamp_parse_instant(const char *s, int64_t *ms);

/*
 * Whether s is a local time "YYYY-MM-DDTHH:MM[:SS]" that exists on a
 * calendar (no zone).  On success writes the canonical
 * "YYYY-MM-DDTHH:MM:SS" into out (TIMESTAMP_LOCAL_LEN + 1 bytes).
 */
bool timestamp_local_canonical(const char *s, char *out);

/* Formats ms as "YYYY-MM-DDTHH:MM:SS.fffZ" into out (at least 25 bytes). */
void timestamp_format_utc_ms(int64_t ms, char *out, int len);

#endif
