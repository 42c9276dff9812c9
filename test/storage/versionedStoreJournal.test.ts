// The state store's on-disk journal: a write costs the size of its own value however many keys are
// stored, compaction keeps only live entries, and the earlier layout's shard files move in at start-up.
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../core/clock.js';
import { EtagConflictError, JOURNAL_FILE, LowdbVersionedStore } from '../../storage/lowdbVersionedStore.js';

/** Every file under `dir` with its size and modification time. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const s = await stat(path);
    files.set(path.slice(dir.length + 1), `${s.size}:${s.mtimeMs}:${s.ino}`);
  }
  return files;
}

const dialogState = (i: number) => ({ DialogState: { dialogStack: [{ id: 'main', state: { step: i % 5, options: { topic: 'password' } } }] }, lastSeen: `2026-01-0${(i % 9) + 1}` });

describe('the state store on disk', () => {
  let dir: string;
  let clock: ManualClock;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-journal-'));
    clock = new ManualClock();
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('changes only the journal, by about the size of the value, when one key is written among 10,000 stored', async () => {
    const store = await LowdbVersionedStore.open(dir, {}, () => clock.now());
    await store.write(Array.from({ length: 10_000 }, (_, i) => ({ key: `msteams/conversations/a:${i}`, value: dialogState(i) })));
    const before = await snapshot(dir);
    const value = dialogState(7);
    await store.write([{ key: 'msteams/conversations/a:7', value }]);
    const after = await snapshot(dir);
    const changed = [...after].filter(([name, sig]) => before.get(name) !== sig).map(([name]) => name);
    expect(changed).to.deep.equal([JOURNAL_FILE]);
    const grew = (await stat(join(dir, JOURNAL_FILE))).size - Number(before.get(JOURNAL_FILE)!.split(':')[0]);
    expect(grew).to.be.above(JSON.stringify(value).length).and.below(JSON.stringify(value).length + 150);
    expect(store.size).to.equal(10_000);
  });

  it('keeps state and eTags across a restart, and still refuses a stale eTag after it', async () => {
    const store = await LowdbVersionedStore.open(dir);
    const first = (await store.write([{ key: 'conv/1', value: { step: 1 } }])).get('conv/1')!;
    const second = (await store.write([{ key: 'conv/1', value: { step: 2 }, expectedEtag: first }])).get('conv/1')!;
    const reopened = await LowdbVersionedStore.open(dir);
    expect(reopened.read(['conv/1']).get('conv/1')).to.deep.include({ value: { step: 2 }, etag: second });
    let refused: unknown;
    await reopened.write([{ key: 'conv/1', value: { step: 'lost' }, expectedEtag: first }]).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(EtagConflictError);
  });

  it('lets exactly one of several simultaneous writes carrying the same eTag win', async () => {
    const store = await LowdbVersionedStore.open(dir);
    const etag = (await store.write([{ key: 'conv/1', value: { n: 0 } }])).get('conv/1')!;
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.write([{ key: 'conv/1', value: { n: i + 1 }, expectedEtag: etag }])));
    expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof EtagConflictError)).to.have.length(7);
    const winner = results.findIndex((r) => r.status === 'fulfilled');
    expect((await LowdbVersionedStore.open(dir)).read(['conv/1']).get('conv/1')!.value).to.deep.equal({ n: winner + 1 });
  });

  it('compacts the journal to one line per live key once superseded lines outweigh them, losing nothing', async () => {
    const store = await LowdbVersionedStore.open(dir, { compactMinBytes: 10_000 });
    const etags = new Map<string, string>();
    for (let round = 0; round < 20; round++) {
      for (const [key, etag] of await store.write(Array.from({ length: 20 }, (_, i) => ({ key: `conv/${i}`, value: { round, text: 'x'.repeat(50) } })))) etags.set(key, etag);
    }
    await store.delete(['conv/0']);
    etags.delete('conv/0');
    const lines = (await readFile(join(dir, JOURNAL_FILE), 'utf8')).split('\n').filter(Boolean);
    expect(lines.length).to.be.below(20 * 20 / 2);
    const reopened = await LowdbVersionedStore.open(dir);
    expect(reopened.size).to.equal(19);
    for (const [key, etag] of etags) expect(reopened.read([key]).get(key)).to.deep.include({ etag, value: { round: 19, text: 'x'.repeat(50) } });
    expect(await readdir(dir)).to.deep.equal([JOURNAL_FILE]);
  });

  it('moves the shard files of the earlier layout into the journal at start-up, keeping values, eTags and times', async () => {
    // Today's layout, as the previous version wrote it.
    const shard = (entries: Record<string, unknown>) => JSON.stringify({ version: 1, entries });
    await writeFile(join(dir, 'shard-0.json'), shard({ 'msteams/conversations/a:1': { value: { step: 'ask-email' }, etag: 'etag-1', at: '2025-12-01T09:00:00.000Z' } }));
    await writeFile(join(dir, 'shard-1.json'), shard({ 'once/welcome/29:a': { value: { at: '2025-06-01T09:00:00.000Z' }, etag: 'etag-2', at: '2025-06-01T09:00:00.000Z' } }));
    const store = await LowdbVersionedStore.open(dir, 8);
    expect(store.read(['msteams/conversations/a:1']).get('msteams/conversations/a:1')).to.deep.equal({ value: { step: 'ask-email' }, etag: 'etag-1', at: '2025-12-01T09:00:00.000Z' });
    expect(await readdir(dir)).to.deep.equal([JOURNAL_FILE]);
    expect((await stat(join(dir, JOURNAL_FILE))).mode & 0o777).to.equal(0o600);
    // The eTag read before the move is still the one a write must carry.
    await store.write([{ key: 'msteams/conversations/a:1', value: { step: 'done' }, expectedEtag: 'etag-1' }]);
    const reopened = await LowdbVersionedStore.open(dir);
    expect(reopened.read(['msteams/conversations/a:1']).get('msteams/conversations/a:1')!.value).to.deep.equal({ step: 'done' });
    expect(reopened.read(['once/welcome/29:a']).get('once/welcome/29:a')!.etag).to.equal('etag-2');
  });

  it('sets aside a last line cut short by a crash, and keeps every whole line before it', async () => {
    const store = await LowdbVersionedStore.open(dir);
    await store.write([{ key: 'conv/1', value: { n: 1 } }]);
    await writeFile(join(dir, JOURNAL_FILE), '{"k":"conv/2","e":"x","at":"2026', { flag: 'a' });
    const reopened = await LowdbVersionedStore.open(dir);
    expect([...reopened.read(['conv/1', 'conv/2']).keys()]).to.deep.equal(['conv/1']);
  });
});
