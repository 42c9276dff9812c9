// Conversation and user state, and the once-marks, in PostgreSQL (tables bot_state and bot_once_marks), so any
// instance can continue any conversation. Every write is one statement on one primary key, so a turn costs the
// same however many conversations are stored; its eTag check is part of that statement (UPDATE ... WHERE etag,
// INSERT ... ON CONFLICT DO NOTHING), so of two writers from the same read, on any instances, exactly one wins
// and the other gets the EtagConflictError the embedded store raises. An entry's `at` (updated_at) is moved
// forward at most once an hour (UPDATED_AT_STEP_MS), so most writes are updates in place.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import { EtagConflictError, type VersionedEntry, type VersionedStateStore, type VersionedWrite } from '../../state/ports.js';
import { inTransaction, prepared } from './pool.js';

interface StateRow {
  key: string;
  value: Record<string, unknown>;
  etag: string;
  updated_at: Date;
}

/** Rows deleted per statement when pruning, so no prune holds many row locks or one long transaction. */
const PRUNE_BATCH = 5_000;

/**
 * How stale updated_at may be: a write moves it forward only once it is this old. So most writes change no
 * indexed column and PostgreSQL can update the row in place (a HOT update, migration 009), and pruning allows
 * for it (see pruneIdle). Idle state is kept for months; an hour is nothing to that.
 */
export const UPDATED_AT_STEP_MS = 60 * 60 * 1000;

/** updated_at as it stands unless it is UPDATED_AT_STEP_MS old or more (or ahead of the writer's clock): then $4. */
const STEPPED_UPDATED_AT = (column: string) =>
  `CASE WHEN ${column} <= $4 AND ${column} > $4 - ${UPDATED_AT_STEP_MS} * interval '1 millisecond' THEN ${column} ELSE $4 END`;
const UPSERT = `INSERT INTO bot_state AS s (key, value, etag, updated_at) VALUES ($1, $2::jsonb, $3, $4)
  ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, etag = EXCLUDED.etag, updated_at = ${STEPPED_UPDATED_AT('s.updated_at')}`;
const CREATE = `INSERT INTO bot_state (key, value, etag, updated_at) VALUES ($1, $2::jsonb, $3, $4) ON CONFLICT (key) DO NOTHING`;
const REPLACE = `UPDATE bot_state SET value = $2::jsonb, etag = $3, updated_at = ${STEPPED_UPDATED_AT('updated_at')} WHERE key = $1 AND etag = $5`;

export class PgStateStore implements VersionedStateStore {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;

  /** `now` stamps each write (updated_at) and claim, as the embedded store does: the app's clock. */
  constructor(pool: pg.Pool, now: () => Date = () => new Date()) {
    this.#pool = pool;
    this.#now = now;
  }

  async read(keys: string[]): Promise<Map<string, VersionedEntry>> {
    const found = new Map<string, VersionedEntry>();
    if (keys.length === 0) return found;
    const { rows } = await this.#pool.query<StateRow>(prepared('SELECT key, value, etag, updated_at FROM bot_state WHERE key = ANY($1::text[])', [keys]));
    for (const row of rows) found.set(row.key, { value: row.value, etag: row.etag, at: row.updated_at.toISOString() });
    return found;
  }

  async write(writes: VersionedWrite[]): Promise<Map<string, string>> {
    // JSON made before anything is sent: a value that cannot be stored stores nothing.
    const texts = writes.map((w) => jsonbText(w.value));
    const at = this.#now();
    const etags = new Map<string, string>();
    const writeOne = async (db: pg.Pool | pg.PoolClient, i: number) => {
      const w = writes[i]!;
      const etag = randomUUID();
      const unconditional = w.expectedEtag === undefined || w.expectedEtag === '*';
      const { rowCount } = unconditional
        ? await db.query(prepared(UPSERT, [w.key, texts[i], etag, at]))
        : w.expectedEtag === ''
          ? await db.query(prepared(CREATE, [w.key, texts[i], etag, at]))
          : await db.query(prepared(REPLACE, [w.key, texts[i], etag, at, w.expectedEtag]));
      if (rowCount !== 1) throw new EtagConflictError(w.key);
      etags.set(w.key, etag);
    };
    if (writes.length === 1) await writeOne(this.#pool, 0);
    else if (writes.length > 1) {
      // All or none; in key order, so two instances writing the same keys cannot deadlock.
      const order = writes.map((_, i) => i).sort((a, b) => (writes[a]!.key < writes[b]!.key ? -1 : writes[a]!.key > writes[b]!.key ? 1 : 0));
      await inTransaction(this.#pool, async (client) => {
        for (const i of order) await writeOne(client, i);
      });
    }
    return etags;
  }

  async delete(keys: string[]): Promise<void> {
    if (keys.length > 0) await this.#pool.query('DELETE FROM bot_state WHERE key = ANY($1::text[])', [keys]);
  }

  async claimOnce(key: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(prepared('INSERT INTO bot_once_marks (key, claimed_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, this.#now()]));
    return rowCount === 1;
  }

  /** updated_at may be up to UPDATED_AT_STEP_MS older than the last write, so only rows that much older go. */
  pruneIdle(before: Date): Promise<number> {
    return this.#pruneIn('bot_state', 'updated_at', new Date(before.getTime() - UPDATED_AT_STEP_MS));
  }

  pruneOnceMarks(before: Date): Promise<number> {
    return this.#pruneIn('bot_once_marks', 'claimed_at', before);
  }

  /**
   * Deletes in batches through the time index. The outer condition is checked again on a row written
   * meanwhile (by a turn on another instance), so a row that has just been written is never deleted.
   */
  async #pruneIn(table: 'bot_state' | 'bot_once_marks', column: 'updated_at' | 'claimed_at', before: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const { rowCount } = await this.#pool.query(
        `DELETE FROM ${table} WHERE key IN (SELECT key FROM ${table} WHERE ${column} < $1 LIMIT $2) AND ${column} < $1`,
        [before, PRUNE_BATCH],
      );
      total += rowCount ?? 0;
      if (!rowCount) return total;
    }
  }
}

/**
 * The value as JSON text for a jsonb column. jsonb cannot hold U+0000 or a lone surrogate (which a client could
 * send in a message, and a transcript in state would then carry); they are stored as U+FFFD, where the embedded
 * store would keep them, rather than making every later write of that conversation fail.
 */
function jsonbText(value: Record<string, unknown>): string {
  const text = JSON.stringify(value);
  if (!/\\u0000|\\ud[89a-f]/i.test(text)) return text;
  const clean = (v: string) => v.replaceAll('\u0000', '\uFFFD').replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'string' ? clean(v) : v));
}
