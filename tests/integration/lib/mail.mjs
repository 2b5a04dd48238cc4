// Reading what the mail sink kept (a Maildir: one file per message in STACK_DIR/mail/new):
// headers (RFC 2047 words decoded), and the parts of a multipart message with their bodies
// decoded from base64. Enough for ticketd's own emails, not a general MIME parser.
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';

// "=?UTF-8?B?...?=" words (folded over lines) back to text.
function decodeWords(value) {
  return value.replace(/\s*=\?UTF-8\?B\?([A-Za-z0-9+/=]*)\?=/gi, (_, b64) => Buffer.from(b64, 'base64').toString('utf8'))
    .trim();
}

// Header block text → { lower-case name: value } (the last of a repeated name wins; folded
// lines joined).
export function parseHeaders(block) {
  const out = {};
  const unfolded = block.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).toLowerCase()] = decodeWords(line.slice(i + 1));
  }
  return out;
}

function split(text) {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? [text.slice(0, m.index), text.slice(m.index + m[0].length)] : [text, ''];
}

// One message's text → { headers, parts: [{ headers, body: Buffer }] } (parts empty unless
// multipart).
export function parseMessage(text) {
  const [head, body] = split(text);
  const headers = parseHeaders(head);
  const parts = [];
  const b = /boundary="([^"]+)"/.exec(headers['content-type'] ?? '');
  if (b) {
    for (const chunk of body.split(`--${b[1]}`).slice(1)) {
      if (chunk.startsWith('--')) break;
      const [ph, pb] = split(chunk.replace(/^\r?\n/, ''));
      const h = parseHeaders(ph);
      const raw = /base64/i.test(h['content-transfer-encoding'] ?? '') ? Buffer.from(pb.replace(/\s+/g, ''), 'base64')
        : Buffer.from(pb);
      parts.push({ headers: h, body: raw });
    }
  }
  return { headers, parts, text };
}

// Every message in the sink, parsed, oldest file first.
export async function readMailbox(dir) {
  const newDir = path.join(dir, 'new');
  const files = (await readdir(newDir).catch(() => [])).sort();
  return Promise.all(files.map(async (f) => parseMessage(await readFile(path.join(newDir, f), 'utf8'))));
}

// Waits (polling the directory, up to timeoutMs) until pred(messages) holds; returns the messages.
export async function waitForMail(dir, pred, timeoutMs = 30000) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const msgs = await readMailbox(dir);
    if (pred(msgs)) return msgs;
    if (Date.now() > until) throw new Error(`mail: the condition did not hold within ${timeoutMs} ms (${msgs.length} messages)`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
