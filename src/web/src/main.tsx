import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { observeReachability } from './api/client';
import { App } from './App';
import { serverStatus } from './lib/serverStatus';
import { createQueryClient } from './lib/queryClient';
import './index.css';

observeReachability(serverStatus.report);

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');

createRoot(root).render(
  <StrictMode>
    <QueryClientProvider client={createQueryClient()}>
      <App />
    </QueryClientProvider>
  </StrictMode>,
);
