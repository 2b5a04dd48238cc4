import { QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { App } from '../App';
import { createQueryClient } from '../lib/queryClient';

/** The whole app at `path`, with a fresh query cache. */
export function renderApp(path: string) {
  window.history.replaceState(null, '', path);
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retry: false } });
  return render(
    <QueryClientProvider client={client}>
      <App />
    </QueryClientProvider>,
  );
}
