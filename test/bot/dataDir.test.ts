// The data folder as the running bot leaves it: private to its user, with no one's email address in a file
// name, and an audit log that a crash mid-write does not spoil.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { OutboxFolderTransport } from '../../mail/transport.js';
import { startTestApp } from '../support/testApp.js';

/** Every folder and file under `root`, with its permission bits. */
async function modes(root: string): Promise<Array<{ path: string; dir: boolean; mode: number }>> {
  const found: Array<{ path: string; dir: boolean; mode: number }> = [];
  const visit = async (path: string) => {
    const info = await stat(path);
    found.push({ path, dir: info.isDirectory(), mode: info.mode & 0o777 });
    if (info.isDirectory()) for (const name of await readdir(path)) await visit(join(path, name));
  };
  await visit(root);
  return found;
}

describe('the data folder', function () {
  this.timeout(30_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'esr-datadir-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('is tightened at start-up (folders 0700, files 0600), and the log names what changed, once', async () => {
    await chmod(dataDir, 0o755);
    await mkdir(join(dataDir, 'content'), { mode: 0o755 });
    await writeFile(join(dataDir, 'content', 'en-GB.json'), '{}', { mode: 0o644 });
    await writeFile(join(dataDir, 'signing.key'), 'a2V5', { mode: 0o644 });

    const first = await startTestApp({ dataDir });
    await first.stop();
    const warnings = first.logs.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.msg.includes('private to this user'));
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.msg).to.contain(dataDir).and.contain(join('content', 'en-GB.json')).and.contain('signing.key').and.contain('content,');

    for (const entry of await modes(dataDir)) expect(entry.mode, entry.path).to.equal(entry.dir ? 0o700 : 0o600);
    const files = (await modes(dataDir)).map((e) => e.path);
    expect(files, 'what the bot created is checked too').to.include.members([join(dataDir, 'state'), join(dataDir, 'state', 'journal.jsonl'), join(dataDir, 'audit.jsonl')]);

    const second = await startTestApp({ dataDir });
    await second.stop();
    expect(second.logs.filter((l) => l.includes('private to this user'))).to.deep.equal([]);
  });

  it('moves a torn last audit line aside at start-up, says so, and the next event is readable', async () => {
    const whole = { at: '2026-01-05T10:00:00.000Z', action: 'password.reset', actor: { kind: 'anonymous', id: '203.0.113.7' }, channel: 'web', outcome: 'success' };
    await writeFile(join(dataDir, 'audit.jsonl'), `${JSON.stringify(whole)}\n{"at":"2026-01-05T10:01:00.000Z","act`, { mode: 0o600 });

    const t = await startTestApp({ dataDir });
    try {
      expect(t.logs.filter((l) => l.includes('audit.jsonl.torn'))).to.have.length(1);
      expect(await readFile(join(dataDir, 'audit.jsonl.torn'), 'utf8')).to.equal('{"at":"2026-01-05T10:01:00.000Z","act\n');
      await t.app.audit.record({ at: '2026-01-05T10:02:00.000Z', action: 'account.unlocked', actor: { kind: 'staff', id: '29:alex' }, channel: 'teams', outcome: 'success' });
      expect((await t.app.audit.list()).map((e) => e.action)).to.deep.equal(['password.reset', 'account.unlocked']);
    } finally {
      await t.stop();
    }
  });
});

describe('the outbox folder (no SMTP_URL)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'esr-outbox-')), 'outbox');
  });
  afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }));

  it('names each email by time and a random part, never by who it is to, and keeps it private', async () => {
    const transport = new OutboxFolderTransport(dir, 'ESR Helpdesk <esr-helpdesk@nhs-trust.example>');
    const mail = { to: 'alex.demo@nhs-trust.example', subject: 'Reset your ESR password', text: 'Hello', html: '<p>Hello</p>' };
    await transport.send(mail);
    await transport.send(mail);
    transport.close();

    const names = await readdir(dir);
    expect(names).to.have.length(2);
    for (const name of names) {
      expect(name).to.match(/^\d{4}-\d{2}-\d{2}T[\d-]+Z-[0-9a-f]{8}\.eml$/);
      expect(name).to.not.contain('alex').and.not.contain('@');
      expect((await stat(join(dir, name))).mode & 0o777).to.equal(0o600);
    }
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    expect(await readFile(join(dir, names[0]!), 'utf8')).to.contain('alex.demo@nhs-trust.example');
  });
});
