// What the bot could not answer, in PostgreSQL (table unanswered_events): redacted texts, appended, shared
// by every instance so the dashboard counts what all of them missed.
import type pg from 'pg';
import type { MissedEvent, MissedKind, MissedLog } from '../../understanding/missed.js';

export class PgMissedLog implements MissedLog {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async record(event: MissedEvent): Promise<void> {
    await this.#pool.query('INSERT INTO unanswered_events (at, kind, key, text, choice) VALUES ($1, $2, $3, $4, $5)', [event.at, event.kind, event.key, event.text, event.choice ?? null]);
  }

  async since(since: string): Promise<MissedEvent[]> {
    // '' means from the beginning, as it does for the JSON Lines file (a string compare there).
    const { rows } = await this.#pool.query<{ at: Date; kind: MissedKind; key: string; text: string; choice: string | null }>(
      `SELECT at, kind, key, text, choice FROM unanswered_events ${since ? 'WHERE at >= $1 ' : ''}ORDER BY id`,
      since ? [since] : [],
    );
    return rows.map((r) => ({ at: r.at.toISOString(), kind: r.kind, key: r.key, text: r.text, ...(r.choice !== null ? { choice: r.choice } : {}) }));
  }
}
