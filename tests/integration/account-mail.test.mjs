// Account emails end to end through the real SMTP sink (issue 13): a sign-up owes a verification
// link (signed, expiring: nothing stored for it), a forgotten password a reset link (a single-use
// token that expires in an hour; every session revoked after). Each refusal with its exact code,
// an expired and a reused token included; no answer ever says whether an address has an account.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, test } from 'node:test';

import { assertError, assertOk, httpRequest, startStack } from './stack.mjs';
import { post } from './lib/booking-helpers.mjs';
import { sessionCookie } from './lib/fans.mjs';
import { waitForMail } from './lib/mail.mjs';

const PASSWORD = 'correct horse battery';
let s;
let short; // a stack whose verification links live one second
let counter = 0;

before(async () => {
  const env = { MAILER_POLL_MS: '100', TICKETD_MAIL_FIRST_RETRY_S: '1' };
  const [a, b] = await Promise.allSettled([
    startStack({ rateLimit: 'off', mail: true, env }),
    startStack({ rateLimit: 'off', mail: true, env: { ...env, TICKETD_VERIFY_LINK_TTL_S: '1' }, name: 'account-mail-short' }),
  ]);
  s = a.value;
  short = b.value;
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
});
after(async () => {
  await Promise.allSettled([s?.destroy(), short?.destroy()]);
});

const freshEmail = () => `mail${Date.now()}${counter++}@example.com`;
const call = (st, path, body, cookie) => post(st, path, body, { fan: null, headers: cookie ? { cookie } : {} });
const me = (st, cookie) => httpRequest(st.port, 'GET', '/api/me', { headers: { cookie } });

async function signUp(st, email = freshEmail()) {
  const res = await call(st, '/api/auth/register', { email, password: PASSWORD, name: 'Mia Mail' });
  const user = assertOk(assert, res, 201).user;
  const token = /^ticketd_session=([A-Za-z0-9_-]{43});/.exec(res.headers['set-cookie'][0])[1];
  return { ...user, cookie: sessionCookie(token) };
}

// The token in the link of the newest email of kind ('verify-email' or 'reset-password') to email.
async function linkToken(st, email, kind) {
  const re = new RegExp(`http://localhost:\\d+/${kind}#token=([A-Za-z0-9_-]+)`);
  const mine = (msgs) => msgs.filter((m) => m.headers.to === `<${email}>` && re.test(m.parts.length ? '' : bodyOf(m)));
  const msgs = await waitForMail(st.vars.MAIL_DIR, (all) => mine(all).length > 0);
  return re.exec(bodyOf(mine(msgs).at(-1)))[1];
}

// A single-part base64 text message's body.
function bodyOf(m) {
  const text = m.text.split(/\r?\n\r?\n/).slice(1).join('\n');
  return Buffer.from(text.replace(/\s+/g, ''), 'base64').toString('utf8');
}

test('a sign-up is emailed a verification link; following it verifies the address, again too', async () => {
  const fan = await signUp(s);
  assert.equal(fan.emailVerified, false);
  const token = await linkToken(s, fan.email, 'verify-email');
  const res = await call(s, '/api/auth/verify-email', { token });
  const user = assertOk(assert, res).user;
  assert.equal(user.id, fan.id);
  assert.equal(user.emailVerified, true);
  assert.equal(assertOk(assert, await me(s, fan.cookie)).emailVerified, true);
  // The link stays good until it expires: a second click changes nothing.
  assert.equal(assertOk(assert, await call(s, '/api/auth/verify-email', { token })).user.emailVerified, true);
});

test('a forged, altered or foreign verification token is 400 INVALID_TOKEN', async () => {
  const fan = await signUp(s);
  const token = await linkToken(s, fan.email, 'verify-email');
  const flip = (t, i) => t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1);
  for (const bad of [flip(token, 2), flip(token, token.length - 3), token.slice(0, -1), 'x', `${token}€`]) {
    assertError(assert, await call(s, '/api/auth/verify-email', { token: bad }), 400, 'INVALID_TOKEN');
  }
  // Another stack signs with another key.
  assertError(assert, await call(short, '/api/auth/verify-email', { token }), 400, 'INVALID_TOKEN');
  assertError(assert, await call(s, '/api/auth/verify-email', {}), 400, 'INVALID_REQUEST');
  assert.equal(assertOk(assert, await me(s, fan.cookie)).emailVerified, false);
});

test('a verification link for an address the account no longer has is 400 INVALID_TOKEN', async () => {
  const fan = await signUp(s);
  const token = await linkToken(s, fan.email, 'verify-email');
  await s.psql(`UPDATE users SET email = 'moved-${fan.id}@example.com' WHERE id = '${fan.id}'`);
  assertError(assert, await call(s, '/api/auth/verify-email', { token }), 400, 'INVALID_TOKEN');
});

test('an expired verification link is 400 TOKEN_EXPIRED', async () => {
  const fan = await signUp(short);
  const token = await linkToken(short, fan.email, 'verify-email');
  // The expiry is in the signed payload: wait until the clock has passed it.
  const bin = Buffer.from(token, 'base64url');
  const expires = Number(bin.readBigUInt64BE(1 + bin[0] + 16)) * 1000;
  while (Date.now() <= expires + 1000) await new Promise((r) => setTimeout(r, 100));
  assertError(assert, await call(short, '/api/auth/verify-email', { token }), 400, 'TOKEN_EXPIRED');
});

test('resend: 202 and a new link for an unverified fan, at most one a minute; 401 signed out', async () => {
  const fan = await signUp(s);
  await linkToken(s, fan.email, 'verify-email');
  assertOk(assert, await call(s, '/api/auth/verify-email/resend', {}, fan.cookie), 202);
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE user_id = '${fan.id}' AND kind = 'verify_email'`), '1',
    'the first link went out less than a minute ago');
  await s.psql(`UPDATE outbox SET created_at = now() - interval '2 minutes' WHERE user_id = '${fan.id}'`);
  assertOk(assert, await call(s, '/api/auth/verify-email/resend', {}, fan.cookie), 202);
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE user_id = '${fan.id}' AND kind = 'verify_email'`), '2');
  assertError(assert, await call(s, '/api/auth/verify-email/resend', {}), 401, 'UNAUTHENTICATED');
});

test('a password reset: 202 for any address, one email to the account, a new password, every session revoked', async () => {
  const fan = await signUp(s);
  const other = await signUp(s);
  const before = await s.psql('SELECT count(*) FROM outbox WHERE kind = \'password_reset\'');
  assertOk(assert, await call(s, '/api/auth/password-reset', { email: `nobody-${Date.now()}@example.com` }), 202);
  assert.equal(await s.psql('SELECT count(*) FROM outbox WHERE kind = \'password_reset\''), before, 'no account, no email');
  assertOk(assert, await call(s, '/api/auth/password-reset', { email: fan.email.toUpperCase() }), 202);
  const token = await linkToken(s, fan.email, 'reset-password');

  assertError(assert, await call(s, '/api/auth/password-reset/confirm', { token, password: 'short' }), 400,
    'INVALID_REQUEST');
  const done = await call(s, '/api/auth/password-reset/confirm', { token, password: 'a brand new password' }, fan.cookie);
  assert.equal(done.status, 204);
  assert.match(done.headers['set-cookie'][0], /^ticketd_session=;/, 'this browser\'s cookie cleared');
  assertError(assert, await me(s, fan.cookie), 401, 'UNAUTHENTICATED');
  assertOk(assert, await me(s, other.cookie), 200);
  assertError(assert, await call(s, '/api/auth/login', { email: fan.email, password: PASSWORD }), 401, 'INVALID_CREDENTIALS');
  const signedIn = assertOk(assert, await call(s, '/api/auth/login', { email: fan.email, password: 'a brand new password' }));
  assert.equal(signedIn.user.emailVerified, true, 'the email reached the address');

  // Used once.
  assertError(assert, await call(s, '/api/auth/password-reset/confirm', { token, password: 'yet another password' }),
    400, 'INVALID_TOKEN');
});

test('reset tokens: unknown or malformed 400 INVALID_TOKEN, expired 400 TOKEN_EXPIRED; a second ask within five minutes sends nothing', async () => {
  const fan = await signUp(s);
  const token = randomBytes(32).toString('base64url');
  const hash = createHash('sha256').update(token).digest('hex');
  assertError(assert, await call(s, '/api/auth/password-reset/confirm', { token, password: 'whatever password' }), 400,
    'INVALID_TOKEN');
  assertError(assert, await call(s, '/api/auth/password-reset/confirm', { token: 'abc', password: 'whatever password' }),
    400, 'INVALID_TOKEN');
  await s.psql(`INSERT INTO password_resets (token_hash, user_id, expires_at)
                VALUES ('${hash}', '${fan.id}', now() - interval '1 second')`);
  assertError(assert, await call(s, '/api/auth/password-reset/confirm', { token, password: 'whatever password' }), 400,
    'TOKEN_EXPIRED');
  assertOk(assert, await me(s, fan.cookie), 200, 'an expired token changes nothing');

  assertOk(assert, await call(s, '/api/auth/password-reset', { email: fan.email }), 202);
  assertOk(assert, await call(s, '/api/auth/password-reset', { email: fan.email }), 202);
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE user_id = '${fan.id}' AND kind = 'password_reset'`), '1');
  assertError(assert, await call(s, '/api/auth/password-reset', { email: 'not an address' }), 400, 'INVALID_REQUEST');
});

test('ten reset requests for one address at once owe one email, not ten', async () => {
  const fan = await signUp(s);
  const answers = await Promise.all(Array.from({ length: 10 }, () =>
    call(s, '/api/auth/password-reset', { email: fan.email })));
  assert.deepEqual([...new Set(answers.map((r) => r.status))], [202]);
  assert.equal(await s.psql(`SELECT count(*) FROM outbox WHERE user_id = '${fan.id}' AND kind = 'password_reset'`), '1');
});

test('a sign-in that checked the old password while a reset committed gets no session that outlives the reset', async () => {
  const fan = await signUp(s);
  const token = randomBytes(32).toString('base64url');
  const hash = createHash('sha256').update(token).digest('hex');
  await s.psql(`INSERT INTO password_resets (token_hash, user_id, expires_at)
                VALUES ('${hash}', '${fan.id}', now() + interval '1 hour')`);
  // Sign-ins with the old password race the reset: whichever order the database puts them in,
  // no session of the account is left alive after the reset.
  const [reset, ...logins] = await Promise.all([
    call(s, '/api/auth/password-reset/confirm', { token, password: 'the new password 1' }),
    ...Array.from({ length: 4 }, () => call(s, '/api/auth/login', { email: fan.email, password: PASSWORD })),
  ]);
  assert.equal(reset.status, 204);
  for (const r of logins) assert.ok([200, 401, 503].includes(r.status), `sign-in answered ${r.status}`);
  // Every sign-in that got in did so with the old password: the reset ends each session.
  for (const r of logins.filter((x) => x.status === 200)) {
    assertError(assert, await me(s, r.headers['set-cookie'][0].split(';')[0]), 401, 'UNAUTHENTICATED');
  }
  assert.equal(await s.psql(`SELECT count(*) FROM sessions WHERE user_id = '${fan.id}' AND revoked_at IS NULL`), '0');
});

test('two resets with one token at once: exactly one sets the password', async () => {
  const fan = await signUp(s);
  const token = randomBytes(32).toString('base64url');
  const hash = createHash('sha256').update(token).digest('hex');
  await s.psql(`INSERT INTO password_resets (token_hash, user_id, expires_at)
                VALUES ('${hash}', '${fan.id}', now() + interval '1 hour')`);
  const answers = await Promise.all(['first new password', 'second new password'].map((password) =>
    call(s, '/api/auth/password-reset/confirm', { token, password })));
  assert.deepEqual(answers.map((r) => r.status).sort(), [204, 400]);
});
