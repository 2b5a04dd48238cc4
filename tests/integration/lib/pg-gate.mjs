// A TCP relay in front of PostgreSQL that can hold back the connections of one application_name
// (the startup message names it): the daemon's booking workers stay "connecting" for as long as
// a test likes, while its read workers go through. Real PostgreSQL behind it, real libpq in
// front; the relay answers only an SSL or GSS encryption request, with "N" (not here), so the
// startup message that follows is in the clear for it to read.
//
//   const gate = await startPgGate(pgPort, { hold: 'ticketd-book' });
//   gate.port                   // where the daemon connects (127.0.0.1)
//   await gate.waitHeld(3)      // three such connections are waiting
//   gate.release()              // they go on, and so does every later one
//   gate.holdAgain()            // later ones wait again
//   await gate.close()

import net from 'node:net';

import { pollUntil } from '../stack.mjs';

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

export async function startPgGate(pgPort, { hold }) {
  const marker = Buffer.from(`application_name\0${hold}\0`);
  const sockets = new Set();
  let holding = true;
  let held = []; // functions that let a held connection go on

  const server = net.createServer((client) => {
    const upstream = net.connect(pgPort, '127.0.0.1');
    sockets.add(client);
    sockets.add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    upstream.on('data', (c) => client.write(c));

    // Until the startup message has gone: read whole messages, then relay the rest as it comes.
    let buf = Buffer.alloc(0);
    let relaying = false;
    const relay = (c) => upstream.write(c);
    client.on('data', (c) => {
      if (relaying) return relay(c);
      buf = Buffer.concat([buf, c]);
      while (buf.length >= 8 && buf.length >= buf.readUInt32BE(0)) {
        const len = buf.readUInt32BE(0);
        const code = buf.readUInt32BE(4);
        const msg = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
          client.write('N');
          continue;
        }
        relaying = true;
        const rest = buf;
        const go = () => {
          relay(msg);
          if (rest.length > 0) relay(rest);
        };
        if (holding && msg.includes(marker)) {
          // Whatever else the client sends meanwhile is queued behind the startup message.
          relaying = false;
          const queued = [];
          client.removeAllListeners('data');
          client.on('data', (more) => (relaying ? relay(more) : queued.push(more)));
          const release = () => {
            go();
            for (const q of queued) relay(q);
            relaying = true;
          };
          held.push(release);
          // One that gave up waiting is no longer held.
          client.on('close', () => {
            held = held.filter((f) => f !== release);
          });
        } else {
          go();
        }
        return;
      }
    });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });

  return {
    port: server.address().port,
    waitHeld(n, timeoutMs = 30000) {
      return pollUntil(() => held.length >= n, `${n} held connections to PostgreSQL`, timeoutMs);
    },
    release() {
      holding = false;
      const go = held;
      held = [];
      for (const f of go) f();
    },
    holdAgain() {
      holding = true;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
