// A minimal FastCGI client: one request over a unix socket, as nginx would send it, so the
// supervisor tests can ask ticketd's workers directly without a stack in front of them.
//
//   const r = await fcgiGet('/tmp/x/read.sock', '/health');   // { status, headers, body }

import net from 'node:net';

const VERSION = 1;
const BEGIN_REQUEST = 1;
const END_REQUEST = 3;
const PARAMS = 4;
const STDIN = 5;
const STDOUT = 6;
const RESPONDER = 1;

function record(type, body = Buffer.alloc(0)) {
  const head = Buffer.alloc(8);
  head.writeUInt8(VERSION, 0);
  head.writeUInt8(type, 1);
  head.writeUInt16BE(1, 2); // request id
  head.writeUInt16BE(body.length, 4);
  return Buffer.concat([head, body]);
}

function nameValueLength(n) {
  if (n < 128) return Buffer.from([n]);
  const b = Buffer.alloc(4);
  b.writeUInt32BE((n | 0x80000000) >>> 0, 0);
  return b;
}

function params(pairs) {
  const parts = [];
  for (const [name, value] of Object.entries(pairs)) {
    const n = Buffer.from(name);
    const v = Buffer.from(value);
    parts.push(nameValueLength(n.length), nameValueLength(v.length), n, v);
  }
  return Buffer.concat(parts);
}

// Splits the records read so far; returns the STDOUT bytes once END_REQUEST came, else null.
function parseRecords(buf) {
  const out = [];
  let off = 0;
  while (off + 8 <= buf.length) {
    const type = buf.readUInt8(off + 1);
    const len = buf.readUInt16BE(off + 4);
    const pad = buf.readUInt8(off + 6);
    if (off + 8 + len + pad > buf.length) break;
    if (type === STDOUT) out.push(buf.subarray(off + 8, off + 8 + len));
    if (type === END_REQUEST) return Buffer.concat(out);
    off += 8 + len + pad;
  }
  return null;
}

export function fcgiGet(socketPath, uri, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect(socketPath);
    const chunks = [];
    sock.setTimeout(timeoutMs, () => sock.destroy(new Error(`FastCGI GET ${uri}: no answer in ${timeoutMs} ms`)));
    sock.on('error', reject);
    sock.on('connect', () => {
      const begin = Buffer.alloc(8);
      begin.writeUInt16BE(RESPONDER, 0);
      sock.write(Buffer.concat([
        record(BEGIN_REQUEST, begin),
        record(PARAMS, params({ REQUEST_METHOD: 'GET', DOCUMENT_URI: uri, SCRIPT_NAME: uri, CONTENT_LENGTH: '' })),
        record(PARAMS),
        record(STDIN),
      ]));
    });
    sock.on('data', (c) => {
      chunks.push(c);
      const stdout = parseRecords(Buffer.concat(chunks));
      if (stdout === null) return;
      sock.destroy();
      const text = stdout.toString('utf8');
      const status = Number(/^Status: (\d{3})/m.exec(text)?.[1] ?? 200);
      const headers = {};
      for (const line of text.slice(0, text.indexOf('\r\n\r\n')).split('\r\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status, headers, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    sock.on('close', () => reject(new Error(`FastCGI GET ${uri}: closed before the end of the answer`)));
  });
}
