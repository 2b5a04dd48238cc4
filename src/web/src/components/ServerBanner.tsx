import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { getHealth } from '../api/endpoints';
import { serverStatus, useServerDown } from '../lib/serverStatus';
import { AlertIcon } from './icons';

const HEALTH_POLL_MS = 5_000;

/**
 * Shown while the server is unreachable. It polls /health and, once the
 * server answers again, refetches whatever the page shows and goes away.
 */
export function ServerBanner() {
  const down = useServerDown();
  const queryClient = useQueryClient();
  const [checking, setChecking] = useState(false);

  useEffect(() => {
    if (!down) return;
    const controller = new AbortController();
    const timer = window.setInterval(() => {
      void getHealth(controller.signal).then((ok) => {
        if (!ok) return;
        serverStatus.report(true);
        void queryClient.refetchQueries({ type: 'active' });
      });
    }, HEALTH_POLL_MS);
    return () => {
      controller.abort();
      window.clearInterval(timer);
    };
  }, [down, queryClient]);

  if (!down) return null;

  async function retryNow() {
    setChecking(true);
    try {
      await queryClient.refetchQueries({ type: 'active' });
      if (await getHealth()) serverStatus.report(true);
    } finally {
      setChecking(false);
    }
  }

  return (
    <div role="alert" className="border-b border-amber-300 bg-amber-50">
      <div className="mx-auto flex max-w-6xl flex-col gap-3 px-4 py-3 text-amber-950 sm:flex-row sm:items-center sm:justify-between">
        <p className="flex items-start gap-2">
          <AlertIcon className="mt-0.5 h-5 w-5 shrink-0 text-amber-700" />
          <span>
            <strong className="font-semibold">We can’t reach the ticket service right now.</strong>{' '}
            We’ll keep trying; your selection is kept.
          </span>
        </p>
        <button
          type="button"
          onClick={() => void retryNow()}
          disabled={checking}
          className="shrink-0 rounded-lg border border-amber-400 bg-white px-3 py-1.5 text-sm font-semibold text-amber-950 hover:bg-amber-100 disabled:opacity-60"
        >
          {checking ? 'Checking…' : 'Retry now'}
        </button>
      </div>
    </div>
  );
}
