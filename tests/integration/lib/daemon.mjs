// ticketd started on its own, without PostgreSQL or nginx, for the supervisor tests: unix
// sockets in a temp directory and a DATABASE_URL that points at nothing (workers start while
// the database is down and answer /health 503). Its log is kept in memory.
//
//   const d = await startDaemon({ bin, dir, env: { TICKETD_BOOK_WORKERS: '2' } });
//   await d.waitForLog(/serving:/);
//   const pids = await childrenOf(d.pid);
//   process.kill(d.pid, 'SIGTERM'); const { code } = await d.exited;
//   d.killAll();                        // in after(): the whole process group, whatever is left
//
// Every wait here has a deadline, which only turns a hang into a failure.

import { spawn } from 'node:child_process';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

import { sleep } from '../stack.mjs';

// Whether pid runs (a zombie whose parent is gone and was never reaped does not count).
export async function alive(pid) {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return stat !== '' && stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
}

// Resolves once pid no longer runs, or throws after timeoutMs.
export async function waitGone(pid, timeoutMs = 30000) {
  const deadline = Date.now() + timeoutMs;
  while (await alive(pid)) {
    if (Date.now() > deadline) throw new Error(`pid ${pid} still runs after ${timeoutMs} ms`);
    await sleep(50);
  }
}

// The live pids whose parent is pid, in order (from /proc/<n>/stat: the field after the state;
// comm may hold spaces, so the fields are split after the last ')').
export async function childrenOf(pid) {
  const kids = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = await readFile(`/proc/${name}/stat`, 'utf8').catch(() => '');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(fields[1]) === pid && fields[0] !== 'Z') kids.push(Number(name));
  }
  return kids.sort((a, b) => a - b);
}

// extraFds: what the daemon gets as fd 3, 4, ... (child_process stdio values, e.g. 'pipe').
export function startDaemon({ bin, dir, env = {}, extraFds = [] }) {
  const proc = spawn(bin, [], {
    env: {
      PATH: process.env.PATH,
      ASAN_OPTIONS: process.env.ASAN_OPTIONS ?? 'abort_on_error=0:detect_leaks=1',
      UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? 'print_stacktrace=1',
      // A socket directory without a server: every connection attempt fails at once.
      DATABASE_URL: `postgresql:///none?host=${path.join(dir, 'no-postgres')}`,
      DB_CONNECT_TIMEOUT_S: '1',
      TICKETD_READ_SOCKET: path.join(dir, 'read.sock'),
      TICKETD_BOOK_SOCKET: path.join(dir, 'book.sock'),
      TICKETD_READ_WORKERS: '2',
      TICKETD_BOOK_WORKERS: '2',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe', ...extraFds],
    detached: true, // its own process group, so killAll() reaches every descendant
  });
  let log = '';
  proc.stdout.on('data', (c) => { log += c; });
  proc.stderr.on('data', (c) => { log += c; });
  const exited = new Promise((resolve) => {
    proc.on('exit', (code, signal) => resolve({ code, signal }));
  });

  return {
    proc,
    pid: proc.pid,
    exited,
    log: () => log,
    // Resolves to the first match of re in the log, polling until timeoutMs.
    async waitForLog(re, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const m = re.exec(log);
        if (m) return m;
        if (Date.now() > deadline) throw new Error(`no ${re} in the log within ${timeoutMs} ms:\n${log}`);
        await sleep(20);
      }
    },
    // Resolves once re (a /g regex) matches count times in the log, polling until timeoutMs.
    async waitForLogCount(re, count, timeoutMs = 30000) {
      const deadline = Date.now() + timeoutMs;
      while ((log.match(re) ?? []).length < count) {
        if (Date.now() > deadline) throw new Error(`fewer than ${count} ${re} in the log within ${timeoutMs} ms:\n${log}`);
        await sleep(20);
      }
    },
    // Resolves to { code, signal } or throws after timeoutMs.
    async waitForExit(timeoutMs = 30000) {
      let timer;
      const timeout = new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`ticketd did not exit within ${timeoutMs} ms:\n${log}`)), timeoutMs);
      });
      try {
        return await Promise.race([exited, timeout]);
      } finally {
        clearTimeout(timer);
      }
    },
    killAll() {
      try {
        process.kill(-proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}
