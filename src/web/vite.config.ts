/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';
import type { ModuleInfo } from 'rolldown';

type Graph = { getModuleInfo: (id: string) => ModuleInfo | null };

/** Every module the entries import statically (what loads with the first page). */
function loadedFirst(graph: Graph, anyModule: string): Set<string> {
  const entries: string[] = [];
  const seen = new Set<string>();
  const up = [anyModule];
  for (let m = up.pop(); m !== undefined; m = up.pop()) {
    const info = seen.has(m) ? null : graph.getModuleInfo(m);
    seen.add(m);
    if (!info) continue;
    if (info.isEntry) entries.push(m);
    up.push(...info.importers, ...info.dynamicImporters);
  }
  const reached = new Set<string>();
  for (let m = entries.pop(); m !== undefined; m = entries.pop()) {
    if (reached.has(m)) continue;
    reached.add(m);
    entries.push(...(graph.getModuleInfo(m)?.importedIds ?? []));
  }
  return reached;
}

/**
 * Keeps what the first page needs in the entry's chunk. With several lazy chunks (box
 * office, door, tickets, account emails) Rolldown would move what they share with the
 * entry (React, the API client, ...) into a common chunk that every page loads anyway:
 * one request more, and a main chunk that no longer says what a fan downloads.
 */
function entryChunk() {
  let first: Set<string> | null = null;
  return (id: string, graph: Graph): string | null => {
    first ??= loadedFirst(graph, id);
    return first.has(id) ? 'index' : null;
  };
}

// `npm run dev` talks to a running stack (deploy/up serves one on :8080).
const backend = `http://127.0.0.1:${process.env.PORT ?? '8080'}`;

export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/health': { target: backend, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    sourcemap: false,
    // nginx's CSP has no 'unsafe-inline' for scripts: never inline anything.
    assetsInlineLimit: 0,
    rolldownOptions: {
      output: { codeSplitting: { groups: [{ name: entryChunk() }] } },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    restoreMocks: true,
    testTimeout: 20_000,
  },
});
