// Rate-limit hits in PostgreSQL (table rate_limits), shared by every instance: a limit of 5 an hour is 5 an
// hour in total, not 5 per instance.
import type pg from 'pg';
import type { RateLimitStore } from '../../esr/rateLimiter.js';
import { inTransaction } from './pool.js';

export class PgRateLimitStore implements RateLimitStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async hits(key: string): Promise<number[]> {
    const { rows } = await this.#pool.query<{ hits: string[] }>('SELECT hits FROM rate_limits WHERE key = $1', [key]);
    return (rows[0]?.hits ?? []).map(Number);
  }

  update(key: string, change: (hits: number[]) => number[]): Promise<void> {
    return inTransaction(this.#pool, async (client) => {
      // Insert-or-touch locks the key's row, existing or new, until commit: a second caller (in this instance
      // or another) waits here and then sees the first one's hits, so both cannot pass the limit.
      const { rows } = await client.query<{ hits: string[] }>(
        `INSERT INTO rate_limits (key, hits) VALUES ($1, '{}') ON CONFLICT (key) DO UPDATE SET key = EXCLUDED.key RETURNING hits`,
        [key],
      );
      const next = change(rows[0]!.hits.map(Number));
      if (next.length === 0) await client.query('DELETE FROM rate_limits WHERE key = $1', [key]);
      else await client.query('UPDATE rate_limits SET hits = $2 WHERE key = $1', [key, next]);
    });
  }

  /** Forgets keys whose newest hit is older than `before` (ms); returns how many. */
  async prune(before: number): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM rate_limits WHERE coalesce(hits[cardinality(hits)], 0) < $1', [before]);
    return rowCount ?? 0;
  }
}
