// The stack's mail sink (a Maildir: one file per message in MAIL_DIR/new), read as
// tests/integration/lib/mail.mjs reads it: enough for ticketd's own single-part emails.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { REPO_ROOT } from './lib.mjs';

/**
 * Where the sink keeps messages: MAIL_DIR from the stack's environment (deploy/test exports
 * stack.env), else deploy/up's STACK_DIR/mail when that stack has a sink; null without one.
 */
export function mailDir() {
  if (process.env.MAIL_DIR) return process.env.MAIL_DIR;
  if ('MAIL_DIR' in process.env) return null; // a stack without a sink (MAIL_PORT unset)
  return join(process.env.STACK_DIR ?? join(REPO_ROOT, 'var'), 'mail');
}

// "=?UTF-8?B?...?=" words back to text.
function decodeWords(value) {
  return value.replace(/\s*=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8')).trim();
}

function parseHeaders(block) {
  const out = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1));
  }
  return out;
}

/** One message: its headers and, for a single-part one, its body decoded (base64 or as is). */
function parseMessage(text) {
  const m = /\r?\n\r?\n/.exec(text);
  const [head, raw] = m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text, ''];
  const headers = parseHeaders(head);
  const body = /base64/i.test(headers['content-transfer-encoding'] ?? '')
    ? Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('utf8')
    : raw;
  return { headers, body };
}

async function readMailbox(dir) {
  const newDir = join(dir, 'new');
  const files = (await readdir(newDir).catch(() => [])).sort();
  return Promise.all(files.map(async (f) => parseMessage(await readFile(join(newDir, f), 'utf8'))));
}

/**
 * The path and fragment of the newest link of `kind` ("verify-email", "reset-password") emailed
 * to `email`, e.g. "/verify-email#token=…", waiting for the mailer (polls, up to timeoutMs).
 */
export async function emailedLink(dir, email, kind, timeoutMs = 30_000) {
  const re = new RegExp(`https?://[^/\\s]+(/${kind}#token=[A-Za-z0-9_-]+)`);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mine = (await readMailbox(dir)).filter((m) => m.headers.to === `<${email}>` && re.test(m.body));
    if (mine.length > 0) return re.exec(mine.at(-1).body)[1];
    if (Date.now() > deadline) throw new Error(`no ${kind} email to ${email} in ${dir}/new within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
