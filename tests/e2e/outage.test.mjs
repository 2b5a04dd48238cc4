// The daemon goes away and comes back: the page says so instead of going
// blank, and recovers by itself. It stops the stack's ticketd, so it runs
// only on a stack the test run owns (STACK_DIR set, as deploy/test does)
// and never concurrently with the other files (run.sh runs files one by one).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { addConcert, api, launch, REPO_ROOT, scenario, unique, waitForText } from './lib.mjs';

const run = promisify(execFile);
const stack = (cmd) => run(join(REPO_ROOT, 'deploy', 'stack'), [cmd], { env: process.env });
const skip = process.env.STACK_DIR && process.env.E2E_FAULTS !== '0' ? false : 'needs a stack of its own (STACK_DIR; E2E_FAULTS=0 skips)';

let browser;
before(async () => {
  if (!skip) browser = await launch();
});
after(async () => {
  await browser?.close();
});

describe('outage', { skip }, () => {
  it('shows a banner while the service is down and recovers when it is back', async () => {
    const name = `E2E Outage ${unique()}`;
    const concertId = await addConcert(name, 'Brixton Academy', '2027-08-01T20:00:00Z', 'GA:100:30.00');

    await scenario(browser, 'outage', async (page) => {
      await page.goto(`/concerts/${concertId}`);
      await page.getByRole('heading', { level: 1, name }).waitFor();
      let stopped = false;
      try {
        await stack('ticketd-stop');
        stopped = true;
        const banner = page.getByRole('alert').filter({ hasText: 'can’t reach the ticket service' });
        // The availability refresh (every 5 s) finds the daemon gone.
        await banner.waitFor({ timeout: 20_000 });
        // What the page already showed stays on screen.
        await page.getByRole('heading', { level: 1, name }).waitFor();

        // A fresh load while it is down: an explanation and a way to retry, not a blank page.
        const second = await page.context().newPage();
        await second.goto('/');
        await waitForText(second.getByRole('alert').filter({ hasText: 'couldn’t load the concerts' }), 'Try again', 30_000);
        await second.getByRole('alert').filter({ hasText: 'can’t reach the ticket service' }).waitFor();
        await second.close();

        await stack('ticketd-start');
        stopped = false;
        const health = await api('/health').catch(() => ({ status: 0 }));
        assert.ok([200, 503, 502, 0].includes(health.status));
        // The banner polls /health and goes away once the daemon answers.
        await banner.waitFor({ state: 'detached', timeout: 30_000 });
        await waitForText(page.locator('li').filter({ has: page.getByRole('heading', { name: 'GA' }) }), 'Available');
      } finally {
        if (stopped) await stack('ticketd-start');
      }
    });
  });
});
