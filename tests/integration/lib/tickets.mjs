// The ticket code (src/domain/ticket_code.h) read and written in node with node:crypto alone:
// what a door device does offline with the key of GET /api/checkin/key, and, with a seed, what
// the tests need to forge codes that carry a good signature but name no ticket.
//
//   const key = publicKeyFrom(data.publicKey);           // raw 32 bytes, base64url
//   decodeTicketCode(code, key)                          // { bookingId, index, concertId } or null
//   encodeTicketCode({ bookingId, index, concertId }, privateKeyFromSeed(seed))

import { createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';

export const PREFIX = 'T1.';
const PACKED = 0x80;
const SLUG = /^[A-Za-z0-9_-]{1,64}$/;

// The raw public key as a KeyObject (a JWK's x is exactly the raw key in base64url).
export const publicKeyFrom = (b64url) =>
  createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: b64url }, format: 'jwk' });

// An Ed25519 seed (32 bytes) as a private key: PKCS#8 DER is a fixed 16-byte head and the seed.
export const privateKeyFromSeed = (seed) => createPrivateKey({
  key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8',
});

function packedPrefix(id) {
  const m = /^([A-Za-z0-9_-]{0,8})([0-9a-f]{32})$/.exec(id);
  return m ? m[1] : null;
}

function encodeId(id) {
  const prefix = packedPrefix(id);
  if (prefix === null) return Buffer.concat([Buffer.from([id.length]), Buffer.from(id)]);
  return Buffer.concat([Buffer.from([PACKED | prefix.length]), Buffer.from(prefix), Buffer.from(id.slice(prefix.length), 'hex')]);
}

// One id at buf[off]: [id, bytes taken], or null.
function decodeId(buf, off) {
  if (off >= buf.length) return null;
  const tag = buf[off];
  if ((tag & PACKED) === 0) {
    const id = buf.subarray(off + 1, off + 1 + tag).toString('latin1');
    if (tag === 0 || off + 1 + tag > buf.length || !SLUG.test(id) || packedPrefix(id) !== null) return null;
    return [id, 1 + tag];
  }
  const n = tag & ~PACKED;
  if (n > 8 || off + 1 + n + 16 > buf.length) return null;
  const prefix = buf.subarray(off + 1, off + 1 + n).toString('latin1');
  if (n > 0 && !SLUG.test(prefix)) return null;
  return [prefix + buf.subarray(off + 1 + n, off + 1 + n + 16).toString('hex'), 1 + n + 16];
}

// Checks a code offline: its signature with the public key, then what it says. null if invalid.
export function decodeTicketCode(code, publicKey) {
  if (typeof code !== 'string' || !code.startsWith(PREFIX)) return null;
  const body = code.slice(PREFIX.length);
  const bin = Buffer.from(body, 'base64url');
  // node's decoder skips what it does not know: the one spelling is the one it writes back.
  if (bin.toString('base64url') !== body || bin.length < 69) return null;
  const payload = bin.subarray(0, bin.length - 64);
  const signature = bin.subarray(bin.length - 64);
  if (!verify(null, Buffer.concat([Buffer.from(PREFIX), payload]), publicKey, signature)) return null;
  const booking = decodeId(payload, 0);
  if (!booking || booking[1] >= payload.length) return null;
  const index = payload[booking[1]];
  const concert = decodeId(payload, booking[1] + 1);
  if (!concert || booking[1] + 1 + concert[1] !== payload.length) return null;
  return { bookingId: booking[0], index, concertId: concert[0] };
}

// Writes the code of a claim, signed with privateKey (for tests that forge codes).
export function encodeTicketCode({ bookingId, index, concertId }, privateKey) {
  const payload = Buffer.concat([encodeId(bookingId), Buffer.from([index]), encodeId(concertId)]);
  const signature = sign(null, Buffer.concat([Buffer.from(PREFIX), payload]), privateKey);
  return PREFIX + Buffer.concat([payload, signature]).toString('base64url');
}
