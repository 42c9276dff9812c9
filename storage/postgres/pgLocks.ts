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
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { prepared } from './pool.js';
import { LockWaitTimeout, type ExclusiveRun, type InstanceLocks, type JobLock, type TurnLock } from '../../core/locks.js';

/**
 * How long a turn waits for its conversation's previous turn (on another instance) before it gives up: well
 * inside the ~15 s the Bot Framework Service waits for the HTTP answer, so the person hears "send it again".
 */
export const DEFAULT_TURN_WAIT_MS = 10_000;
/** PostgreSQL's SQLSTATE for "canceling statement due to lock timeout". */
const LOCK_NOT_AVAILABLE = '55P03';

export interface PgLocksOptions {
  /** How long a turn may wait for its conversation's lock, lock connection included (default 10 s). */
  turnWaitMs?: number;
  /** Told when a turn finds its conversation's lock taken (by another instance) and starts to wait. */
  onWait?: (conversationId: string) => void;
  /** Told when a lock connection fails while in use (its locks are then already released by the server). */
  onError?: (error: Error) => void;
}

export class PgLocks implements InstanceLocks {
  readonly turns: TurnLock;
  readonly jobs: JobLock;
  readonly #pool: pg.Pool;
  readonly #options: PgLocksOptions;

  /** `pool`: a pool used for nothing but these locks (see above). */
  constructor(pool: pg.Pool, options: PgLocksOptions = {}) {
    this.#pool = pool;
    this.#options = options;
    this.turns = { run: (conversationId, turn) => this.#runTurn(conversationId, turn) };
    this.jobs = { runExclusive: (name, job) => this.#runExclusive(name, job) };
  }

  async #runTurn<T>(conversationId: string, turn: () => Promise<T>): Promise<T> {
    const waitMs = this.#options.turnWaitMs ?? DEFAULT_TURN_WAIT_MS;
    const started = performance.now();
    const gaveUp = () => new LockWaitTimeout(conversationId, Math.round(performance.now() - started));
    const key = `turn:${conversationId}`;
    const connection = await this.#connect(waitMs, gaveUp);
    try {
      if (!(await connection.tryLock(key))) {
        this.#options.onWait?.(conversationId);
        if (!(await connection.waitForLock(key, waitMs - (performance.now() - started)))) throw gaveUp();
      }
      return await connection.whileLocked(key, turn);
    } finally {
      connection.release();
    }
  }

  async #runExclusive<T>(name: string, job: () => Promise<T>): Promise<ExclusiveRun<T>> {
    const key = `job:${name}`;
    const connection = await this.#connect();
    try {
      if (!(await connection.tryLock(key))) return { ran: false };
      return { ran: true, value: await connection.whileLocked(key, job) };
    } finally {
      connection.release();
    }
  }

  /** A lock connection; within `ms` if given (else `timeout()` is thrown, and one that comes later goes straight back). */
  #connect(ms?: number, timeout?: () => Error): Promise<LockConnection> {
    const connected = this.#pool.connect();
    if (ms === undefined || !timeout) return connected.then((client) => new LockConnection(client, this.#options.onError));
    return new Promise((resolve, reject) => {
      let late = false;
      const timer = setTimeout(() => {
        late = true;
        reject(timeout());
      }, ms);
      connected.then(
        (client) => {
          clearTimeout(timer);
          if (late) client.release();
          else resolve(new LockConnection(client, this.#options.onError));
        },
        (error: Error) => {
          clearTimeout(timer);
          if (!late) reject(error);
        },
      );
    });
  }
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

  /** Runs `work`, then releases the lock whether it succeeded or threw. */
  async whileLocked<T>(key: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } finally {
      // Unreleased (the connection failed): the connection is destroyed on release, which frees the lock.
      if (!this.#broken) await this.#query(prepared('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key])).catch(() => undefined);
    }
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
