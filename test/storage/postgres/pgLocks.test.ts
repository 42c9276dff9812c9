// Two instances of the bot on one database, each with its own lock pool: a conversation's turns run one at a
// time across both, a periodic job runs on one of them at a time, and a lock never outlives its turn or its
// connection. Nothing here sleeps: each test waits on the lock itself, or on a signal that it is waiting.
import { expect } from 'chai';
import { LockWaitTimeout } from '../../../core/locks.js';
import { PgLocks, type PgLocksOptions } from '../../../storage/postgres/pgLocks.js';
import { rejectionOf } from '../../contracts/subject.js';
import { recordStatements } from '../../support/pgStatements.js';
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
  const opened: PgLocks[] = [];
  const instance = (which: 'pool' | 'otherPool', options: PgLocksOptions = {}) => {
    const locks = new PgLocks(db()[which], {
      onWait: (conversationId) => {
        waits.push(conversationId);
        waiting.open(conversationId);
      },
      ...options,
    });
    opened.push(locks);
    return locks;
  };

  beforeEach(() => {
    waits.length = 0;
    waiting = gate<string>();
  });
  // As at shutdown: an instance lets go of the locks it keeps parked, so none outlives its test.
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((locks) => locks.close()));
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
    const reported = gate();
    const one = instance('pool', {
      onError: (error) => {
        errors.push(error);
        reported.open();
      },
    });
    const two = instance('otherPool');
    const release = gate();
    const { done: first } = await holdTurn(one, 'conv-a', [], release.promise);

    // As if the instance's network went: the server ends the session that holds the lock.
    await db().otherPool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    expect(await two.turns.run('conv-a', () => Promise.resolve('elsewhere'))).to.equal('elsewhere');

    release.open();
    expect(await first, 'the turn in progress still finishes').to.equal('first');
    // The server's message that it ended the session is read whenever the socket is next read, which may come
    // after the turn ends (CI once got there first): wait for it rather than expect it to be in already.
    await reported.promise;
    expect(errors.length, 'the lost connection was reported').to.be.at.least(1);
    // The broken connection was not handed out again: the instance takes locks as before.
    expect(await one.turns.run('conv-a', () => Promise.resolve('again'))).to.equal('again');
  });

  it("keeps a finished turn's lock parked on its connection, so the conversation's next turn here takes it with no statement", async () => {
    const one = instance('pool', { parkMs: 60_000 });
    const two = instance('otherPool');
    // Counts the statements about advisory locks this process sends while `run` runs.
    const lockStatements = async (run: () => Promise<unknown>) => {
      const recorder = recordStatements((text) => text.includes('advisory'));
      try {
        await run();
      } finally {
        recorder.stop();
      }
      return recorder.sent.length;
    };
    expect(await lockStatements(() => one.turns.run('conv-a', () => Promise.resolve()))).to.equal(1);
    expect(await lockStatements(() => one.turns.run('conv-a', () => Promise.resolve())), 'the same conversation again: already held').to.equal(0);
    expect(await lockStatements(() => one.turns.run('conv-b', () => Promise.resolve())), "another conversation: conv-a's lock let go of and conv-b's taken in one").to.equal(1);

    // Meanwhile conv-b's lock is still held here, parked: a turn of it on another instance waits, until the instance lets go.
    const elsewhere = two.turns.run('conv-b', () => Promise.resolve('elsewhere'));
    expect(await waiting.promise).to.equal('conv-b');
    await one.close();
    expect(await elsewhere).to.equal('elsewhere');
    // conv-a was let go of when conv-b was taken: no wait.
    expect(await two.turns.run('conv-a', () => Promise.resolve('free'))).to.equal('free');
    expect(waits).to.deep.equal(['conv-b']);
  });

  it("takes a conversation's lock anew when the connection it was parked on lost its session meanwhile", async () => {
    const reported = gate();
    const one = instance('pool', { parkMs: 60_000, onError: () => reported.open() });
    const two = instance('otherPool');
    await one.turns.run('conv-a', () => Promise.resolve());
    // The session holding the parked lock ends (the server lets go of the lock with it).
    await db().otherPool.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`);
    await reported.promise;
    // The next turn here must hold the lock for real, so a turn of the conversation elsewhere waits for it.
    const release = gate();
    const events: string[] = [];
    const { done: first } = await holdTurn(one, 'conv-a', events, release.promise);
    const elsewhere = two.turns.run('conv-a', () => Promise.resolve('elsewhere'));
    expect(await waiting.promise).to.equal('conv-a');
    release.open();
    expect(await first).to.equal('first');
    await one.close(); // lets go of the lock the finished turn parked
    expect(await elsewhere).to.equal('elsewhere');
  });

  it('lets go of a parked lock by itself when no turn comes within the park time', async () => {
    const one = instance('pool', { parkMs: 30 });
    const two = instance('otherPool');
    await one.turns.run('conv-a', () => Promise.resolve());
    expect(await two.turns.run('conv-a', () => Promise.resolve('after the park time'))).to.equal('after the park time');
  });

  it('hands a finished turn\'s connection to a turn waiting for one when every lock connection is busy', async () => {
    const one = instance('pool');
    const busy = Number((db().pool.options as { max?: number }).max ?? 10);
    const releases = Array.from({ length: busy }, () => gate());
    const held = await Promise.all(releases.map((r, i) => holdTurn(one, `busy-${i}`, [], r.promise)));
    let ran = false;
    const queued = one.turns.run('conv-queued', () => Promise.resolve((ran = true)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran, 'no connection free yet').to.equal(false);
    releases[0]!.open();
    await held[0]!.done;
    await queued;
    expect(ran).to.equal(true);
    releases.slice(1).forEach((r) => r.open());
    await Promise.all(held.map((h) => h.done));
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
