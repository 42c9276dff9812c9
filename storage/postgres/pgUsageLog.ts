// Usage events in PostgreSQL (table usage_events): counts of flows used, appended; never names or message text.
import type pg from 'pg';
import { prepared } from './pool.js';
import type { UsageEvent, UsageLog } from '../../tickets/usage.js';

export class PgUsageLog implements UsageLog {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async record(event: UsageEvent): Promise<void> {
    await this.#pool.query(prepared('INSERT INTO usage_events (at, flow, kind) VALUES ($1, $2, $3)', [event.at, event.flow, event.kind]));
  }

  async since(since: string): Promise<UsageEvent[]> {
    const { rows } = await this.#pool.query<{ at: Date; flow: string; kind: UsageEvent['kind'] }>(
      'SELECT at, flow, kind FROM usage_events WHERE at >= $1 ORDER BY id',
      [since],
    );
    return rows.map((r) => ({ at: r.at.toISOString(), flow: r.flow, kind: r.kind }));
  }
}
