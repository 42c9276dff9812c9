// Two instances of the bot on one database, each with its own lock pool: a conversation's turns run one at a
// time across both, a periodic job runs on one of them at a time, and a lock never outlives its turn or its
// connection. Nothing here sleeps: each test waits on the lock itself, or on a signal that it is waiting.
import { expect } from 'chai';
import { LockWaitTimeout } from '../../../core/locks.js';
import { PgLocks, type PgLocksOptions } from '../../../storage/postgres/pgLocks.js';
import { rejectionOf } from '../../contracts/subject.js';
import { usePostgres } from '../../support/postgres.js';

/** A promise and the function that settles it: a turn parked until the test lets it go. */
function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe('locks for several instances on one PostgreSQL database', () => {
  const db = usePostgres({ migrated: false });
  const waits: string[] = [];
  let waiting: ReturnType<typeof gate<string>>;
  const instance = (which: 'pool' | 'otherPool', options: PgLocksOptions = {}) =>
    new PgLocks(db()[which], {
      onWait: (conversationId) => {
        waits.push(conversationId);
        waiting.open(conversationId);
      },
      ...options,
    });

  beforeEach(() => {
    waits.length = 0;
    waiting = gate<string>();
  });

  /** Starts a turn on `locks` that holds `conversationId` until `release` opens; resolves, once it holds it, with the turn's end. */
  async function holdTurn(locks: PgLocks, conversationId: string, events: string[], release: Promise<void>): Promise<{ done: Promise<string> }> {
    const entered = gate();
    const done = locks.turns.run(conversationId, async () => {
      events.push(`first turn starts`);
      entered.open();
      await release;
      events.push(`first turn ends`);
      return 'first';
    });
    await entered.promise;
    return { done };
  }

  it('makes a turn of the same conversation on another instance wait until the first turn ends, and a different conversation not wait', async () => {
    const [one, two] = [instance('pool'), instance('otherPool')];
    const events: string[] = [];
    const release = gate();
    const { done: first } = await holdTurn(one, 'conv-a', events, release.promise);

    expect(await two.turns.run('conv-b', () => Promise.resolve('other conversation'))).to.equal('other conversation');
    expect(waits, 'a different conversation does not wait').to.deep.equal([]);

    const second = two.turns.run('conv-a', () => {
      events.push('second turn runs');
      return Promise.resolve('second');
    });
    expect(await waiting.promise).to.equal('conv-a');
    expect(events).to.deep.equal(['first turn starts']);
    release.open();
    expect(await Promise.all([first, second])).to.deep.equal(['first', 'second']);
    expect(events).to.deep.equal(['first turn starts', 'first turn ends', 'second turn runs']);
  });

  it('releases the conversation when its turn throws, so the next turn on another instance runs at once', async () => {
    const [one, two] = [instance('pool'), instance('otherPool')];
    const failed = await rejectionOf(one.turns.run('conv-a', () => Promise.reject(new Error('the dialog broke'))));
    expect((failed as Error).message).to.equal('the dialog broke');
    expect(await two.turns.run('conv-a', () => Promise.resolve('ran'))).to.equal('ran');
    expect(waits, 'nothing was left holding it').to.deep.equal([]);
  });

  it('gives up on a turn that waits longer than its limit, without running it, and takes the lock again once it is free', async () => {
    const one = instance('pool');
    const two = instance('otherPool', { turnWaitMs: 250 });
    const release = gate();
    const { done: first } = await holdTurn(one, 'conv-a', [], release.promise);

    let ran = false;
    const refused = await rejectionOf(two.turns.run('conv-a', () => Promise.resolve((ran = true))));
    expect(refused).to.be.instanceOf(LockWaitTimeout);
    expect((refused as LockWaitTimeout).conversationId).to.equal('conv-a');
    expect((refused as LockWaitTimeout).waitedMs).to.be.at.least(250);
    expect((refused as Error).message).to.match(/^Waited \d+ ms for the previous turn of conversation conv-a to finish; gave up$/);
    expect(ran, 'the refused turn did not run').to.equal(false);

    release.open();
    await first;
    expect(await two.turns.run('conv-a', () => Promise.resolve('later'))).to.equal('later');
  });

  it('frees the conversation at once when the instance holding it loses its connection, and that instance carries on', async () => {
    const errors: Error[] = [];
    const one = instance('pool', { onError: (error) => errors.push(error) });
    const two = instance('otherPool');
    const release = gate();
    const { done: first } = await holdTurn(one, 'conv-a', [], release.promise);

    // As if the instance's network went: the server ends the session that holds the lock.
    await db().otherPool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    expect(await two.turns.run('conv-a', () => Promise.resolve('elsewhere'))).to.equal('elsewhere');

    release.open();
    expect(await first, 'the turn in progress still finishes').to.equal('first');
    expect(errors.length, 'the lost connection was reported').to.be.at.least(1);
    // The broken connection was not handed out again: the instance takes locks as before.
    expect(await one.turns.run('conv-a', () => Promise.resolve('again'))).to.equal('again');
  });

  it('runs a periodic job on one instance at a time: the other skips its round meanwhile, and runs it once the first is done', async () => {
    const [one, two] = [instance('pool'), instance('otherPool')];
    const release = gate();
    const started = gate();
    const first = one.jobs.runExclusive('housekeeping', async () => {
      started.open();
      await release.promise;
      return 'tidied on one';
    });
    await started.promise;

    let ranOnTwo = 0;
    expect(await two.jobs.runExclusive('housekeeping', () => Promise.resolve(++ranOnTwo))).to.deep.equal({ ran: false });
    expect(ranOnTwo).to.equal(0);
    expect(await two.jobs.runExclusive('reminders', () => Promise.resolve('another job')), 'another job is not held up').to.deep.equal({ ran: true, value: 'another job' });

    release.open();
    expect(await first).to.deep.equal({ ran: true, value: 'tidied on one' });
    expect(await two.jobs.runExclusive('housekeeping', () => Promise.resolve(++ranOnTwo))).to.deep.equal({ ran: true, value: 1 });
  });

  it('releases a job when it throws, so the next round runs', async () => {
    const [one, two] = [instance('pool'), instance('otherPool')];
    expect(((await rejectionOf(one.jobs.runExclusive('housekeeping', () => Promise.reject(new Error('disk full'))))) as Error).message).to.equal('disk full');
    expect(await two.jobs.runExclusive('housekeeping', () => Promise.resolve('ran'))).to.deep.equal({ ran: true, value: 'ran' });
  });

  it('keeps turn locks and job locks apart, though a job and a conversation share a name', async () => {
    const [one, two] = [instance('pool'), instance('otherPool')];
    const release = gate();
    const { done: first } = await holdTurn(one, 'housekeeping', [], release.promise);
    expect(await two.jobs.runExclusive('housekeeping', () => Promise.resolve('ran'))).to.deep.equal({ ran: true, value: 'ran' });
    release.open();
    await first;
  });
});
