// A turn's lock and its first state read in one statement (turn_lock_and_read): what it reads must be what the
// conversation's previous turn committed, wherever that ran, also when this turn's statement began before that
// commit (it waited for the lock meanwhile). A plain SELECT would read from a snapshot taken as it began and
// miss that write; the function reads after the lock is taken. Nothing here sleeps: each test waits on the
// lock itself, or on a signal that a turn is waiting.
import { expect } from 'chai';
import { PgLocks, type PgLocksOptions } from '../../../storage/postgres/pgLocks.js';
import { PgStateStore } from '../../../storage/postgres/pgStateStore.js';
import type { StateReadAhead } from '../../../state/ports.js';
import { recordStatements } from '../../support/pgStatements.js';
import { usePostgres } from '../../support/postgres.js';

const CONV = 'msteams/conversations/a:1';
const USER = 'msteams/users/29:alex';

function gate<T = void>(): { promise: Promise<T>; open: (value: T) => void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

describe("a turn's lock that reads the turn's state in the same statement (PostgreSQL)", () => {
  const db = usePostgres();
  const opened: PgLocks[] = [];
  let waiting: ReturnType<typeof gate<string>>;
  const instance = (which: 'pool' | 'otherPool', options: PgLocksOptions = {}) => {
    const locks = new PgLocks(db()[which], { onWait: (id) => waiting.open(id), ...options });
    opened.push(locks);
    return locks;
  };
  /** Resolves once a session waits for an advisory lock (asking the server, as often as it takes). */
  const waitedInServer = async () => {
    for (;;) {
      const { rows } = await db().pool.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted");
      if (rows[0]!.n > 0) return;
    }
  };
  const valueOf = (read: StateReadAhead | undefined, key: string) => read?.found.get(key)?.value;

  beforeEach(async () => {
    waiting = gate<string>();
    await db().truncate();
  });
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((locks) => locks.close()));
  });

  it('hands the turn the state under its keys, leaving out those not stored, in the one statement that takes the lock', async () => {
    const store = new PgStateStore(db().pool);
    const etags = await store.write([{ key: CONV, value: { step: 1 } }]);
    const one = instance('pool');
    const recorder = recordStatements();
    let read: StateReadAhead | undefined;
    try {
      await one.turns.runReading('a:1', [CONV, USER], (r) => Promise.resolve(void (read = r)));
    } finally {
      recorder.stop();
    }
    expect(recorder.sent.filter((s) => !/pg_advisory_unlock\(hashtextextended\(\$1, 0\)\)$/.test(s))).to.have.length(1);
    expect(read?.keys).to.deep.equal([CONV, USER]);
    expect([...read!.found.keys()]).to.deep.equal([CONV]);
    expect(read!.found.get(CONV)).to.deep.include({ value: { step: 1 }, etag: etags.get(CONV) });
  });

  it('reads what the previous turn on another instance committed, though this turn began waiting for the lock before that write', async () => {
    const store = new PgStateStore(db().pool);
    await store.write([{ key: CONV, value: { step: 1 } }]);
    const [one, two] = [instance('pool', { parkMs: 0 }), instance('otherPool', { parkMs: 0 })];
    const release = gate();
    const entered = gate();
    const first = one.turns.runReading('a:1', [CONV], async (read) => {
      entered.open();
      await release.promise;
      await store.write([{ key: CONV, value: { step: 2 }, expectedEtag: read!.found.get(CONV)!.etag }]);
    });
    await entered.promise;
    let seen: StateReadAhead | undefined;
    const second = two.turns.runReading('a:1', [CONV], (read) => Promise.resolve(void (seen = read)));
    expect(await waiting.promise).to.equal('a:1');
    // The second turn's statement is under way, waiting in the server for the lock (it began before the write
    // below); now the first turn writes, commits and lets go.
    await waitedInServer();
    release.open();
    await Promise.all([first, second]);
    expect(valueOf(seen, CONV)).to.deep.equal({ step: 2 });
  });

  it('gives no read when the lock is still parked here from the conversation\'s last turn (no statement is made), so the turn reads as usual', async () => {
    const one = instance('pool', { parkMs: 60_000 });
    await one.turns.runReading('a:1', [CONV], () => Promise.resolve());
    const recorder = recordStatements();
    let read: StateReadAhead | undefined = { keys: [], found: new Map() };
    try {
      await one.turns.runReading('a:1', [CONV], (r) => Promise.resolve(void (read = r)));
    } finally {
      recorder.stop();
    }
    expect(read).to.equal(undefined);
    expect(recorder.sent).to.deep.equal([]);
  });

  it('gives up waiting after its limit without running the turn, and the lock can be taken once it is free', async () => {
    const [one, two] = [instance('pool', { parkMs: 0 }), instance('otherPool', { turnWaitMs: 50 })];
    const release = gate();
    const entered = gate();
    const first = one.turns.runReading('a:1', [CONV], async () => {
      entered.open();
      await release.promise;
    });
    await entered.promise;
    let ran = false;
    const error = await two.turns.runReading('a:1', [CONV], () => Promise.resolve(void (ran = true))).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.name).to.equal('LockWaitTimeout');
    expect(ran).to.equal(false);
    release.open();
    await first;
    expect(await two.turns.runReading('a:1', [CONV], () => Promise.resolve('after'))).to.equal('after');
  });
});
