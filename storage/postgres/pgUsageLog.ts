// Usage events in PostgreSQL (table usage_events): counts of flows used, appended; never names or message text.
// Recording is off a turn's path (nobody waits for it) and happens in several turns a second, so events are
// gathered for up to FLUSH_MS and written as one statement: one round trip for many turns. The cost is that
// an instance killed outright loses the counts of its last FLUSH_MS; reading (`since`) and closing write first.
import type pg from 'pg';
import { prepared } from './pool.js';
import type { UsageEvent, UsageLog } from '../../tickets/usage.js';

const FLUSH_MS = 100;

const INSERT = `INSERT INTO usage_events (at, flow, kind, organisation_code)
  SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[])`;

export class PgUsageLog implements UsageLog {
  readonly #pool: pg.Pool;
  #pending: Array<{ event: UsageEvent; settle: (error?: Error) => void }> = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  /** Resolves once the event is written (with the others gathered meanwhile). */
  record(event: UsageEvent): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ event, settle: (error) => (error ? reject(error) : resolve()) });
      this.#timer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    });
  }

  async since(since: string): Promise<UsageEvent[]> {
    await this.flush();
    const { rows } = await this.#pool.query<{ at: Date; flow: string; kind: UsageEvent['kind']; organisation_code: string | null }>(
      'SELECT at, flow, kind, organisation_code FROM usage_events WHERE at >= $1 ORDER BY id',
      [since],
    );
    return rows.map((r) => ({ at: r.at.toISOString(), flow: r.flow, kind: r.kind, ...(r.organisation_code !== null ? { organisationCode: r.organisation_code } : {}) }));
  }

  /** Writes what has been gathered; called on its own timer, before reading, and before the pool closes. */
  async flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    const column = <T>(pick: (e: UsageEvent) => T) => batch.map((p) => pick(p.event));
    try {
      await this.#pool.query(prepared(INSERT, [column((e) => e.at), column((e) => e.flow), column((e) => e.kind), column((e) => e.organisationCode ?? null)]));
      for (const p of batch) p.settle();
    } catch (error) {
      for (const p of batch) p.settle(error as Error);
    }
  }
}
