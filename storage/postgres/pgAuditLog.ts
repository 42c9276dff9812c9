// The audit log in PostgreSQL (table audit): one appended row per event, never updated.
import type pg from 'pg';
import type { AuditEvent, AuditFilter, AuditLog } from '../../esr/ports.js';

interface AuditRow {
  at: Date;
  action: string;
  actor: AuditEvent['actor'];
  channel: AuditEvent['channel'];
  outcome: AuditEvent['outcome'];
  username: string | null;
  detail: AuditEvent['detail'] | null;
}

export class PgAuditLog implements AuditLog {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async record(event: AuditEvent): Promise<void> {
    await this.#pool.query(
      'INSERT INTO audit (at, action, actor, channel, outcome, username, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [event.at, event.action, JSON.stringify(event.actor), event.channel, event.outcome, event.username ?? null, event.detail === undefined ? null : JSON.stringify(event.detail)],
    );
  }

  /** Oldest first; with a limit, the newest `limit` events that match (still oldest first). */
  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    if (filter.username) add('username = ?', filter.username);
    if (filter.action) add('action = ?', filter.action);
    if (filter.since) add('at >= ?', filter.since);
    const matching = `SELECT id, at, action, actor, channel, outcome, username, detail FROM audit${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    let sql = `${matching} ORDER BY id`;
    if (filter.limit) {
      values.push(filter.limit);
      sql = `SELECT * FROM (${matching} ORDER BY id DESC LIMIT $${values.length}) newest ORDER BY id`;
    }
    const { rows } = await this.#pool.query<AuditRow>(sql, values);
    return rows.map((r) => ({
      at: r.at.toISOString(),
      action: r.action,
      actor: r.actor,
      channel: r.channel,
      outcome: r.outcome,
      ...(r.username !== null ? { username: r.username } : {}),
      ...(r.detail !== null ? { detail: r.detail } : {}),
    }));
  }
}
