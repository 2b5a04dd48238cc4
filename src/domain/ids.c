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
	uuid_unparse_lower(u, out);
	return 0;
}

void
ids_new_booking_id(char *out)
{
	uuid_t u;

	uuid_generate_random(u);
	memcpy(out, "bk_", 3);
	for (int i = 0; i < 16; i++) {
		snprintf(out + 3 + i * 2, 3, "%02x", u[i]);
	}
}

bool
ids_is_clean_utf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s, *end = p + len;

	while (p < end) {
		uint32_t cp;
		int extra;

		if (*p < 0x80) {
			if (*p < 0x20 || *p == 0x7f) {
				return false;
			}
			p++;
			continue;
		}
		if ((*p & 0xe0) == 0xc0) {
			cp = *p & 0x1f;
			extra = 1;
		} else if ((*p & 0xf0) == 0xe0) {
			cp = *p & 0x0f;
			extra = 2;
		} else if ((*p & 0xf8) == 0xf0) {
			cp = *p & 0x07;
			extra = 3;
		} else {
			return false;
		}
		if (end - p <= extra) {
			return false;
		}
		for (int i = 1; i <= extra; i++) {
			if ((p[i] & 0xc0) != 0x80) {
				return false;
			}
			cp = (cp << 6) | (p[i] & 0x3f);
		}
		/* Overlong forms, surrogates, beyond Unicode, C1 controls. */
		if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) ||
		    (extra == 3 && cp < 0x10000) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff ||
		    (cp >= 0x80 && cp < 0xa0)) {
			return false;
		}
		p += extra + 1;
	}
	return true;
}
