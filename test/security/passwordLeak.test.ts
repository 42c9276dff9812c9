// Proof that a password goes nowhere but into an argon2id hash: a registration through the masked card, a
// reset on the web page (each with a refused attempt first), and passwords typed into the chat, then a
// search for the distinctive passwords in every log line, every file under DATA_DIR, every activity the
// bot sent and every page it served.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { simpleParser } from 'mailparser';
import { ManualClock } from '../../core/clock.js';
import { Argon2idHasher } from '../../esr/passwordHasher.js';
import type { CapturedCall } from '../support/captureConnector.js';
import { cardOf, replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const distinctive = () => `Zebra-Quartz-Lantern-${randomBytes(6).toString('hex')}`;

/** The forms a secret could take on its way to a file: as typed, JSON-escaped, URL-encoded, base64. */
function encodings(secret: string): string[] {
  return [secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret), Buffer.from(secret).toString('base64'), secret.toLowerCase()];
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

/** What a file says, raw and (for emails) decoded, since quoted-printable can split a word over lines. */
async function readable(file: string): Promise<string> {
  const raw = await readFile(file);
  if (!file.endsWith('.eml')) return raw.toString('utf8');
  const parsed = await simpleParser(raw);
  return [raw.toString('utf8'), parsed.text ?? '', parsed.html || '', parsed.subject ?? ''].join('\n');
}

describe('passwords never leak', function () {
  const registered = distinctive();
  const reset = distinctive();
  const typedOutside = distinctive();
  const typedInFlow = distinctive();
  const secrets = { 'the registration password': registered, 'the reset password': reset, 'a password typed into the chat': typedOutside, 'a password typed in the middle of a flow': typedInFlow };

  let t: TestApp;
  let files: string[];
  const contents = new Map<string, string>();
  const pages: string[] = [];
  const sent: CapturedCall[] = [];
  const guardReplies: CapturedCall[][] = [];

  before(async function () {
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z') });
    let next = 0;
    t.connector.respond = (call) => (call.method === 'POST' && call.path.includes('/activities') ? { status: 200, body: { id: `bot-msg-${++next}` } } : undefined);
    const alex: TeamsUser = t.user(DEMO_USERS.alex);

    // Registration: a mismatched pair first, then the password.
    await alex.say('set up ESR from home');
    const card = async (value: Record<string, unknown>) => {
      const before = t.connector.activitiesFor(alex.conversationId).length;
      await alex.post({ value, replyToId: `bot-msg-${next}` });
      return t.connector.activitiesFor(alex.conversationId).slice(before);
    };
    expect((await card({ action: 'setPassword', newPassword: registered, confirmPassword: `${registered}x` })).map(replyText).join()).to.contain("don't match");
    expect((await card({ action: 'setPassword', newPassword: registered, confirmPassword: registered })).map(replyText).join()).to.contain('Approved');

    // Passwords typed into the chat, outside a flow and while the bot waits for a date of birth.
    guardReplies.push(await alex.say(typedOutside));
    await alex.say('I forgot my password');
    await alex.say('alex.demo@nhs-trust.example');
    guardReplies.push(await alex.say(typedInFlow));
    expect((await alex.say('14/03/1985')).map(replyText).join(), 'the flow goes on').to.contain('ESR username');
    await alex.say('241ADEMO01');

    // The web reset: the old password (refused: used before), a mismatch, then the new one.
    await t.app.background.idle();
    await t.app.mail.deliverDue();
    const outbox = join(t.dataDir, 'outbox');
    const eml = (await readdir(outbox)).find((f) => f.endsWith('.eml'))!;
    const token = /\/reset\?token=([\w-]{43})/.exec((await simpleParser(await readFile(join(outbox, eml)))).text ?? '')![1]!;
    const submit = async (password: string, confirm: string) => {
      const res = await fetch(`${t.url}/reset`, { method: 'POST', body: new URLSearchParams({ token, username: '241ADEMO01', password, confirm }) });
      pages.push(await res.text());
      return res.status;
    };
    pages.push(await (await fetch(`${t.url}/reset?token=${token}`)).text());
    expect(await submit(registered, registered), 'a previous password is refused').to.equal(400);
    expect(await submit(reset, `${reset}!`), 'a mismatch is refused').to.equal(400);
    expect(await submit(reset, reset)).to.equal(200);

    await t.app.background.idle();
    await t.app.mail.deliverDue();
    sent.push(...t.connector.calls);
    // Stopping flushes everything the app would write; then every file is read back.
    await t.stop({ keepData: true });
    files = await filesUnder(t.dataDir);
    for (const file of files) contents.set(relative(t.dataDir, file), await readable(file));
  });
  after(() => rm(t.dataDir, { recursive: true, force: true }));

  it('had real data to search: state, accounts, audit, emails and the mail queue', () => {
    const names = [...contents.keys()];
    expect(names).to.include.members(['accounts.json', 'audit.jsonl', 'mail-queue.json', 'tokens.json']);
    expect(names.filter((n) => n.startsWith('state/'))).to.not.be.empty;
    expect(names.filter((n) => n.startsWith('outbox/') && n.endsWith('.eml'))).to.have.length(2);
    expect(t.logs).to.not.be.empty;
    expect(sent.length).to.be.above(10);
  });

  for (const [what, secret] of Object.entries(secrets)) {
    describe(what, () => {
      it('is in no log line', () => {
        const logs = t.logs.join('\n');
        for (const form of encodings(secret)) expect(logs.includes(form), form).to.equal(false);
      });

      it('is in no file under DATA_DIR (state, accounts, audit, tokens, outbox, mail queue, tickets)', () => {
        for (const [name, text] of contents) {
          for (const form of encodings(secret)) expect(text.includes(form), `${name} holds ${form}`).to.equal(false);
        }
      });

      it('is in no activity the bot sent or updated', () => {
        const activities = JSON.stringify(sent.map((c) => c.body));
        for (const form of encodings(secret)) expect(activities.includes(form), form).to.equal(false);
      });

      it('is in no page the reset server sent back', () => {
        for (const form of encodings(secret)) expect(pages.join('\n').includes(form), form).to.equal(false);
      });
    });
  }

  it('keeps the passwords that were set only as argon2id hashes in accounts.json', async () => {
    const file = JSON.parse(contents.get('accounts.json')!) as { accounts: Record<string, { passwordHash?: string; previousHashes: string[] }> };
    const alex = file.accounts['241ADEMO01']!;
    const hashes = [alex.passwordHash ?? '', ...alex.previousHashes];
    expect(hashes, 'the current and the previous password').to.have.length(2);
    for (const hash of hashes) expect(hash).to.match(/^\$argon2id\$v=19\$m=\d+,t=\d+,p=\d+\$/);
    const hasher = new Argon2idHasher();
    expect(await hasher.verify(hashes[0]!, reset), 'the current hash is of the reset password').to.equal(true);
    expect(await hasher.verify(hashes[1]!, registered), 'the previous hash is of the registration password').to.equal(true);
  });

  it('does not echo a password typed into the chat, and says not to type passwords there', () => {
    for (const replies of guardReplies) {
      expect(replies).to.have.length(1);
      expect(replyText(replies[0]!)).to.contain("Please don't type passwords into the chat");
      expect(cardOf(replies[0]!)).to.equal(undefined);
    }
  });

  it('leaves the password card on screen only as a read-only card after each submit', () => {
    const updates = sent.filter((c) => c.method === 'PUT');
    expect(updates).to.have.length(2);
    for (const u of updates) expect(JSON.stringify(u.body)).to.not.contain('Input.Text');
  });
});
