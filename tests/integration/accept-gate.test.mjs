// The booking pool's accept gate (src/base/accept_gate.h): one idle worker at a time waits in
// accept(2), the most recently busy first, so sequential bookings run on two warm workers while
// the rest sleep; and a worker waiting on the payment does not count against the pool's cap
// (TICKETD_BOOK_SERVING). Nothing is timed: a test waits for the gate's gauges on /metrics.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';

import { assertOk, metricValue, pollUntil, startStack } from './stack.mjs';
import { addConcert, book, bookingBody, workers } from './lib/booking-helpers.mjs';
import { createFans } from './lib/fans.mjs';

let s; // 8 booking workers, the default cap (above 8: LIFO only), a 5 ms payment
let capped; // 4 booking workers, at most 1 serving, a payment that never ends by itself

before(async () => {
  const [a, b] = await Promise.allSettled([
    startStack({ rateLimit: 'off', metrics: true, env: { TICKETD_BOOK_WORKERS: '8', TICKETD_READ_WORKERS: '2' } }),
    startStack({
      rateLimit: 'off',
      metrics: true,
      env: {
        TICKETD_BOOK_WORKERS: '4', TICKETD_READ_WORKERS: '2', TICKETD_BOOK_SERVING: '1',
        PAYMENT_LATENCY_MS: '600000', PAYMENT_TIMEOUT_MS: '600000', TICKETD_DRAIN_TIMEOUT_MS: '500',
      },
    }),
  ]);
  s = a.value;
  capped = b.value;
  if (a.status === 'rejected') throw a.reason;
  if (b.status === 'rejected') throw b.reason;
});
after(async () => {
  await Promise.all([s?.destroy(), capped?.destroy()]);
});

const gauge = (stack, state) => metricValue(stack.metricsPort,
  `ticketd_accept_gate_workers{pool="book",state="${state}"}`);

// How often each process has been switched out: a worker asleep at the gate never is.
async function switches(pids) {
  const counts = new Map();
  for (const pid of pids) {
    const status = await readFile(`/proc/${pid}/status`, 'utf8');
    const n = [...status.matchAll(/^(?:non)?voluntary_ctxt_switches:\s+(\d+)$/gm)]
      .reduce((sum, m) => sum + Number(m[1]), 0);
    counts.set(pid, n);
  }
  return counts;
}

test('sequential bookings run on two booking workers; the other six never wake', async () => {
  assert.equal(await metricValue(s.metricsPort, 'ticketd_accept_gate_cap{pool="book"}'), 8);
  const c = await addConcert(s, ['GA:100:10.00']);
  const fans = await createFans(s, 12);
  // Every worker has reached the gate: one leads, seven sleep.
  await pollUntil(async () => await gauge(s, 'asleep') === 7, 'seven booking workers asleep');
  const { book: pids } = await workers(s);
  assert.equal(pids.length, 8);
  const before = await switches(pids);

  for (const fan of fans) {
    assertOk(assert, await book(s, bookingBody(c, { GA: 1 }), { fan }), 201);
  }

  const now = await switches(pids);
  const woke = pids.filter((pid) => now.get(pid) !== before.get(pid));
  assert.ok(woke.length >= 1 && woke.length <= 2, `workers that woke: ${woke.length} of 8`);
  await pollUntil(async () => await gauge(s, 'asleep') === 7, 'seven booking workers asleep again');
  assert.equal(await gauge(s, 'serving'), 0);
  assert.equal(await gauge(s, 'away'), 0);
});

test('at a cap of 1, three bookings wait on their payments at once: a payment does not count', async () => {
  assert.equal(await metricValue(capped.metricsPort, 'ticketd_accept_gate_cap{pool="book"}'), 1);
  const c = await addConcert(capped, ['GA:100:10.00']);
  const fans = await createFans(capped, 3);
  // The payments never end: the answers come when the test kills the workers.
  const pending = fans.map((fan) => book(capped, bookingBody(c, { GA: 1 }), { fan }));

  await pollUntil(async () => await gauge(capped, 'away') === 3, 'three bookings waiting on their payments');
  assert.equal(await gauge(capped, 'serving'), 0);
  assert.equal(await metricValue(capped.metricsPort, 'ticketd_workers{pool="book",state="busy"}'), 3);
  // The fourth worker leads, free to take a fourth booking.
  assert.equal(await gauge(capped, 'asleep'), 0);
  for (const pid of (await workers(capped)).book) process.kill(pid, 'SIGKILL');
  for (const res of await Promise.all(pending)) assert.equal(res.status, 502);
});
