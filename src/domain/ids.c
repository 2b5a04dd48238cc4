/*
 * ids.c - the shapes of identifiers that cross the HTTP edge.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <uuid/uuid.h>

#include "domain/ids.h"
#include "domain/utf8.h"

bool
ids_is_slug(const char *s)
{
	size_t n = 0;

	for (; *s != '\0'; s++, n++) {
		if (n == IDS_SLUG_MAX) {
			return false;
		}
		if (!isalnum((unsigned char)*s) && *s != '_' && *s != '-') {
			return false;
		}
	}
	return n > 0;
}

int
ids_normalize_uuid(const char *s, char *out)
{
	uuid_t u;

	/* uuid_parse accepts exactly the 8-4-4-4-12 form, but check the length
	 * first. */
	if (strlen(s) != IDS_UUID_LEN || uuid_parse(s, u) != 0) {
		return -1;
	}
	/* The nil UUID is what an unset key looks like in many clients: never
	 * a key someone chose for one booking attempt. */
	if (uuid_is_null(u)) {
		return -1;
	}
	uuid_unparse_lower(u, out);
	return 0;
}

/* prefix + 32 hex digits of a random UUID. */
static void
new_id(const char *prefix, char *out)
{
	size_t n = strlen(prefix);
	uuid_t u;

	uuid_generate_random(u);
	memcpy(out, prefix, n);
	for (int i = 0; i < 16; i++) {
		snprintf(out + n + i * 2, 3, "%02x", u[i]);
	}
}

void
ids_new_booking_id(char *out)
{
	new_id("bk_", out);
}

void
ids_new_user_id(char *out)
{
	new_id("u_", out);
}

bool
ids_is_clean_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;
	uint32_t cp;

	while (p < end) {
		if (utf8_next(&p, end, &cp) != 0) {
			return false;
		}
		/* C0 controls, DEL and C1 controls. */
		if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) {
			return false;
		}
	}
	return true;
}

void
ids_new_concert_id(char *out)
{
	new_id("c_", out);
}

void
ids_new_tier_id(char *out)
{
	new_id("t_", out);
}
