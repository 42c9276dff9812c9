// The locks that let several instances of the bot share one PostgreSQL database: session advisory locks keyed
// by a 64-bit hash of a name (hashtextextended), "turn:<conversation id>" for a conversation's turns and
// "job:<name>" for a periodic job. Nothing is written: a lock lives in its session, so an instance that
// crashes or loses its connection mid-turn frees the conversation at once, server-side.
//
// The locks are held on connections from a pool of their own, never the main pool. A turn holds its lock for
// the whole turn and, meanwhile, needs main-pool connections for its own reads and writes. Were the locks
// taken on main-pool connections, a burst of turns waiting for one busy conversation could hold every main
// connection, and the turn holding the lock could then never get one to finish: every turn stuck until the
// wait limit. With their own pool, waiting turns use up lock connections only; the work never waits on them.
// So the lock pool's size is how many turns one instance runs at once; more wait for a lock connection
// (within the same limit).
//
// Each statement is a round trip, and on a busy server round trips are most of a turn's cost. So a turn's lock
// is not let go of at once: its connection is parked still holding it, for PARK_MS. The conversation's next
// turn here (often close behind) finds it held already: no statement at all; any other turn takes the parked
// connection and lets go of the old lock while taking its own, in one statement. Only an idle instance lets go
// by itself, when the park time runs out; meanwhile a turn of that conversation on another instance waits, as it
// would behind a running turn.
//
// A turn that says which state it reads first (`runReading`) gets it read in the lock's own statement
// (turn_lock_and_read, migration 008), so taking the lock and loading the state cost one round trip, not two.
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { prepared } from './pool.js';
import { LockWaitTimeout, type ExclusiveRun, type InstanceLocks, type JobLock, type TurnLock } from '../../core/locks.js';
import type { ReadingTurnLock, StateReadAhead, VersionedEntry } from '../../state/ports.js';

/**
 * How long a turn waits for its conversation's previous turn (on another instance) before it gives up: well
 * inside the ~15 s the Bot Framework Service waits for the HTTP answer, so the person hears "send it again".
 */
export const DEFAULT_TURN_WAIT_MS = 10_000;
/** How long a finished turn's connection keeps its lock, for the next turn here to take over (see above). */
export const PARK_MS = 20;
/** PostgreSQL's SQLSTATE for "canceling statement due to lock timeout". */
const LOCK_NOT_AVAILABLE = '55P03';

export interface PgLocksOptions {
  /** How long a turn may wait for its conversation's lock, lock connection included (default 10 s). */
  turnWaitMs?: number;
  /** Told when a turn finds its conversation's lock taken (by another instance) and starts to wait. */
  onWait?: (conversationId: string) => void;
  /** Told when a lock connection fails while in use (its locks are then already released by the server). */
  onError?: (error: Error) => void;
  /** How long a finished turn's lock stays with its connection (default PARK_MS; 0: let go at once). */
  parkMs?: number;
}

/** A checked-out lock connection between turns, still holding the lock of the turn it last ran. */
interface Parked {
  connection: LockConnection;
  key: string;
  timer: NodeJS.Timeout;
}

/** A lock connection, whether it holds the lock it was got for (else it is to wait on), and what it read meanwhile. */
interface Acquired {
  connection: LockConnection;
  got: boolean;
  read: StateReadAhead | undefined;
}

/** A turn or job waiting for a lock connection while every one is busy. */
interface Waiter {
  /** False if the waiter has given up meanwhile (the caller then keeps the connection). */
  take(connection: LockConnection, held: string): boolean;
  fail(error: Error): void;
}

/** Gives up on a lock connection after this long when none was given (jobs): one stuck that long is a fault. */
const JOB_CONNECTION_WAIT_MS = 60_000;

export class PgLocks implements InstanceLocks {
  readonly turns: TurnLock & ReadingTurnLock;
  readonly jobs: JobLock;
  readonly #pool: pg.Pool;
  readonly #options: PgLocksOptions;
  readonly #max: number;
  /** Lock connections checked out of the pool (running, parked or being handed over). */
  #open = 0;
  /** Parked connections by the lock they hold, oldest first. */
  readonly #parked = new Map<string, Parked>();
  readonly #waiters: Waiter[] = [];
  #closed = false;

  /** `pool`: a pool used for nothing but these locks (see above); its size is how many turns run at once. */
  constructor(pool: pg.Pool, options: PgLocksOptions = {}) {
    this.#pool = pool;
    this.#options = options;
    this.#max = (pool.options as { max?: number }).max ?? 10;
    this.turns = {
      run: (conversationId, turn) => this.#runTurn(conversationId, undefined, turn),
      runReading: (conversationId, keys, turn) => this.#runTurn(conversationId, keys, turn),
    };
    this.jobs = { runExclusive: (name, job) => this.#runExclusive(name, job) };
  }

  /** Lets go of every parked lock and its connection; call before ending the pool. */
  async close(): Promise<void> {
    this.#closed = true;
    const parked = [...this.#parked.values()];
    this.#parked.clear();
    await Promise.all(parked.map((p) => (clearTimeout(p.timer), this.#letGo(p.connection, p.key))));
  }

  /** `keys`: the state the turn reads first, read in the lock's statement whenever one is made. */
  async #runTurn<T>(conversationId: string, keys: string[] | undefined, turn: (read: StateReadAhead | undefined) => Promise<T>): Promise<T> {
    const waitMs = this.#options.turnWaitMs ?? DEFAULT_TURN_WAIT_MS;
    const started = performance.now();
    const gaveUp = () => new LockWaitTimeout(conversationId, Math.round(performance.now() - started));
    const key = `turn:${conversationId}`;
    const acquired = await this.#acquire(key, waitMs, gaveUp, keys);
    const { connection } = acquired;
    let read = acquired.read;
    let value: T;
    try {
      if (!acquired.got) {
        this.#options.onWait?.(conversationId);
        const left = waitMs - (performance.now() - started);
        const waited = keys ? await connection.lockAndRead('', key, keys, left) : { got: await connection.waitForLock(key, left), read: undefined };
        if (!waited.got) {
          this.#free(connection, '');
          throw gaveUp();
        }
        read = waited.read;
      }
      value = await turn(read);
    } catch (error) {
      // Let go at once: a turn that failed is often sent again straight away, maybe to another instance.
      if (!(error instanceof LockWaitTimeout)) await this.#letGo(connection, key);
      throw error;
    }
    this.#free(connection, key, { park: true });
    return value;
  }

  async #runExclusive<T>(name: string, job: () => Promise<T>): Promise<ExclusiveRun<T>> {
    const key = `job:${name}`;
    const { connection, got } = await this.#acquire(key, JOB_CONNECTION_WAIT_MS, () => new Error(`No lock connection came free in ${JOB_CONNECTION_WAIT_MS} ms for the job ${name}`), undefined);
    if (!got) {
      this.#free(connection, '');
      return { ran: false };
    }
    try {
      return { ran: true, value: await job() };
    } finally {
      await this.#letGo(connection, key);
    }
  }

  /**
   * A connection holding `key`'s lock if it could be taken without waiting (`got`), else one to wait on. In
   * order: the connection parked with this very lock; a parked one (its lock let go of in the same statement);
   * a new one from the pool; with all of them busy, the first one a finishing turn hands over. With `keys`, a
   * statement made to take the lock also reads them (`read`); the parked lock taken over needs none.
   */
  async #acquire(key: string, waitMs: number, timeout: () => Error, keys: string[] | undefined): Promise<Acquired> {
    const mine = this.#unpark(key);
    if (mine) return { connection: mine, got: true, read: undefined };
    const oldest = this.#parked.values().next().value;
    const switchable = oldest && this.#unpark(oldest.key);
    if (oldest && switchable) return this.#switch(switchable, oldest.key, key, keys);
    if (this.#open < this.#max) {
      const connection = await this.#connect(waitMs, timeout);
      return this.#switch(connection, '', key, keys);
    }
    const handed = await new Promise<{ connection: LockConnection; held: string }>((resolve, reject) => {
      let settled = false;
      const waiter: Waiter = {
        take: (connection, held) => {
          if (settled) return false;
          settled = true;
          clearTimeout(timer);
          resolve({ connection, held });
          return true;
        },
        fail: (error) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        const at = this.#waiters.indexOf(waiter);
        if (at >= 0) this.#waiters.splice(at, 1);
        waiter.fail(timeout());
      }, waitMs);
      this.#waiters.push(waiter);
    });
    return this.#switch(handed.connection, handed.held, key, keys);
  }

  /** Takes `key` on `connection` if it is free, letting go of `held` (if any) and reading `keys` in the same statement. */
  async #switch(connection: LockConnection, held: string, key: string, keys: string[] | undefined): Promise<Acquired> {
    try {
      if (keys) return { connection, ...(await connection.lockAndRead(held, key, keys, 0)) };
      return { connection, got: await connection.switchLock(held, key), read: undefined };
    } catch (error) {
      this.#free(connection, ''); // broken: destroyed, which lets go of both locks server-side
      throw error;
    }
  }

  /**
   * A connection its user is done with, still holding `held` (or ''): to a waiting turn first; else, after a
   * turn (`park`), parked with its lock; else back to the pool once its lock is let go of.
   */
  #free(connection: LockConnection, held: string, options: { park?: boolean } = {}): void {
    if (connection.broken) {
      this.#release(connection);
      return;
    }
    while (this.#waiters.length > 0) if (this.#waiters.shift()!.take(connection, held)) return;
    const parkMs = this.#options.parkMs ?? PARK_MS;
    if (held && options.park && !this.#closed && parkMs > 0) {
      const timer = setTimeout(() => {
        if (this.#parked.get(held)?.connection !== connection) return;
        this.#parked.delete(held);
        void this.#letGo(connection, held);
      }, parkMs);
      timer.unref(); // an instance may exit meanwhile: its session ends, and the lock with it
      this.#parked.set(held, { connection, key: held, timer });
      return;
    }
    if (held) void this.#letGo(connection, held);
    else this.#release(connection);
  }

  /** Lets go of the lock, then frees the connection (to a waiting turn, or the pool). */
  async #letGo(connection: LockConnection, key: string): Promise<void> {
    await connection.unlock(key);
    this.#free(connection, '');
  }

  /** Back to the pool (destroyed if broken); a turn waiting for a connection may now open one. */
  #release(connection: LockConnection): void {
    connection.release();
    this.#open -= 1;
    const waiter = this.#waiters.shift();
    if (!waiter) return;
    this.#connect().then(
      (fresh) => {
        if (!waiter.take(fresh, '')) this.#free(fresh, '');
      },
      (error: Error) => waiter.fail(error),
    );
  }

  /**
   * The connection parked with `key`'s lock, taken out of the park. One whose session was lost meanwhile holds no
   * lock any more (the server let go of it): it is destroyed, and undefined returned, so the lock is taken anew.
   */
  #unpark(key: string): LockConnection | undefined {
    const parked = this.#parked.get(key);
    if (!parked) return undefined;
    clearTimeout(parked.timer);
    this.#parked.delete(key);
    if (parked.connection.broken) {
      this.#release(parked.connection);
      return undefined;
    }
    return parked.connection;
  }

  /** A lock connection from the pool, counted; within `ms` if given (else `timeout()` is thrown, and one that comes later goes back). */
  #connect(ms?: number, timeout?: () => Error): Promise<LockConnection> {
    this.#open += 1;
    const connected = this.#pool.connect();
    const wrap = (client: pg.PoolClient) => new LockConnection(client, this.#options.onError);
    if (ms === undefined || !timeout) {
      return connected.then(wrap, (error: Error) => {
        this.#open -= 1;
        throw error;
      });
    }
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(timeout());
      }, ms);
      connected.then(
        (client) => {
          clearTimeout(timer);
          if (late) this.#release(wrap(client));
          else resolve(wrap(client));
        },
        (error: Error) => {
          clearTimeout(timer);
          this.#open -= 1;
          if (!late) reject(error);
        },
      );
    });
  }
}

interface LockAndReadRow {
  got: boolean;
  state_key: string | null;
  state_value: Record<string, unknown> | null;
  state_etag: string | null;
  state_at: Date | null;
}

/**
 * One checked-out lock connection. A query that fails (other than a lock wait running out) marks it broken,
 * and a broken connection is destroyed on release rather than reused: its session ends, and with it any lock
 * it might still hold.
 */
class LockConnection {
  readonly #client: pg.PoolClient;
  readonly #onError: ((error: Error) => void) | undefined;
  readonly #listener: (error: Error) => void;
  #broken: Error | undefined;

  constructor(client: pg.PoolClient, onError?: (error: Error) => void) {
    this.#client = client;
    this.#onError = onError;
    // A checked-out client that loses its connection emits 'error'; unheard, that would end the process.
    this.#listener = (error) => this.#fail(error);
    client.on('error', this.#listener);
  }

  /** Takes the lock if it is free; never waits. */
  async tryLock(key: string): Promise<boolean> {
    const { rows } = await this.#query<{ got: boolean }>(prepared('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS got', [key]));
    return rows[0]!.got;
  }

  /** Waits up to `ms` for the lock; false when the time ran out (the lock not taken). */
  async waitForLock(key: string, ms: number): Promise<boolean> {
    // The wait is PostgreSQL's own, ended by lock_timeout: nothing polls.
    await this.#query(prepared("SELECT set_config('lock_timeout', $1, false)", [`${Math.max(1, Math.round(ms))}ms`]));
    try {
      await this.#client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [key]);
      return true;
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return false;
      this.#fail(error as Error);
      throw error;
    }
  }

  /** Lets go of `held` and tries to take `key`, in one statement; true when `key` was taken. */
  async switchLock(held: string, key: string): Promise<boolean> {
    if (!held) return this.tryLock(key);
    const { rows } = await this.#query<{ got: boolean }>(prepared('SELECT pg_advisory_unlock(hashtextextended($1, 0)), pg_try_advisory_lock(hashtextextended($2, 0)) AS got', [held, key]));
    return rows[0]!.got;
  }

  /**
   * Lets go of `held` (if any) and takes `key`, at once or, with `waitMs` > 0, waiting up to that long, then
   * reads the state under `keys`, after the lock was taken: all in one statement (migration 008 says how).
   * `got` false: the lock was not free, or the wait ran out; nothing read.
   */
  async lockAndRead(held: string, key: string, keys: string[], waitMs: number): Promise<{ got: boolean; read: StateReadAhead | undefined }> {
    let rows: LockAndReadRow[];
    try {
      ({ rows } = await this.#client.query<LockAndReadRow>(prepared('SELECT got, state_key, state_value, state_etag, state_at FROM turn_lock_and_read($1, $2, $3::text[], $4)', [held, key, keys, Math.max(0, Math.ceil(waitMs))])));
    } catch (error) {
      if (waitMs > 0 && (error as { code?: string }).code === LOCK_NOT_AVAILABLE) return { got: false, read: undefined };
      this.#fail(error as Error);
      throw error;
    }
    if (!rows[0]?.got) return { got: false, read: undefined };
    const found = new Map<string, VersionedEntry>();
    for (const row of rows) if (row.state_key !== null) found.set(row.state_key, { value: row.state_value!, etag: row.state_etag!, at: row.state_at!.toISOString() });
    return { got: true, read: { keys, found } };
  }

  /** Lets go of the lock; a failure leaves the connection broken (destroyed on release, which frees the lock). */
  async unlock(key: string): Promise<void> {
    if (!this.#broken) await this.#query(prepared('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])).catch(() => undefined);
  }

  get broken(): boolean {
    return this.#broken !== undefined;
  }

  release(): void {
    this.#client.removeListener('error', this.#listener);
    this.#client.release(this.#broken ?? false);
  }

  async #query<R extends pg.QueryResultRow>(query: pg.QueryConfig): Promise<pg.QueryResult<R>> {
    try {
      return await this.#client.query<R>(query);
    } catch (error) {
      this.#fail(error as Error);
      throw error;
    }
  }

  #fail(error: Error): void {
    if (this.#broken) return;
    this.#broken = error;
    this.#onError?.(error);
  }
}
