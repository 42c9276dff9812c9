// The RecentTranscriptStore promises (tickets/recentTranscript.ts), for every implementation: each
// conversation's last 30 messages in the order said, and, recorded through the bot's RecentTranscript, never
// a password-like text. Where instances share one back end, a conversation keeps its transcript wherever
// its next turn lands.
import { expect } from 'chai';
import { TestAdapter, TurnContext } from 'botbuilder-core';
import { RecentTranscript } from '../../bot/recentTranscript.js';
import { RECENT_LIMIT, type RecentTranscriptStore } from '../../tickets/recentTranscript.js';
import type { TranscriptEntry } from '../../tickets/types.js';
import type { MakeSubject, Subject } from './subject.js';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const entry = (n: number, changes: Partial<TranscriptEntry> = {}): TranscriptEntry => ({ at: new Date(T0 + n * 1000).toISOString(), from: n % 2 ? 'bot' : 'user', text: `message ${n}`, ...changes });
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => entry(from + i));
const texts = (entries: TranscriptEntry[]) => entries.map((e) => e.text);

/** `shared`: instances of this store on the same back end see each other's entries (a database). */
export function transcriptContract(name: string, make: MakeSubject<RecentTranscriptStore>, shared = false): void {
  describe(`${name} keeps the RecentTranscriptStore contract`, () => {
    let s: Subject<RecentTranscriptStore>;
    beforeEach(async () => (s = await make()));

    it('has nothing for a conversation it has not seen', async () => {
      expect(await s.store.recent('a:unknown')).to.deep.equal([]);
    });

    it('gives each conversation its own entries, in the order they were added, as given', async () => {
      const first = [entry(0, { name: 'Alex Demo' }), entry(1)];
      await s.store.append('a:1', first);
      await s.store.append('a:2', [entry(5)]);
      await s.store.append('a:1', [entry(2, { from: 'agent', name: 'Priya Agent', screenshotIds: ['s1'] })]);
      expect(await s.store.recent('a:1')).to.deep.equal([...first, entry(2, { from: 'agent', name: 'Priya Agent', screenshotIds: ['s1'] })]);
      expect(await s.store.recent('a:2')).to.deep.equal([entry(5)]);
    });

    it(`keeps the last ${RECENT_LIMIT} entries of a conversation, the oldest going first`, async () => {
      for (const e of range(0, 40)) await s.store.append('a:1', [e]);
      expect(texts(await s.store.recent('a:1'))).to.deep.equal(texts(range(10, 40)));
      await s.store.append('a:1', range(40, 45));
      expect(texts(await s.store.recent('a:1'))).to.deep.equal(texts(range(15, 45)));
      await s.store.append('a:1', range(45, 90));
      expect(texts(await s.store.recent('a:1'))).to.deep.equal(texts(range(60, 90)));
    });

    it('never keeps a password-like message recorded through the bot\'s transcript, only a note that one came', async () => {
      const recorder = new RecentTranscript(s.store, () => new Date(T0));
      const turn = async (text: string) => {
        const context = new TurnContext(new TestAdapter(), { type: 'message', channelId: 'msteams', conversation: { id: 'a:pw' } as never, from: { id: '29:alex', name: 'Alex Demo' }, recipient: { id: '28:bot' } as never, text });
        recorder.track(context);
        await context.sendActivity('Thanks');
        await recorder.flush(context);
      };
      await turn('my ESR password is not working');
      await turn('Winter!2026secure');
      const kept = await s.store.recent('a:pw');
      expect(kept.map((e) => [e.from, e.text])).to.deep.equal([
        ['user', 'my ESR password is not working'],
        ['bot', 'Thanks'],
        ['user', '[a message that looked like a password, not kept]'],
        ['bot', 'Thanks'],
      ]);
      expect(JSON.stringify(kept)).to.not.contain('Winter!2026');
    });

    it('forgets entries recorded before a time, counting them', async () => {
      await s.store.append('a:1', range(0, 4));
      await s.store.append('a:2', range(0, 2));
      expect(await s.store.forgetBefore(new Date(T0 + 2000))).to.equal(4);
      expect(texts(await s.store.recent('a:1'))).to.deep.equal(texts(range(2, 4)));
      expect(await s.store.recent('a:2')).to.deep.equal([]);
    });

    if (shared)
      it('keeps a conversation\'s transcript, and its limit, when its turns land on different instances', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        for (const e of range(0, 40)) await (e.text.endsWith('7') ? other : s.store).append('a:1', [e]);
        expect(texts(await other.recent('a:1'))).to.deep.equal(texts(range(10, 40)));
        expect(await s.store.recent('a:1')).to.deep.equal(await other.recent('a:1'));
        await Promise.all([s.store.append('a:1', [entry(40)]), other.append('a:1', [entry(41)])]);
        expect(await s.store.recent('a:1')).to.have.length(RECENT_LIMIT);
      });
  });
}
