// The database goes away and comes back: /health says so, reads answer 503 with Retry-After
// instead of hanging or crashing, and every worker reconnects (and re-prepares) by itself.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { assertError, assertOk, startStack } from './stack.mjs';
import { defaultFan } from './lib/fans.mjs';

let s;
before(async () => {
  // Several read workers, so "every worker reconnects" means something.
  s = await startStack({ env: { TICKETD_READ_WORKERS: '4' } });
  // s.get() signs in as the default fan: make it while the database is up.
  await defaultFan(s);
});
after(async () => {
  await s?.destroy();
});

// n requests, `width` at a time, so they spread over the pool's workers.
async function many(path, n, width = 4) {
  const statuses = [];
  for (let i = 0; i < n; i += width) {
    const batch = await Promise.all(Array.from({ length: Math.min(width, n - i) }, () => s.get(path)));
    statuses.push(...batch.map((r) => r.status));
  }
  return statuses;
}

test('/health is 200 healthy while the database is up', async () => {
  const res = await s.get('/health');
  assert.equal(res.status, 200);
  assert.equal(res.json.status, 'healthy');
  // Every worker has a working connection before the outage.
  assert.deepEqual(await many('/api/concerts/concert_001/availability', 16), Array(16).fill(200));
});

test('/health is 503 unhealthy with Retry-After while the database is stopped', async () => {
  await s.stack('db-stop');
  const res = await s.waitFor('/health', 503, 10000);
  assert.match(res.headers['content-type'], /^application\/json\b/);
  assert.equal(res.json.status, 'unhealthy');
  assert.equal(res.headers['retry-after'], '1');
});

test('reads are 503 SERVICE_UNAVAILABLE with Retry-After while the database is stopped', async () => {
  for (const path of ['/api/concerts', '/api/concerts/concert_001', '/api/concerts/concert_001/availability']) {
    const res = await s.get(path);
    assertError(assert, res, 503, 'SERVICE_UNAVAILABLE');
    assert.equal(res.headers['retry-after'], '1', path);
  }
});

test('after the database starts again, /health is 200 and every worker serves reads', async () => {
  await s.stack('db-start');
  await s.waitFor('/health', 200, 20000);
  assert.deepEqual(await many('/api/concerts/concert_001/availability', 24), Array(24).fill(200));
  assertOk(assert, await s.get('/api/concerts'));
});

test('a database restart between requests is invisible to readers (reconnect and retry once)', async () => {
  await s.stack('db-restart');
  assert.deepEqual(await many('/api/concerts/concert_001', 24), Array(24).fill(200));
  assert.deepEqual(await many('/api/concerts/concert_001/availability', 24), Array(24).fill(200));
});

test('ticketd drains on SIGTERM and its log has no sanitizer report', async () => {
  const reports = await s.stopTicketdAndCollectSanitizerReports();
  assert.deepEqual(reports, []);
});
