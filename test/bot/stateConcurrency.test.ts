// Two turns of one conversation cannot silently overwrite each other's state: within one process they
// run one after the other; and the state store itself refuses a write made from stale state.
import { expect } from 'chai';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestAdapter, TurnContext } from 'botbuilder-core';
import { VersionedBotStorage, EtagCheckedState, conversationStateKey, useReadAhead } from '../../bot/stateStorage.js';
import { EtagConflictError, LowdbVersionedStore } from '../../storage/lowdbVersionedStore.js';
import { DEMO_USERS, startTestApp } from '../support/testApp.js';

function contextFor(adapter: TestAdapter): TurnContext {
  return new TurnContext(adapter, { type: 'message', channelId: 'test', conversation: { id: 'conv-1' } as never, from: { id: 'user-1' } as never, recipient: { id: 'bot' } as never, text: 'hi' });
}

describe('conversation state under concurrent turns', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'esr-state-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('refuses the second of two turns that read the same state, and keeps the first one', async () => {
    const storage = new VersionedBotStorage(await LowdbVersionedStore.open(dir, 2));
    const state = new EtagCheckedState(storage, conversationStateKey);
    const adapter = new TestAdapter();
    const a = contextFor(adapter);
    const b = contextFor(adapter);
    (await state.load(a)).step = 'from turn A';
    (await state.load(b)).step = 'from turn B';
    await state.saveChanges(a);
    let refused: unknown;
    await state.saveChanges(b).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(EtagConflictError);
    const fresh = contextFor(adapter);
    expect((await state.load(fresh)).step).to.equal('from turn A');
  });

  it('refuses a first write for a conversation that another turn created meanwhile', async () => {
    const storage = new VersionedBotStorage(await LowdbVersionedStore.open(dir, 2));
    const state = new EtagCheckedState(storage, conversationStateKey);
    const adapter = new TestAdapter();
    const a = contextFor(adapter);
    const b = contextFor(adapter);
    (await state.load(a)).n = 1;
    (await state.load(b)).n = 2;
    await state.saveChanges(a);
    let refused: unknown;
    await state.saveChanges(b).catch((e: unknown) => (refused = e));
    expect(refused).to.be.instanceOf(EtagConflictError);
  });

  it("takes the state its turn's lock read ahead instead of reading the store, once; a forced load reads the store, and a write keeps the eTag check", async () => {
    const store = await LowdbVersionedStore.open(dir, 2);
    const state = new EtagCheckedState(new VersionedBotStorage(store), conversationStateKey);
    const key = conversationStateKey(contextFor(new TestAdapter()));
    const etag = (await store.write([{ key, value: { step: 'stored' } }])).get(key)!;
    const context = contextFor(new TestAdapter());
    // What the lock read (here told apart from the store by its value); a key read and not found means "none yet".
    useReadAhead(context, { keys: [key], found: new Map([[key, { value: { step: 'read with the lock' }, etag, at: '2026-01-05T10:00:00.000Z' }]]) });
    expect((await state.load(context)).step).to.equal('read with the lock');
    expect((await state.load(context, true)).step, 'forced: from the store').to.equal('stored');
    const other = contextFor(new TestAdapter());
    useReadAhead(other, { keys: [key], found: new Map() });
    expect(await state.load(other)).to.deep.equal({});
    (await state.load(other)).step = 'over what is stored';
    const refused = await state.saveChanges(other).then(() => undefined, (e: unknown) => e);
    expect(refused, 'read as absent, so the write must create it, and it exists').to.be.instanceOf(EtagConflictError);
  });

  it('lets one turn save twice (its eTag moves on with each write)', async () => {
    const storage = new VersionedBotStorage(await LowdbVersionedStore.open(dir, 2));
    const state = new EtagCheckedState(storage, conversationStateKey);
    const context = contextFor(new TestAdapter());
    (await state.load(context)).n = 1;
    await state.saveChanges(context);
    (await state.load(context)).n = 2;
    await state.saveChanges(context);
    expect((await state.load(contextFor(new TestAdapter()))).n).to.equal(2);
  });

  it('runs simultaneous messages of one conversation one after another, losing none', async () => {
    const t = await startTestApp();
    try {
      const alex = t.user(DEMO_USERS.alex);
      await alex.say('hello');
      const words = ['thanks', 'menu', 'help', 'password rules', 'thanks', 'menu'];
      const statuses = await Promise.all(words.map((text) => alex.post({ text })));
      expect(statuses).to.deep.equal(words.map(() => 200));
      expect(t.logs.join('\n')).not.to.contain('lost a state race');
      // Every message made it into the conversation's recent transcript, which lives in conversation state.
      const followUp = t.user({ ...DEMO_USERS.alex, conversationId: alex.conversationId });
      await followUp.say('speak to someone');
      const ticket = (await t.app.tickets.list({}))[0]!;
      const said = ticket.transcript.filter((e) => e.from === 'user').map((e) => e.text);
      for (const w of words) expect(said).to.include(w);
    } finally {
      await t.stop({ keepData: false });
    }
  });
});
