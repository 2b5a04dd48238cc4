import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { observeReachability } from '../api/client';
import { App } from '../App';
import { serverStatus } from '../lib/serverStatus';
import { createQueryClient } from '../lib/queryClient';

/** The whole app at `path`, with a fresh query cache (`client`, for a test that reads it). */
export function renderApp(path: string) {
  window.history.replaceState(null, '', path);
  serverStatus.report(true);
  observeReachability(serverStatus.report);
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  const rendered = render(
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>,
  );
  return { ...rendered, client };
}
