/*
 * ids.h - the shapes of identifiers that cross the HTTP edge.
 */
#ifndef TICKETD_IDS_H
#define TICKETD_IDS_H

#include <stdbool.h>
#include <stddef.h>

#define IDS_SLUG_MAX 64
#define IDS_UUID_LEN 36
#define IDS_BOOKING_ID_LEN 35 /* "bk_" + 32 hex digits */

/* Concert, tier and booking ids: [A-Za-z0-9_-]{1,64}. */
bool ids_is_slug(const char *s);

/*
 * Checks a UUID in its 36-character text form and writes it lowercased
 * into out (IDS_UUID_LEN + 1 bytes).  Returns 0 or -1.
 */
int ids_normalize_uuid(const char *s, char *out);

/* Writes a fresh random booking id ("bk_" + 32 hex) into out (36 bytes). */
void ids_new_booking_id(char *out);

/* Writes a fresh random user id ("u_" + 32 hex) into out (35 bytes). */
void ids_new_user_id(char *out);

/* Fresh concert ("c_" + 32 hex) and tier ("t_" + 32 hex) ids: 35 bytes. */
void ids_new_concert_id(char *out);
void ids_new_tier_id(char *out);

/*
 * Checks strict UTF-8 of len bytes: no overlong forms, no surrogates,
 * nothing above U+10FFFF, and no control characters.  json-c lets the
 * first three through, and PostgreSQL would then fail with 22021.
 */
bool ids_is_clean_utf8(const char *s, size_t len);

#endif
