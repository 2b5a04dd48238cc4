/*
 * utf8.h - strict UTF-8 decoding: no overlong forms, no surrogates,
 * nothing above U+10FFFF (json-c lets the first three through, and
 * PostgreSQL would then fail with 22021).
 */
#ifndef TICKETD_UTF8_H
#define TICKETD_UTF8_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the code point at *p (before end) into *cp and advances *p.
 * Returns 0, or -1 for a byte sequence that is not strict UTF-8.
 */
int utf8_next(const unsigned char **p, const unsigned char *end, uint32_t *cp);

/*
 * The length of the longest prefix of s (len bytes) that ends on a whole
 * character: what is left of a text cut at a byte count, without the
 * bytes of a character the cut split.  Other bytes are not judged.
 */
size_t utf8_whole_prefix(const char *s, size_t len);

#endif
