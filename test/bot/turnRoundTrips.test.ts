// What keeps a chat turn to a few round trips on PostgreSQL: welcome marks remembered once claimed, state reads
// of one tick made as one, and a turn's transcript written once at its end (tested here with counting stores).
import { expect } from 'chai';
import { TestAdapter, TurnContext } from 'botbuilder-core';
import { OnceRegistry } from '../../bot/onceRegistry.js';
import { RecentTranscript } from '../../bot/recentTranscript.js';
import { EtagCheckedState, VersionedBotStorage, conversationStateKey, userStateKey } from '../../bot/stateStorage.js';
import type { VersionedEntry, VersionedStateStore } from '../../state/ports.js';
import { MemoryRecentTranscript, type RecentTranscriptStore } from '../../tickets/recentTranscript.js';
import type { TranscriptEntry } from '../../tickets/types.js';

function turn(text = 'hello'): TurnContext {
  return new TurnContext(new TestAdapter(), { type: 'message', channelId: 'msteams', conversation: { id: 'a:1' } as never, from: { id: '29:alex', name: 'Alex Demo' }, recipient: { id: '28:bot' } as never, text });
}

describe('round trips per turn', () => {
  describe('the welcome-once registry', () => {
    it('asks the store about a key once, then remembers it is claimed for an hour', async () => {
      let asked = 0;
      const claimed = new Set<string>();
      let now = Date.parse('2026-12-06T09:00:00Z');
      const once = new OnceRegistry({ claimOnce: (key) => (asked++, Promise.resolve(!claimed.has(key) && Boolean(claimed.add(key)))) }, () => new Date(now));
      expect(await once.claim('welcome:alex')).to.equal(true);
      expect(await once.claim('welcome:alex')).to.equal(false);
      expect(await once.claim('welcome:alex')).to.equal(false);
      expect(asked).to.equal(1);
      now += 61 * 60 * 1000;
      claimed.clear(); // housekeeping dropped the mark meanwhile
      expect(await once.claim('welcome:alex')).to.equal(true);
      expect(asked).to.equal(2);
    });

    it('forgets the oldest keys beyond its limit, so memory stays bounded', async () => {
      let asked = 0;
      const once = new OnceRegistry({ claimOnce: () => (asked++, Promise.resolve(false)) }, () => new Date(0), 2);
      for (const key of ['a', 'b', 'c']) await once.claim(key);
      await once.claim('c');
      await once.claim('a');
      expect(asked).to.equal(4); // 'c' remembered, 'a' forgotten
    });
  });

  describe('state storage', () => {
    function countingStore(): VersionedStateStore & { reads: string[][] } {
      const entries = new Map<string, VersionedEntry>([
        ['msteams/conversations/a:1', { value: { dialogState: { step: 1 } }, etag: 'c1', at: '2026-12-06T09:00:00Z' }],
        ['msteams/users/29:alex', { value: { language: 'cy-GB' }, etag: 'u1', at: '2026-12-06T09:00:00Z' }],
      ]);
      const reads: string[][] = [];
      return {
        reads,
        read: (keys) => (reads.push([...keys].sort()), Promise.resolve(new Map(keys.flatMap((k) => (entries.has(k) ? [[k, structuredClone(entries.get(k)!)] as const] : []))))),
        write: () => Promise.reject(new Error('not in this test')),
        delete: () => Promise.resolve(),
        claimOnce: () => Promise.resolve(false),
        pruneIdle: () => Promise.resolve(0),
        pruneOnceMarks: () => Promise.resolve(0),
      };
    }

    it("reads a turn's conversation and user state in one read when both are asked for together", async () => {
      const store = countingStore();
      const storage = new VersionedBotStorage(store);
      const conversation = new EtagCheckedState(storage, conversationStateKey);
      const user = new EtagCheckedState(storage, userStateKey);
      const context = turn();
      const [c, u] = await Promise.all([conversation.load(context), user.load(context)]);
      expect(store.reads).to.deep.equal([['msteams/conversations/a:1', 'msteams/users/29:alex']]);
      expect(c).to.deep.equal({ dialogState: { step: 1 } });
      expect(u).to.deep.equal({ language: 'cy-GB' });
    });

    it('gives each reader of the same key in one read its own copy', async () => {
      const store = countingStore();
      const storage = new VersionedBotStorage(store);
      const [a, b] = await Promise.all([storage.read(['msteams/conversations/a:1']), storage.read(['msteams/conversations/a:1'])]);
      expect(store.reads).to.have.length(1);
      (a['msteams/conversations/a:1'] as { dialogState: { step: number } }).dialogState.step = 2;
      expect(b['msteams/conversations/a:1']).to.deep.equal({ dialogState: { step: 1 }, eTag: 'c1' });
    });

    it('reads again in a later tick (nothing is cached between turns)', async () => {
      const store = countingStore();
      const storage = new VersionedBotStorage(store);
      await storage.read(['msteams/users/29:alex']);
      await storage.read(['msteams/users/29:alex']);
      expect(store.reads).to.have.length(2);
    });
  });

  describe('the recent transcript', () => {
    it("writes a turn's messages in one append, in the order they were said, when the turn flushes", async () => {
      const appended: TranscriptEntry[][] = [];
      const memory = new MemoryRecentTranscript();
      const store: RecentTranscriptStore = { ...memory, recent: (id) => memory.recent(id), forgetBefore: (d) => memory.forgetBefore(d), append: (id, entries) => (appended.push(entries), memory.append(id, entries)) };
      const transcript = new RecentTranscript(store, () => new Date('2026-12-06T09:00:00Z'));
      const context = turn('my account is locked');
      transcript.track(context);
      await context.sendActivity('Sorry to hear that.');
      await context.sendActivity('Let us unlock it.');
      expect(appended, 'nothing written mid-turn').to.have.length(0);
      expect((await transcript.get(context)).map((e) => e.text), "this turn's messages are part of the transcript already").to.deep.equal(['my account is locked', 'Sorry to hear that.', 'Let us unlock it.']);
      await transcript.flush(context);
      await transcript.flush(context);
      expect(appended.map((entries) => entries.map((e) => `${e.from}: ${e.text}`))).to.deep.equal([['user: my account is locked', 'bot: Sorry to hear that.', 'bot: Let us unlock it.']]);
    });
  });
});
