// The Trust's content overrides in PostgreSQL (table content_overrides), shared by every instance. Each write
// takes the next number of one sequence as the row's version, so max(version) is a one-row poll for "anything
// changed?". An edit holds a transaction-scoped advisory lock on the file's name, so two agents adding a
// phrasing to the same file on two instances at once both end up in it (a row lock cannot cover a row not
// yet there).
import type pg from 'pg';
import type { SharedOverrideStore } from '../../content/sharedOverrides.js';

const UPSERT = `INSERT INTO content_overrides (name, body) VALUES ($1, $2)
  ON CONFLICT (name) DO UPDATE SET body = EXCLUDED.body, updated_at = now(), version = nextval('content_overrides_version')`;

export class PgContentOverrides implements SharedOverrideStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async version(): Promise<number> {
    const { rows } = await this.#pool.query<{ version: string }>('SELECT coalesce(max(version), 0) AS version FROM content_overrides');
    return Number(rows[0]!.version);
  }

  async all(): Promise<Array<{ name: string; body: string; version: number }>> {
    const { rows } = await this.#pool.query<{ name: string; body: string; version: string }>('SELECT name, body, version FROM content_overrides ORDER BY name');
    return rows.map((r) => ({ name: r.name, body: r.body, version: Number(r.version) }));
  }

  async addIfAbsent(name: string, body: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query('INSERT INTO content_overrides (name, body) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, body]);
    return rowCount === 1;
  }

  async edit(name: string, change: (current: string | undefined) => string): Promise<string> {
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SELECT pg_advisory_xact_lock(hashtextextended('content_overrides:' || $1, 0))", [name]);
      const { rows } = await client.query<{ body: string }>('SELECT body FROM content_overrides WHERE name = $1', [name]);
      const body = change(rows[0]?.body);
      await client.query(UPSERT, [name, body]);
      await client.query('COMMIT');
      return body;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
