/*
 * qr_png.h - a text drawn as a QR code, as a PNG image.
 */
#ifndef TICKETD_QR_PNG_H
#define TICKETD_QR_PNG_H

#include <stddef.h>

/*
 * Encodes text (error correction M, 8-bit mode) as a black-on-white PNG,
 * scale pixels a module, with the standard's quiet zone.  *png is
 * malloc'd (free() it).  Returns 0, or TD_ERR_INVALID when the text does
 * not fit in a QR code.
 */
int qr_png(const char *text, int scale, char **png, size_t *len);

#endif
