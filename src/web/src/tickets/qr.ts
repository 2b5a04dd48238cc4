// A QR code as one SVG path, made in the browser (the `qrcode` package's
// encoder; no image from a server, no canvas): crisp at any size, printable,
// and the same text in gives the same picture out.
import { create } from 'qrcode';

/** Light modules around the symbol, as the standard asks, so a scanner finds its edges. */
export const QUIET_ZONE = 4;

export interface QrPicture {
  /** Modules per side, quiet zone included: the SVG's viewBox is 0 0 size size. */
  size: number;
  /** One "M x y h1v1h-1z" square per dark module. */
  path: string;
}

/**
 * The QR symbol of `text` (level M: a printed ticket survives a crease or
 * a smudge; ticketd's 142-character codes fit in version 8, 49×49 modules).
 */
export function qrPicture(text: string): QrPicture {
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const n = modules.size;
  let path = '';
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (modules.data[row * n + col]) path += `M${col + QUIET_ZONE} ${row + QUIET_ZONE}h1v1h-1z`;
    }
  }
  return { size: n + 2 * QUIET_ZONE, path };
}
