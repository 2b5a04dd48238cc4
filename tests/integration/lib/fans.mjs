// Signed-in fans for tests, made straight in the database: a user row and a session whose token
// only the test holds (the database keeps its SHA-256, as ticketd does). Fast (no Argon2id, no
// rate limit), so a test can have hundreds of fans; the real sign-up and sign-in path has its
// own tests (accounts.test.mjs).
//
//   const [ann, bob] = await createFans(s, 2);        // s: anything with psql(sql)
//   await httpRequest(port, 'GET', '/api/me', { headers: { cookie: ann.cookie } });
//   const fan = await defaultFan(s);                  // one fan per stack, made once

import { createHash, randomBytes } from 'node:crypto';

const defaults = new WeakMap();

export const sessionCookie = (token) => `ticketd_session=${token}`;

export async function createFans(s, n, { role = 'fan', prefix = 'fan' } = {}) {
  const fans = Array.from({ length: n }, () => {
    const hex = randomBytes(16).toString('hex');
    const token = randomBytes(32).toString('base64url');
    return {
      id: `u_${hex}`,
      email: `${prefix}-${hex}@example.com`,
      name: `${prefix} ${hex.slice(0, 6)}`,
      role,
      token,
      tokenHash: createHash('sha256').update(token).digest('hex'),
      cookie: sessionCookie(token),
    };
  });
  if (n === 0) return fans;
  const users = fans.map((f) => `('${f.id}','${f.email}','${f.name}','!','${role}')`).join(',');
  const sessions = fans.map((f) => `('${f.tokenHash}','${f.id}')`).join(',');
  await s.psql(`INSERT INTO users (id, email, name, password_hash, role) VALUES ${users};
    INSERT INTO sessions (token_hash, user_id) VALUES ${sessions}`);
  return fans;
}

// The fan a stack's requests are made as unless a test says otherwise (made on first use).
// A failed attempt (the database down, say) is forgotten, so the next request tries again.
export function defaultFan(s) {
  if (!defaults.has(s)) {
    const made = createFans(s, 1, { prefix: 'default' }).then(([f]) => f);
    made.catch(() => defaults.delete(s));
    defaults.set(s, made);
  }
  return defaults.get(s);
}
