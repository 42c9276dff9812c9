// An append-only JSON Lines file survives a crash mid-append: the torn last line is moved aside at start-up
// and the next line appended is readable.
import { appendFile, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { JsonLinesFile, type TornTail } from '../../storage/jsonLines.js';
import { JsonlAuditLog } from '../../storage/jsonlAuditLog.js';

describe('JsonLinesFile', () => {
  let dir: string;
  let file: string;
  let repairs: TornTail[];
  const open = async () => {
    const lines = new JsonLinesFile<{ n: number }>(file, { onTornTail: (t) => repairs.push(t) });
    await lines.init();
    return lines;
  };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-jsonl-'));
    file = join(dir, 'audit.jsonl');
    repairs = [];
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is created readable by this user only', async () => {
    await open();
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
  });

  it('moves a torn last line to audit.jsonl.torn at start-up, so the next line appended is readable', async () => {
    await writeFile(file, '{"n":1}\n{"n":2}\n{"n":3,"act', { mode: 0o600 });
    const lines = await open();

    expect(await readFile(file, 'utf8')).to.equal('{"n":1}\n{"n":2}\n');
    expect(await readFile(`${file}.torn`, 'utf8')).to.equal('{"n":3,"act\n');
    expect((await stat(`${file}.torn`)).mode & 0o777).to.equal(0o600);
    expect(repairs).to.deep.equal([{ file, action: 'moved', tornFile: `${file}.torn`, bytes: 11 }]);

    await lines.append({ n: 4 });
    expect(await lines.readAll()).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 4 }]);
  });

  it('adds to an existing .torn file rather than replacing it', async () => {
    await writeFile(file, '{"n":1}\n{"n":2', { mode: 0o600 });
    await open();
    await appendFile(file, '{"n":3');
    await open();
    expect(await readFile(`${file}.torn`, 'utf8')).to.equal('{"n":2\n{"n":3\n');
    expect(await readFile(file, 'utf8')).to.equal('{"n":1}\n');
  });

  it('handles a file that is one torn line and nothing else', async () => {
    await writeFile(file, '{"n":', { mode: 0o600 });
    const lines = await open();
    expect(await readFile(file, 'utf8')).to.equal('');
    await lines.append({ n: 1 });
    expect(await lines.readAll()).to.deep.equal([{ n: 1 }]);
  });

  it('finds the start of a torn line longer than one read from the end', async () => {
    const long = `{"n":2,"pad":"${'x'.repeat(200_000)}`;
    await writeFile(file, `{"n":1}\n${long}`, { mode: 0o600 });
    await open();
    expect(await readFile(file, 'utf8')).to.equal('{"n":1}\n');
    expect(await readFile(`${file}.torn`, 'utf8')).to.equal(`${long}\n`);
  });

  it('keeps a whole last line that only lost its newline, and moves nothing aside', async () => {
    await writeFile(file, '{"n":1}\n{"n":2}', { mode: 0o600 });
    const lines = await open();
    expect(repairs.map((r) => r.action)).to.deep.equal(['completed']);
    await lines.append({ n: 3 });
    expect(await lines.readAll()).to.deep.equal([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(await readFile(`${file}.torn`, 'utf8').catch(() => 'none')).to.equal('none');
  });

  it('leaves a file that ends cleanly alone', async () => {
    await writeFile(file, '{"n":1}\n', { mode: 0o600 });
    await open();
    expect(repairs).to.deep.equal([]);
    expect(await readFile(file, 'utf8')).to.equal('{"n":1}\n');
  });

  it('keeps the audit log readable after a torn event and a restart', async () => {
    await writeFile(file, `${JSON.stringify({ at: '2026-01-05T10:00:00.000Z', action: 'a' })}\n{"at":"2026-01-05T10:01`, { mode: 0o600 });
    const audit = await new JsonlAuditLog(file).init();
    await audit.record({ at: '2026-01-05T10:02:00.000Z', action: 'account.registered', actor: { kind: 'staff', id: 'x' }, channel: 'teams', outcome: 'success' });
    expect((await audit.list()).map((e) => e.at)).to.deep.equal(['2026-01-05T10:00:00.000Z', '2026-01-05T10:02:00.000Z']);
  });
});
