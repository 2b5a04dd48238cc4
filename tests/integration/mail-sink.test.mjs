// The stack's mail sink (deploy/lib/mail-sink.sh): a real SMTP server on loopback that keeps
// each message it is given as one file in STACK_DIR/mail/new, for the mailer and its tests to
// come (issue 13). Started only when MAIL_PORT is set; stopped with the stack.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { startStack } from './stack.mjs';
import { sendMail } from './lib/smtp.mjs';

let s;
let mailPort;

before(async () => {
  s = await startStack({ rateLimit: 'off', mail: true });
  mailPort = Number(s.vars.MAIL_PORT);
});
after(async () => {
  await s?.destroy();
});

test('a message sent to the sink lands as one file in STACK_DIR/mail/new, as it was sent', async () => {
  assert.equal(s.vars.MAIL_URL, `smtp://127.0.0.1:${mailPort}`);
  assert.equal(s.vars.MAIL_DIR, path.join(s.dir, 'mail'));
  const id = `<${Date.now()}.test@ticketd.example>`;
  await sendMail(mailPort, {
    from: 'box-office@ticketd.example',
    to: 'fan@example.com',
    data: `From: box-office@ticketd.example\r\nTo: fan@example.com\r\nSubject: Your tickets\r\nMessage-ID: ${id}\r\n\r\n.a line that starts with a dot\r\nEnjoy the show.`,
  });
  const dir = path.join(s.vars.MAIL_DIR, 'new');
  const files = await readdir(dir);
  assert.equal(files.length, 1);
  const text = await readFile(path.join(dir, files[0]), 'utf8');
  assert.match(text, new RegExp(`^Message-ID: ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
  assert.match(text, /^Subject: Your tickets$/m);
  assert.match(text, /^\.a line that starts with a dot$/m, 'dot-stuffing undone');
  assert.match(text, /Enjoy the show\./);
});

const rootOnly = process.getuid() === 0 ? {} : { skip: 'needs root: only then does the sink run as a user of its own' };

test('the sink runs as a user of its own, not root, and only that user may enter its Maildir', rootOnly, async () => {
  const uid = Number(execFileSync('id', ['-u', 'ticketd-mail'], { encoding: 'utf8' }).trim());
  const pid = Number((await readFile(path.join(s.dir, 'mail.pid'), 'utf8')).trim());
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  assert.match(status, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
  assert.match(status, /^Groups:\s*$/m, 'no supplementary groups');
  const maildir = await stat(s.vars.MAIL_DIR);
  assert.equal(maildir.uid, uid);
  assert.equal(maildir.mode & 0o777, 0o700);
  await sendMail(mailPort, { from: 'a@x.example', to: 'b@y.example', data: 'Subject: owned\r\n\r\nx' });
  const dir = path.join(s.vars.MAIL_DIR, 'new');
  for (const f of await readdir(dir)) assert.equal((await stat(path.join(dir, f))).uid, uid, f);
});

test('deploy/stack status reports the sink, and stop ends it', async () => {
  const status = await s.script('stack', ['status']);
  assert.match(status.stdout, new RegExp(`mail sink:  running \\(pid \\d+, 127\\.0\\.0\\.1:${mailPort}`));
  await s.stack('stop');
  const after = await s.script('stack', ['status']);
  assert.match(after.stdout, /mail sink:  stopped/);
  await assert.rejects(sendMail(mailPort, { from: 'a@x.example', to: 'b@y.example', data: 'x' }), /ECONNREFUSED/);
});
