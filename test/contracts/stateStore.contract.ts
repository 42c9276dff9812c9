// The VersionedStateStore promises (state/ports.ts: conversation and user state, welcome-once marks), for
// every implementation. Each store is made with the clock the test moves, which stamps writes and claims.
import { expect } from 'chai';
import { DAY, ManualClock } from '../../core/clock.js';
import { EtagConflictError, type VersionedStateStore, type VersionedWrite } from '../../state/ports.js';
import { rejectionOf, type Subject } from './subject.js';

/** A new, empty store (and ways to reach its data again) whose writes are stamped by `now`. */
export type MakeStateSubject = (now: () => Date) => Promise<Subject<VersionedStateStore>>;

const CONV = 'msteams/conversations/a:1';
const USER = 'msteams/users/29:1';

/** A dialog stack as a real turn stores it, with text in several scripts. */
const NESTED = {
  dialogState: {
    dialogStack: [
      { id: 'main', state: { dialogs: { dialogStack: [{ id: 'app.phone', state: { options: { prompt: 'Pa fath o ffôn sydd gennych?', choices: ['iPhone', 'Android'] }, stepIndex: 0 } }] } } },
    ],
  },
  transcript: [
    { from: 'user', text: 'Diolch yn fawr 👍🏽 — «ça marche» 日本語 עברית', at: '2026-01-05T10:00:00.000Z' },
    { from: 'bot', text: 'line one\nline "two"\t\\ end', at: '2026-01-05T10:00:01.000Z' },
  ],
  numbers: { zero: 0, negative: -12.5, large: 9007199254740991, small: 1e-7 },
  flags: [true, false, null],
  empty: { object: {}, array: [], text: '' },
};

export function stateStoreContract(name: string, make: MakeStateSubject, shared = false): void {
  describe(`${name} keeps the VersionedStateStore contract`, () => {
    let clock: ManualClock;
    let s: Subject<VersionedStateStore>;
    beforeEach(async () => {
      clock = new ManualClock('2026-01-05T10:00:00.000Z');
      s = await make(() => clock.now());
    });

    /** Writes one key and returns its new eTag. */
    async function put(store: VersionedStateStore, key: string, value: Record<string, unknown>, expectedEtag?: string): Promise<string> {
      const etags = await store.write([{ key, value, ...(expectedEtag === undefined ? {} : { expectedEtag }) }]);
      return etags.get(key)!;
    }

    async function conflictOf(store: VersionedStateStore, writes: VersionedWrite[]): Promise<EtagConflictError> {
      const error = await rejectionOf(store.write(writes));
      expect(error).to.be.instanceOf(EtagConflictError);
      return error as EtagConflictError;
    }

    it('reads back what was written, with the eTag the write returned and the time of writing, and nothing for unknown keys', async () => {
      const etag = await put(s.store, CONV, { step: 'ask-email' });
      expect(etag).to.be.a('string').and.not.equal('');
      expect(await s.store.read([CONV, 'msteams/conversations/unknown'])).to.deep.equal(new Map([[CONV, { value: { step: 'ask-email' }, etag, at: '2026-01-05T10:00:00.000Z' }]]));
      expect(await s.store.read([])).to.deep.equal(new Map());
    });

    it('accepts a write carrying the eTag that was read, and gives the key a new eTag', async () => {
      const first = await put(s.store, CONV, { step: 1 });
      const second = await put(s.store, CONV, { step: 2 }, first);
      expect(second).to.be.a('string').and.not.equal(first);
      expect((await s.store.read([CONV])).get(CONV)).to.deep.include({ value: { step: 2 }, etag: second });
    });

    it('refuses a write carrying a stale eTag with EtagConflictError naming the key, and stores nothing', async () => {
      const stale = await put(s.store, CONV, { step: 1 });
      const current = await put(s.store, CONV, { step: 2 }, stale);
      expect((await conflictOf(s.store, [{ key: CONV, value: { step: 'lost' }, expectedEtag: stale }])).key).to.equal(CONV);
      expect((await s.store.read([CONV])).get(CONV)).to.deep.include({ value: { step: 2 }, etag: current });
    });

    it("creates a key with eTag '' only while it does not exist, and refuses an eTag for a key that does not", async () => {
      const created = await put(s.store, CONV, { step: 1 }, '');
      expect((await conflictOf(s.store, [{ key: CONV, value: { step: 'again' }, expectedEtag: '' }])).key).to.equal(CONV);
      expect((await s.store.read([CONV])).get(CONV)).to.deep.include({ value: { step: 1 }, etag: created });
      await conflictOf(s.store, [{ key: USER, value: { language: 'cy-GB' }, expectedEtag: 'an-etag-never-issued' }]);
      expect((await s.store.read([USER])).size).to.equal(0);
    });

    it("overwrites whatever is stored when the write names no eTag, or '*'", async () => {
      await put(s.store, CONV, { step: 1 });
      await put(s.store, CONV, { step: 2 });
      const last = await put(s.store, CONV, { step: 3 }, '*');
      expect((await s.store.read([CONV])).get(CONV)).to.deep.include({ value: { step: 3 }, etag: last });
    });

    it('stores every write of a batch or, when one eTag is stale, none of them', async () => {
      const etag = await put(s.store, CONV, { step: 1 });
      await conflictOf(s.store, [
        { key: USER, value: { language: 'cy-GB' }, expectedEtag: '' },
        { key: CONV, value: { step: 'lost' }, expectedEtag: 'stale' },
      ]);
      expect((await s.store.read([USER])).size).to.equal(0);
      const etags = await s.store.write([
        { key: USER, value: { language: 'cy-GB' }, expectedEtag: '' },
        { key: CONV, value: { step: 2 }, expectedEtag: etag },
      ]);
      expect([...etags.keys()].sort()).to.deep.equal([CONV, USER].sort());
      const read = await s.store.read([CONV, USER]);
      expect(read.get(CONV)).to.deep.include({ value: { step: 2 }, etag: etags.get(CONV) });
      expect(read.get(USER)).to.deep.include({ value: { language: 'cy-GB' }, etag: etags.get(USER) });
    });

    it('lets exactly one of ten simultaneous writers from the same eTag through, and keeps its value', async () => {
      const read = await put(s.store, CONV, { step: 0 });
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => put(s.store, CONV, { step: i + 1 }, read)));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ step: i + 1, etag: r.value }] : []));
      expect(won).to.have.length(1);
      expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof EtagConflictError)).to.have.length(9);
      expect((await s.store.read([CONV])).get(CONV)).to.deep.include({ value: { step: won[0]!.step }, etag: won[0]!.etag });
    });

    if (shared) {
      it('lets exactly one writer through when two instances write from the same eTag at once, and both then read its value', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const read = await put(s.store, CONV, { step: 0 });
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => put(i % 2 ? other : s.store, CONV, { step: i + 1 }, read)));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [{ step: i + 1, etag: r.value }] : []));
        expect(won).to.have.length(1);
        expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof EtagConflictError)).to.have.length(19);
        for (const store of [s.store, other]) expect((await store.read([CONV])).get(CONV)).to.deep.include({ value: { step: won[0]!.step }, etag: won[0]!.etag });
      });

      it("lets exactly one instance create a key with eTag '' when two try at once", async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const results = await Promise.allSettled(Array.from({ length: 20 }, (_, i) => put(i % 2 ? other : s.store, CONV, { by: i }, '')));
        expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
        expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof EtagConflictError)).to.have.length(19);
      });
    }

    it('claims a key once, however many claim it at once, and each key for itself', async () => {
      const results = await Promise.all(Array.from({ length: 20 }, () => s.store.claimOnce('welcome/29:1')));
      expect(results.filter(Boolean)).to.have.length(1);
      expect(await s.store.claimOnce('welcome/29:1')).to.equal(false);
      expect(await s.store.claimOnce('welcome/29:2')).to.equal(true);
    });

    if (shared)
      it('claims a key exactly once when twenty claims arrive from two instances at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : s.store).claimOnce('welcome/29:1')));
        expect(results.filter(Boolean)).to.have.length(1);
        expect(await other.claimOnce('welcome/29:1')).to.equal(false);
      });

    it('deletes keys (unknown ones too), after which a key can be created afresh', async () => {
      await put(s.store, CONV, { step: 1 });
      await put(s.store, USER, { language: 'en-GB' });
      await s.store.delete([CONV, 'msteams/conversations/unknown']);
      expect([...(await s.store.read([CONV, USER])).keys()]).to.deep.equal([USER]);
      await put(s.store, CONV, { step: 'again' }, '');
      expect((await s.store.read([CONV])).get(CONV)?.value).to.deep.equal({ step: 'again' });
    });

    it('prunes entries not written since a time and once-marks claimed before one, each apart, counting them', async () => {
      await put(s.store, CONV, { step: 'idle' });
      expect(await s.store.claimOnce('welcome/old')).to.equal(true);
      clock.advance(10 * DAY);
      await put(s.store, USER, { language: 'cy-GB' });
      expect(await s.store.claimOnce('welcome/new')).to.equal(true);
      clock.advance(DAY);

      // Entries idle for more than 5 days: the conversation only; marks are not entries.
      expect(await s.store.pruneIdle(new Date(clock.now().getTime() - 5 * DAY))).to.equal(1);
      expect([...(await s.store.read([CONV, USER])).keys()]).to.deep.equal([USER]);
      expect(await s.store.claimOnce('welcome/old')).to.equal(false);

      // Marks older than 5 days: the old one, which can then be claimed again; entries are not marks.
      expect(await s.store.pruneOnceMarks(new Date(clock.now().getTime() - 5 * DAY))).to.equal(1);
      expect((await s.store.read([USER])).size).to.equal(1);
      expect(await s.store.claimOnce('welcome/new')).to.equal(false);
      expect(await s.store.claimOnce('welcome/old')).to.equal(true);
      expect(await s.store.pruneIdle(new Date(clock.now().getTime() - 5 * DAY))).to.equal(0);
    });

    it('keeps an entry written again since the cut-off', async () => {
      const etag = await put(s.store, CONV, { step: 1 });
      clock.advance(10 * DAY);
      await put(s.store, CONV, { step: 2 }, etag);
      expect(await s.store.pruneIdle(new Date(clock.now().getTime() - 5 * DAY))).to.equal(0);
      expect((await s.store.read([CONV])).get(CONV)).to.deep.include({ value: { step: 2 }, at: clock.now().toISOString() });
    });

    it('gives back nested JSON and text in any script as written, also after a restart', async () => {
      const etag = await put(s.store, CONV, NESTED);
      expect((await s.store.read([CONV])).get(CONV)?.value).to.deep.equal(NESTED);
      const reopened = await s.reopen();
      expect((await reopened.read([CONV])).get(CONV)).to.deep.equal({ value: NESTED, etag, at: '2026-01-05T10:00:00.000Z' });
    });

    it('stores what JSON makes of a value (a date as its ISO text, undefined left out)', async () => {
      await put(s.store, CONV, { when: new Date('2026-01-05T10:00:00.000Z'), gone: undefined, kept: 1 });
      expect((await s.store.read([CONV])).get(CONV)?.value).to.deep.equal({ when: '2026-01-05T10:00:00.000Z', kept: 1 });
    });

    it('stores text holding a NUL character or a lone surrogate (as sent, or with U+FFFD in its place)', async () => {
      await put(s.store, CONV, { text: 'a\u0000b', broken: 'x\uD800y' });
      const value = (await s.store.read([CONV])).get(CONV)?.value;
      expect(value?.text).to.be.oneOf(['a\u0000b', 'a\uFFFDb']);
      expect(value?.broken).to.be.oneOf(['x\uD800y', 'x\uFFFDy']);
    });

    it('keeps entries, eTags and once-marks across a restart', async () => {
      const etag = await put(s.store, CONV, { step: 1 });
      await s.store.claimOnce('welcome/29:1');
      const reopened = await s.reopen();
      expect(await reopened.claimOnce('welcome/29:1')).to.equal(false);
      await put(reopened, CONV, { step: 2 }, etag);
      await conflictOf(reopened, [{ key: CONV, value: { step: 'lost' }, expectedEtag: etag }]);
    });
  });
}
