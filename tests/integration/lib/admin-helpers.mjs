// Helpers for the box office suites (admin-*.test.mjs), on top of ../stack.mjs and
// booking-helpers.mjs:
//
//   const [admin] = await createFans(s, 1, { role: 'admin' });
//   const c = await createConcert(s, admin, { tiers: [{ tierName: 'GA', price: 10, capacity: 50 }] });
//   const res = await patchConcert(s, admin, c.id, { name: 'New name' });   // PATCH, JSON
//   const res2 = await send(s, 'POST', '/api/admin/bookings/bk_…/cancel', { reason: 'x' }, { fan: admin });
//   bookingBody(asBookable(c), { GA: 2 })                                  // booking-helpers.mjs
//
// Every answer is still checked against conf/openapi.yaml by httpRequest.

import { httpRequest } from '../stack.mjs';
import { defaultFan } from './fans.mjs';

// Any method with an object (JSON-encoded), a string or nothing as its body, always with an
// exact Content-Length, as `fan` ({ fan: null }: signed out; default: the stack's default fan).
export async function send(s, method, urlPath, body, { contentType = 'application/json', headers = {}, fan } = {}) {
  const buf = body === undefined ? Buffer.alloc(0)
    : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const who = fan === undefined ? await defaultFan(s) : fan;
  const h = { 'content-length': String(buf.length), ...(who ? { cookie: who.cookie } : {}), ...headers };
  if (contentType !== null && method !== 'GET') h['content-type'] = contentType;
  return httpRequest(s.port, method, urlPath, { headers: h, body: method === 'GET' ? undefined : buf });
}

export const patchConcert = (s, admin, id, body, opts = {}) =>
  send(s, 'PATCH', `/api/admin/concerts/${id}`, body, { fan: admin, ...opts });

export const adminGet = (s, admin, urlPath) => send(s, 'GET', urlPath, undefined, { fan: admin });

// A concert's body for POST /api/admin/concerts: a published concert in New York in 2027
// unless `over` says otherwise.
export function concertInput(over = {}) {
  return {
    name: 'Box Office Night',
    venue: 'IT Hall',
    timeZone: 'America/New_York',
    startsAt: '2027-06-15T20:00',
    status: 'published',
    maxTicketsPerFan: 100,
    tiers: [{ tierName: 'VIP', price: 100, capacity: 10 }, { tierName: 'GA', price: 19.99, capacity: 50 }],
    ...over,
  };
}

// Creates a concert through the API; throws unless 201. Returns the AdminConcert.
export async function createConcert(s, admin, over = {}) {
  const res = await send(s, 'POST', '/api/admin/concerts', concertInput(over), { fan: admin });
  if (res.status !== 201) throw new Error(`create concert: ${res.status} ${res.body}`);
  return res.json.data;
}

// An AdminConcert in the shape booking-helpers' bookingBody() takes ({ id, tiers: { NAME: … } }).
export function asBookable(c) {
  const tiers = {};
  for (const t of c.tiers) {
    tiers[t.tierName] = { id: t.id, name: t.tierName, priceCents: Math.round(t.price * 100), total: t.capacity };
  }
  return { id: c.id, tiers };
}

export const tierByName = (c, name) => c.tiers.find((t) => t.tierName === name);

// The tier's counters straight from the database: buckets, their capacity and what is left.
export async function bucketState(s, tierId) {
  const line = await s.psql(`SELECT count(*), sum(capacity), sum(available),
      (SELECT total_quantity FROM ticket_tiers WHERE id = '${tierId}'),
      (SELECT bucket_count FROM ticket_tiers WHERE id = '${tierId}')
    FROM tier_buckets WHERE tier_id = '${tierId}'`);
  const [buckets, capacity, available, total, bucketCount] = line.split('|').map(Number);
  return { buckets, capacity, available, total, bucketCount };
}

// Tickets of a tier held by confirmed bookings, from the bookings themselves.
export async function soldByBookings(s, tierId) {
  return Number(await s.psql(`SELECT coalesce(sum(i.quantity), 0) FROM booking_items i
    JOIN bookings b ON b.id = i.booking_id WHERE i.tier_id = '${tierId}' AND b.status = 'confirmed'`));
}

// The database's clock, in ms since the epoch (the one ticketd's sales window uses).
export async function dbNowMs(s) {
  return Number(await s.psql('SELECT (extract(epoch FROM now()) * 1000)::bigint'));
}

// An instant as the API takes it (UTC, to the second): 2027-05-01T14:00:00Z.
export const instant = (ms) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
