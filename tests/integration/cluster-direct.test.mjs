// The scaled-out deployment without PgBouncer (deploy/cluster CLUSTER_POOLER=none): each app
// node connects straight to the primary through a libpq multi-host URL and prepares its
// statements, so each node's booking writer (src/daemon/writer.c) batches its paid bookings.
// cluster.test.mjs runs behind PgBouncer, where no writer runs; this file covers the writers
// through a failover: the primary crashes during a rush, each writer's connection breaks, the
// writers connect to the promoted standby by themselves (non-blocking, host after host of the
// URL) and batch again, and the books hold: every client definite, 0 lost, 0 oversold.
// The cluster, its rushes and their checks are lib/cluster.mjs's.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { assertOk, pollUntil } from './stack.mjs';
import { book, bookingBody } from './lib/booking-helpers.mjs';
import { clusterSuite, metric, portOf, psql } from './lib/cluster.mjs';

let c; // cluster.env
let nodes; // each app node as the booking helpers take it: its own port, SQL on the primary
const k = clusterSuite('cluster-direct', {
  CLUSTER_POOLER: 'none',
  TICKETD_BOOK_WORKERS: '16', // per node, each with its own connection to the primary
}, (up) => {
  c = up.c;
  nodes = [1, 2].map((n) => ({ n, port: portOf(c[`NODE${n}_URL`]), psql: up.lb.psql }));
});

// A tier of 2,000 tickets has 20 buckets, enough for the one booking statement the writer runs
// (ONE_LINE_MIN_BUCKETS in src/store/booking_store.c); a smaller tier is booked by the worker.
const WRITTEN_BY_WRITER = ['GA:2000:10.00'];

// What node n's writer wrote, and handed back to be written on their own (a batch with no
// connection, or one that failed, counts as a batch but writes nothing).
const written = async (n) => ({
  batched: await metric(portOf(c[`NODE${n}_METRICS_URL`]), 'ticketd_booking_batched_total'),
  returned: await metric(portOf(c[`NODE${n}_METRICS_URL`]), 'ticketd_booking_batch_returns_total'),
});

// The writers' connections on the primary (pg_stat_activity of whichever node is primary), that
// started after `since` and have prepared the writer's statement: it does that before it reads
// a booking, so a connection counted here is the writer's and ready.
// (A psql a poll: polled every 250 ms, not pollUntil's 20.)
async function writersOnPrimary(since = '-infinity') {
  return Number(await psql(c.PRIMARY_DB_ADMIN_URL, `SELECT count(*) FROM pg_stat_activity
    WHERE application_name = 'ticketd-writer' AND backend_start > '${since}'::timestamptz
    AND query LIKE '/* book_batch */%'`));
}

// A paid booking on each node by itself: each node's writer must batch it.
async function bookOnEachNode(concert) {
  for (const node of nodes) {
    const before = await written(node.n);
    assertOk(assert, await book(node, bookingBody(concert, { GA: 1 }), { fan: k.me }), 201);
    const after = await written(node.n);
    assert.equal(after.batched, before.batched + 1, `node ${node.n}'s writer wrote the booking`);
    assert.equal(after.returned, before.returned, `node ${node.n}'s writer handed nothing back`);
  }
}

test('without PgBouncer each node runs a booking writer on the primary, and a paid booking on either node is batched', async () => {
  await pollUntil(async () => (await writersOnPrimary()) === 2, 'a writer of each node on the primary', 30000, 250);
  await bookOnEachNode(await k.addConcert(WRITTEN_BY_WRITER));
});

test('primary crashed (SIGKILL) during a rush: each writer connects to the promoted standby by itself and batches again; 0 lost, 0 oversold', async () => {
  const rushFrom = await psql(c.PRIMARY_DB_ADMIN_URL, 'SELECT now()');
  const before = await Promise.all(nodes.map((node) => written(node.n)));
  await k.primaryCrash('failover with booking writers');
  // The rush went through the writers.
  const after = await Promise.all(nodes.map((node) => written(node.n)));
  assert.ok(after.every((w, i) => w.batched > before[i].batched), 'both writers wrote bookings of the rush');
  // Nothing was typed and no node restarted: the writers found the new primary themselves.
  await pollUntil(async () => (await writersOnPrimary(rushFrom)) === 2, 'a new writer connection of each node on the new primary', 60000, 250);
  await bookOnEachNode(await k.addConcert(WRITTEN_BY_WRITER));
});
