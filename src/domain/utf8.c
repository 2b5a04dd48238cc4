/*
 * utf8.c - one strict decoder for every check of text.
 */
#include "config.h"

#include <stddef.h>

#include "domain/utf8.h"

int
utf8_next(const unsigned char **p, const unsigned char *end, uint32_t *cp)
{
	const unsigned char *s = *p;
	int extra;

	if (*s < 0x80) {
		*cp = *s;
		*p = s + 1;
		return 0;
	}
	if ((*s & 0xe0) == 0xc0) {
		*cp = *s & 0x1f;
		extra = 1;
	} else if ((*s & 0xf0) == 0xe0) {
		*cp = *s & 0x0f;
		extra = 2;
	} else if ((*s & 0xf8) == 0xf0) {
		*cp = *s & 0x07;
		extra = 3;
	} else {
		return -1;
	}
	if (end - s <= extra) {
		return -1;
	}
	for (int i = 1; i <= extra; i++) {
		if ((s[i] & 0xc0) != 0x80) {
			return -1;
		}
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	/*
	 * Overlong forms would let two byte strings spell one text;
	 * surrogates and values past U+10FFFF are not characters at all.
	 */
	if ((extra == 1 && *cp < 0x80) || (extra == 2 && *cp < 0x800) ||
	    (extra == 3 && *cp < 0x10000) || (*cp >= 0xd800 && *cp <= 0xdfff) ||
	    *cp > 0x10ffff) {
		return -1;
	}
	*p = s + extra + 1;
	return 0;
}

size_t
utf8_whole_prefix(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t start = len, need;

	/* Back over at most three continuation bytes to a lead byte. */
	while (start > 0 && len - start < 4 && (u[start - 1] & 0xc0) == 0x80) {
		start--;
	}
	if (start == 0 || u[start - 1] < 0xc0) {
		return len;
	}
	start--;
	need = (u[start] & 0xe0) == 0xc0   ? 2
	       : (u[start] & 0xf0) == 0xe0 ? 3
	                                   : 4;
	return len - start >= need ? len : start;
}
