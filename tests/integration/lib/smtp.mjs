// A small SMTP client for the tests: one message, one conversation, every reply checked (RFC
// 5321's happy path: EHLO, MAIL FROM, RCPT TO, DATA, QUIT). Bounded: 10 s for the whole
// conversation.
//
//   await sendMail(port, { from: 'a@x.example', to: 'b@y.example', data: 'Subject: hi\r\n\r\nhello' });

import net from 'node:net';

export function sendMail(port, { from, to, data }) {
  const steps = [
    [null, 220],
    ['EHLO tests.ticketd.example', 250],
    [`MAIL FROM:<${from}>`, 250],
    [`RCPT TO:<${to}>`, 250],
    ['DATA', 354],
    // A line that starts with a dot is doubled (dot-stuffing); the message ends with a lone dot.
    [`${data.replace(/\r?\n/g, '\r\n').replace(/^\./gm, '..')}\r\n.`, 250],
    ['QUIT', 221],
  ];
  return new Promise((resolve, reject) => {
    const sock = net.connect(port, '127.0.0.1');
    let buf = '';
    let step = 0;
    sock.setTimeout(10000, () => sock.destroy(new Error('SMTP: no answer in 10 s')));
    sock.on('error', reject);
    sock.on('data', (chunk) => {
      buf += chunk;
      // A reply is complete on a line "NNN text" (continuation lines are "NNN-text").
      for (;;) {
        const m = /^(\d{3}) [^\r\n]*\r\n/m.exec(buf);
        if (!m) return;
        buf = buf.slice(m.index + m[0].length);
        const want = steps[step][1];
        if (Number(m[1]) !== want) {
          sock.destroy();
          reject(new Error(`SMTP: wanted ${want} after ${steps[step][0] ?? 'connecting'}, got ${m[0].trim()}`));
          return;
        }
        step += 1;
        if (step === steps.length) {
          sock.end();
          resolve();
          return;
        }
        sock.write(`${steps[step][0]}\r\n`);
      }
    });
  });
}
