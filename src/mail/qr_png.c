/*
 * qr_png.c - a text as a QR code in a PNG: libqrencode draws the modules,
 * and the PNG is written here, uncompressed (stored deflate blocks), which
 * needs no zlib and is a few kilobytes for a ticket code.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <qrencode.h>

#include "base/errors.h"
#include "mail/qr_png.h"

#define QUIET 4 /* modules of white around the code, as the standard asks */

static uint32_t crc_table[256];

static void
crc_init(void)
{
	for (uint32_t n = 0; n < 256; n++) {
		uint32_t c = n;

		for (int k = 0; k < 8; k++) {
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		}
		crc_table[n] = c;
	}
}

static uint32_t
crc32_of(const unsigned char *p, size_t n, uint32_t crc)
{
	crc = ~crc;
	while (n-- > 0) {
		crc = crc_table[(crc ^ *p++) & 0xff] ^ (crc >> 8);
	}
	return ~crc;
}

static void
put32(FILE *f, uint32_t v)
{
	unsigned char b[4] = {v >> 24, v >> 16, v >> 8, v};

	fwrite(b, 1, 4, f);
}

/* A chunk: length, type, data, CRC of type and data. */
static void
chunk(FILE *f, const char *type, const unsigned char *data, size_t n)
{
	uint32_t crc = crc32_of((const unsigned char *)type, 4, 0);

	put32(f, (uint32_t)n);
	fwrite(type, 1, 4, f);
	if (n > 0) {
		fwrite(data, 1, n, f);
	}
	put32(f, crc32_of(data, n, crc));
}

/* raw wrapped in zlib with stored (uncompressed) deflate blocks. */
static unsigned char *
zlib_stored(const unsigned char *raw, size_t n, size_t *out_len)
{
	size_t blocks = n / 65535 + 1, len = 2 + n + blocks * 5 + 4, off = 0;
	unsigned char *z = malloc(len);
	uint32_t a = 1, b = 0;

	if (z == NULL) {
		abort();
	}
	z[off++] = 0x78; /* deflate, 32 KiB window */
	z[off++] = 0x01; /* no compression level; (0x78 0x01) % 31 == 0 */
	for (size_t done = 0; done < n || done == 0;) {
		size_t take = n - done > 65535 ? 65535 : n - done;

		z[off++] = done + take == n ? 1 : 0; /* BFINAL, BTYPE 00 */
		z[off++] = take & 0xff;
		z[off++] = take >> 8;
		z[off++] = ~take & 0xff;
		z[off++] = (~take >> 8) & 0xff;
		memcpy(z + off, raw + done, take);
		off += take;
		done += take;
		if (n == 0) {
			break;
		}
	}
	for (size_t i = 0; i < n; i++) {
		a = (a + raw[i]) % 65521;
		b = (b + a) % 65521;
	}
	z[off++] = b >> 8;
	z[off++] = b;
	z[off++] = a >> 8;
	z[off++] = a;
	*out_len = off;
	return z;
}

int
qr_png(const char *text, int scale, char **png, size_t *len)
{
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	unsigned char ihdr[13], *raw, *z;
	size_t side, row_bytes, zlen;
	FILE *f;

	if (qr == NULL) {
		return TD_ERR_INVALID;
	}
	if (crc_table[1] == 0) {
		crc_init();
	}
	side = (size_t)(qr->width + 2 * QUIET) * (size_t)scale;
	row_bytes = 1 + (side + 7) / 8; /* filter byte, then 1 bit a pixel */
	raw = calloc(side, row_bytes);
	if (raw == NULL) {
		abort();
	}
	/* A set bit is white (grayscale 1-bit): start white, paint black. */
	for (size_t y = 0; y < side; y++) {
		unsigned char *row = raw + y * row_bytes;
		long my = (long)(y / (size_t)scale) - QUIET;

		for (size_t x = 0; x < side; x++) {
			long mx = (long)(x / (size_t)scale) - QUIET;
			int dark = mx >= 0 && my >= 0 && mx < qr->width &&
			           my < qr->width &&
			           (qr->data[my * qr->width + mx] & 1);

			if (!dark) {
				row[1 + x / 8] |=
				    (unsigned char)(0x80 >> (x % 8));
			}
		}
	}
	QRcode_free(qr);

	memset(ihdr, 0, sizeof(ihdr));
	for (int i = 0; i < 4; i++) {
		ihdr[i] = (unsigned char)(side >> (24 - 8 * i));
		ihdr[4 + i] = (unsigned char)(side >> (24 - 8 * i));
	}
	ihdr[8] = 1; /* bit depth */
	ihdr[9] = 0; /* grayscale */
	z = zlib_stored(raw, side * row_bytes, &zlen);
	free(raw);

	f = open_memstream(png, len);
	if (f == NULL) {
		abort();
	}
	fwrite("\x89PNG\r\n\x1a\n", 1, 8, f);
	chunk(f, "IHDR", ihdr, sizeof(ihdr));
	chunk(f, "IDAT", z, zlen);
	chunk(f, "IEND", NULL, 0);
	fclose(f);
	free(z);
	return 0;
}
