// The tickets' and account emails' logic without a page: the links' fragment,
// the door's verdicts, what a door device remembers, the QR picture, and the
// verify/reset pages' states.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/client';
import type { Admission } from '../api/types';
import { admittedAnswer, refusedAnswer } from '../door/doorAnswer';
import { admittedHere, countAdmission, doorNameProblem } from '../door/doorStorage';
import { forgetHash, tokenFromHash } from '../lib/fragment';
import { matchRoute } from '../lib/router';
import { validateReset, verifyState } from '../pages/AccountEmailPages';
import { qrPicture, QUIET_ZONE } from '../tickets/qr';

const refusal = (status: number, code: string, details?: Record<string, unknown>) =>
  new ApiError({ kind: 'http', status, code, message: `server says ${code}`, details });

describe('the token in a link’s fragment', () => {
  it('reads #token=, with or without the #, among other parameters', () => {
    expect(tokenFromHash('#token=abc.DEF_-1')).toBe('abc.DEF_-1');
    expect(tokenFromHash('token=abc')).toBe('abc');
    expect(tokenFromHash('#utm=x&token=abc')).toBe('abc');
    expect(tokenFromHash('#token=a%2Eb')).toBe('a.b');
  });

  it('is null when there is none, it is empty, or it is far too long to be one', () => {
    expect(tokenFromHash('')).toBeNull();
    expect(tokenFromHash('#')).toBeNull();
    expect(tokenFromHash('#token=')).toBeNull();
    expect(tokenFromHash('#token=%20%20')).toBeNull();
    expect(tokenFromHash('#code=abc')).toBeNull();
    expect(tokenFromHash(`#token=${'a'.repeat(2000)}`)).toBeNull();
  });

  it('forgetHash takes it out of the address bar and keeps the rest', () => {
    window.history.replaceState({ keep: 1 }, '', '/verify-email?x=1#token=secret');
    forgetHash();
    expect(window.location.pathname + window.location.search + window.location.hash).toBe('/verify-email?x=1');
    expect(window.history.state).toEqual({ keep: 1 });
  });

  it('the pages’ routes', () => {
    expect(matchRoute('/verify-email')).toEqual({ name: 'verify-email' });
    expect(matchRoute('/reset-password/')).toEqual({ name: 'reset-password' });
    expect(matchRoute('/forgot-password')).toEqual({ name: 'forgot-password' });
    expect(matchRoute('/door')).toEqual({ name: 'door' });
  });
});

describe('the door’s verdicts', () => {
  const admission: Admission = {
    ticket: { bookingId: 'bk_1', index: 1, tierName: 'FRONT_ROW' },
    fan: { name: 'Alex Rivera' },
    concertId: 'c1',
    door: 'North gate',
    admittedAt: '2027-07-18T03:14:00Z',
  };

  it('an admission is green with the tier and the fan', () => {
    expect(admittedAnswer(admission)).toEqual({ verdict: 'admit', headline: 'ADMITTED', detail: 'FRONT ROW — Alex Rivera', code: null });
    expect(admittedAnswer({ ...admission, fan: { name: ' ' } }).detail).toBe('FRONT ROW');
  });

  it('ALREADY_ADMITTED is red and says when (on the venue’s clock) and at which door', () => {
    const a = refusedAnswer(
      refusal(409, 'ALREADY_ADMITTED', { admittedAt: '2027-07-18T03:14:00Z', door: 'North gate' }),
      'America/Los_Angeles',
    );
    expect(a.verdict).toBe('refuse');
    expect(a.headline).toBe('ALREADY ADMITTED');
    expect(a.detail).toBe('This ticket was admitted at 8:14 PM PDT at North gate.');
    expect(refusedAnswer(refusal(409, 'ALREADY_ADMITTED')).detail).toBe('This ticket was admitted before.');
  });

  it('a cancelled, foreign or forged ticket is red, each in its own words', () => {
    expect(refusedAnswer(refusal(409, 'TICKET_CANCELLED'))).toMatchObject({ verdict: 'refuse', headline: 'TICKET CANCELLED' });
    expect(refusedAnswer(refusal(409, 'TICKET_CANCELLED')).detail).toMatch(/void/);
    expect(refusedAnswer(refusal(409, 'WRONG_CONCERT', { concertId: 'c2' }))).toMatchObject({
      verdict: 'refuse',
      headline: 'WRONG CONCERT',
    });
    expect(refusedAnswer(refusal(400, 'INVALID_TICKET'))).toMatchObject({ verdict: 'refuse', headline: 'INVALID TICKET' });
  });

  it('no verdict from the server is amber: scan again (never green, never "refused")', () => {
    for (const err of [
      new ApiError({ kind: 'network', status: 0, code: 'NETWORK_ERROR', message: 'offline' }),
      refusal(503, 'SERVICE_UNAVAILABLE'),
      refusal(500, 'INTERNAL_SERVER_ERROR'),
      new Error('boom'),
    ]) {
      expect(refusedAnswer(err)).toMatchObject({ verdict: 'retry', headline: 'NOT CHECKED' });
    }
  });

  it('signed out asks to sign in; a fan is not allowed; a bad door name says so', () => {
    expect(refusedAnswer(refusal(401, 'UNAUTHENTICATED'))).toMatchObject({ verdict: 'retry', signedOut: true });
    expect(refusedAnswer(refusal(403, 'FORBIDDEN'))).toMatchObject({ verdict: 'retry', headline: 'NOT ALLOWED' });
    expect(refusedAnswer(refusal(400, 'INVALID_REQUEST', { field: 'door' })).detail).toMatch(/door name/);
  });
});

describe('what a door device remembers', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('counts its own admissions per concert, across reloads', () => {
    expect(admittedHere('c1')).toBe(0);
    expect(countAdmission('c1')).toBe(1);
    expect(countAdmission('c1')).toBe(2);
    expect(countAdmission('c2')).toBe(1);
    expect(admittedHere('c1')).toBe(2);
  });

  it('ignores a damaged store rather than failing the door', () => {
    window.localStorage.setItem('ticketd.door.admitted', '{"c1": "many", "c2": 3, "c3": -1}');
    expect(admittedHere('c1')).toBe(0);
    expect(admittedHere('c2')).toBe(3);
    expect(admittedHere('c3')).toBe(0);
    window.localStorage.setItem('ticketd.door.admitted', 'not json');
    expect(countAdmission('c1')).toBe(1);
  });

  it('a door name is 1 to 64 characters without control characters', () => {
    expect(doorNameProblem('North gate')).toBeNull();
    expect(doorNameProblem('  ')).toMatch(/Name this door/);
    expect(doorNameProblem('x'.repeat(65))).toMatch(/64/);
    expect(doorNameProblem('🚪'.repeat(64))).toBeNull();
    expect(doorNameProblem('a\tb')).toMatch(/letters/);
  });
});

describe('the QR picture', () => {
  // A real code's shape: 142 characters of base64url (its lower case needs the byte mode).
  const code =
    'T1.g2JrX-HncXXOTUVgiVJKvPdbydkAgmNfIIKzr2B3Tz-mx4-PO7Uhcd3nLA7RJXknCn1TKqa6gc9LA8TbtMFraAbu4DSvHm03tFD-nZK5J1mK4t1HKykyFC7SJrTYnatL7TtLBnPRXwa';

  it('a 142-character code is version 8 at level M: 49 modules and the quiet zone', () => {
    const qr = qrPicture(code);
    expect(qr.size).toBe(49 + 2 * QUIET_ZONE);
    // Only whole modules, inside the quiet zone.
    for (const m of qr.path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
      expect(Number(m[1])).toBeGreaterThanOrEqual(QUIET_ZONE);
      expect(Number(m[2])).toBeLessThan(qr.size - QUIET_ZONE);
    }
    expect(qr.path.replace(/M\d+ \d+h1v1h-1z/g, '')).toBe('');
  });

  it('is the same picture for the same code, another for another', () => {
    expect(qrPicture(code)).toEqual(qrPicture(code));
    expect(qrPicture(`${code.slice(0, -1)}B`).path).not.toBe(qrPicture(code).path);
  });
});

describe('the verify and reset pages’ states', () => {
  it('verify: from the link and the answer', () => {
    expect(verifyState(null, 'idle', null)).toBe('no-token');
    expect(verifyState('t', 'idle', null)).toBe('checking');
    expect(verifyState('t', 'pending', null)).toBe('checking');
    expect(verifyState('t', 'success', null)).toBe('verified');
    expect(verifyState('t', 'error', refusal(400, 'TOKEN_EXPIRED'))).toBe('expired');
    expect(verifyState('t', 'error', refusal(400, 'INVALID_TOKEN'))).toBe('invalid');
    expect(verifyState('t', 'error', refusal(503, 'SERVICE_UNAVAILABLE'))).toBe('failed');
  });

  it('reset: the server’s length rule, typed the same twice', () => {
    expect(validateReset('short', 'short')).toEqual({ password: 'Use at least 10 characters.' });
    expect(validateReset('x'.repeat(129), 'x'.repeat(129))).toEqual({ password: 'Use at most 128 characters.' });
    expect(validateReset('long enough 1', 'long enough 2')).toEqual({ repeat: 'The two passwords are not the same.' });
    expect(validateReset('long enough 1', 'long enough 1')).toEqual({});
    // Bytes, as the server counts: 2 emoji are 8 bytes, 3 are 12.
    expect(validateReset('🎸🎸', '🎸🎸')).toEqual({ password: 'Use at least 10 characters.' });
    expect(validateReset('🎸🎸🎸', '🎸🎸🎸')).toEqual({});
  });
});
