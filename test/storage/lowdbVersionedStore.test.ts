// The eTag-checked key-value store behind the bot's conversation and user state.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DAY, HOUR, ManualClock } from '../../core/clock.js';
import { EtagConflictError, LowdbVersionedStore, type VersionedWrite } from '../../storage/lowdbVersionedStore.js';

describe('LowdbVersionedStore', () => {
  let dir: string;
  let clock: ManualClock;
  let store: LowdbVersionedStore;
  const open = () => LowdbVersionedStore.open(dir, 4, () => clock.now());

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-'));
    clock = new ManualClock();
    store = await open();
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes one key and returns its new eTag. */
  async function put(key: string, value: Record<string, unknown>, expectedEtag?: string): Promise<string> {
    const etags = await store.write([{ key, value, ...(expectedEtag === undefined ? {} : { expectedEtag }) }]);
    return etags.get(key)!;
  }

  async function conflictOf(writes: VersionedWrite[]): Promise<EtagConflictError> {
    try {
      await store.write(writes);
    } catch (error) {
      if (error instanceof EtagConflictError) return error;
      throw error;
    }
    throw new Error('expected an EtagConflictError, but the write succeeded');
  }

  describe('eTags', () => {
    it('reads back what was written, with the eTag the write returned and the time of writing', async () => {
      const etag = await put('conv/1', { step: 'ask-email' });
      expect(store.read(['conv/1', 'conv/unknown'])).to.deep.equal(new Map([['conv/1', { value: { step: 'ask-email' }, etag, at: '2026-01-05T10:00:00.000Z' }]]));
    });

    it('accepts a write carrying the eTag that was read, and gives the key a new eTag', async () => {
      const first = await put('conv/1', { step: 1 });
      const second = await put('conv/1', { step: 2 }, first);
      expect(second).to.be.a('string').and.not.equal(first);
      expect(store.read(['conv/1']).get('conv/1')).to.deep.include({ value: { step: 2 }, etag: second });
    });

    it('refuses a write carrying a stale eTag with EtagConflictError naming the key, and stores nothing', async () => {
      const stale = await put('conv/1', { step: 1 });
      const current = await put('conv/1', { step: 2 }, stale);
      const error = await conflictOf([{ key: 'conv/1', value: { step: 'lost' }, expectedEtag: stale }]);
      expect(error.key).to.equal('conv/1');
      expect(store.read(['conv/1']).get('conv/1')).to.deep.include({ value: { step: 2 }, etag: current });
      expect((await open()).read(['conv/1']).get('conv/1')).to.deep.include({ value: { step: 2 }, etag: current });
    });

    it('stores none of a batch when any one of its eTags is stale', async () => {
      await put('user/a', { n: 1 });
      const error = await conflictOf([
        { key: 'conv/new', value: { n: 1 } },
        { key: 'user/a', value: { n: 2 }, expectedEtag: 'an-old-etag' },
      ]);
      expect(error.key).to.equal('user/a');
      expect([...store.read(['conv/new', 'user/a']).keys()]).to.deep.equal(['user/a']);
      expect(store.read(['user/a']).get('user/a')!.value).to.deep.equal({ n: 1 });
    });

    for (const [expectedEtag, label] of [[undefined, 'no eTag'], ['*', "the eTag '*'"]] as const) {
      it(`overwrites whatever is stored when the write carries ${label}`, async () => {
        await put('conv/1', { step: 1 });
        await put('conv/1', { step: 2 }, expectedEtag);
        expect(store.read(['conv/1']).get('conv/1')!.value).to.deep.equal({ step: 2 });
      });

      it(`creates a missing key when the write carries ${label}`, async () => {
        await put('conv/new', { step: 1 }, expectedEtag);
        expect(store.read(['conv/new']).get('conv/new')!.value).to.deep.equal({ step: 1 });
      });
    }

    it("treats the eTag '' as \"create only if absent\": the first write wins, the second conflicts", async () => {
      await put('once/welcome', { at: 'first' }, '');
      const error = await conflictOf([{ key: 'once/welcome', value: { at: 'second' }, expectedEtag: '' }]);
      expect(error.key).to.equal('once/welcome');
      expect(store.read(['once/welcome']).get('once/welcome')!.value).to.deep.equal({ at: 'first' });
    });

    it("lets exactly one of several simultaneous '' writes create the key", async () => {
      const results = await Promise.allSettled(Array.from({ length: 5 }, (_, i) => put('once/race', { i }, '')));
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof EtagConflictError)).to.have.length(4);
    });

    it('refuses an eTag for a key that does not exist (someone deleted it since it was read)', async () => {
      const etag = await put('conv/1', { step: 1 });
      await store.delete(['conv/1']);
      expect((await conflictOf([{ key: 'conv/1', value: { step: 2 }, expectedEtag: etag }])).key).to.equal('conv/1');
    });
  });

  describe('values', () => {
    it('hands out copies, so changing what was read or written changes nothing stored', async () => {
      const value = { list: [1, 2] };
      await put('conv/1', value);
      value.list.push(3);
      const read = store.read(['conv/1']).get('conv/1')!;
      (read.value.list as number[]).push(4);
      expect(store.read(['conv/1']).get('conv/1')!.value).to.deep.equal({ list: [1, 2] });
    });

    it('stores values as JSON, so they read back the same before and after a restart', async () => {
      await put('conv/1', { when: new Date('2026-01-05T10:00:00Z'), gone: undefined, kept: null });
      const expected = { when: '2026-01-05T10:00:00.000Z', kept: null };
      expect(store.read(['conv/1']).get('conv/1')!.value).to.deep.equal(expected);
      expect((await open()).read(['conv/1']).get('conv/1')!.value).to.deep.equal(expected);
    });
  });

  describe('on disk', () => {
    it('keeps every key, value and eTag across reopening', async () => {
      const etags = new Map<string, string>();
      for (let i = 0; i < 20; i++) etags.set(`conv/${i}`, await put(`conv/${i}`, { i }));
      const reopened = await open();
      const read = reopened.read([...etags.keys()]);
      expect(read.size).to.equal(20);
      for (const [key, etag] of etags) expect(read.get(key)).to.deep.include({ etag, value: { i: Number(key.split('/')[1]) } });
    });

    it('forgets deleted keys across reopening', async () => {
      await put('conv/1', { n: 1 });
      await put('conv/2', { n: 2 });
      await store.delete(['conv/1', 'conv/never-there']);
      expect([...(await open()).read(['conv/1', 'conv/2']).keys()]).to.deep.equal(['conv/2']);
    });
  });

  describe('expiry', () => {
    it('removes entries not written since the cutoff, keeps the rest, and says how many went', async () => {
      await put('conv/idle', { n: 1 });
      await put('user/idle', { n: 1 });
      clock.advance(2 * DAY);
      await put('conv/busy', { n: 1 });
      expect(await store.expire(new Date(clock.now().getTime() - HOUR))).to.equal(2);
      expect([...store.read(['conv/idle', 'user/idle', 'conv/busy']).keys()]).to.deep.equal(['conv/busy']);
      expect([...(await open()).read(['conv/idle', 'user/idle', 'conv/busy']).keys()]).to.deep.equal(['conv/busy']);
    });

    it('counts a rewrite as activity', async () => {
      const etag = await put('conv/1', { n: 1 });
      clock.advance(2 * DAY);
      await put('conv/1', { n: 2 }, etag);
      expect(await store.expire(new Date(clock.now().getTime() - DAY))).to.equal(0);
    });
  });
});
