// Requests sent to the Trust's ESR automation, in PostgreSQL (table automation_requests), so a callback
// reaching any instance finds the request another instance sent. Finishing is one conditional UPDATE: of two
// callbacks (or a callback and the watchdog) on any instances, exactly one moves the request out of pending.
import type pg from 'pg';
import type { AutomationRequestRecord, AutomationRequestStatus, AutomationRequestStore, FinishResult } from '../../esr/automation/ports.js';

interface Row {
  id: string;
  action: AutomationRequestRecord['action'];
  username: string;
  requested_at: Date;
  sent_at: Date;
  status: AutomationRequestStatus;
  finished_at: Date | null;
  message: string | null;
}

const COLUMNS = 'id, action, username, requested_at, sent_at, status, finished_at, message';

function asRecord(r: Row): AutomationRequestRecord {
  return {
    id: r.id,
    action: r.action,
    username: r.username,
    requestedAt: r.requested_at.toISOString(),
    sentAt: r.sent_at.toISOString(),
    status: r.status,
    ...(r.finished_at ? { finishedAt: r.finished_at.toISOString() } : {}),
    ...(r.message !== null ? { message: r.message } : {}),
  };
}

export class PgAutomationRequestStore implements AutomationRequestStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async begin(request: Pick<AutomationRequestRecord, 'id' | 'action' | 'username' | 'requestedAt' | 'sentAt'>): Promise<void> {
    // Sent again: pending again from the new sentAt, keeping when it was first requested.
    await this.#pool.query(
      `INSERT INTO automation_requests (id, action, username, requested_at, sent_at, status) VALUES ($1, $2, $3, $4, $5, 'pending')
       ON CONFLICT (id) DO UPDATE SET action = EXCLUDED.action, username = EXCLUDED.username, sent_at = EXCLUDED.sent_at,
         status = 'pending', finished_at = NULL, message = NULL`,
      [request.id, request.action, request.username, request.requestedAt, request.sentAt],
    );
  }

  async get(id: string): Promise<AutomationRequestRecord | undefined> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM automation_requests WHERE id = $1`, [id]);
    return rows[0] ? asRecord(rows[0]) : undefined;
  }

  async finish(id: string, status: Exclude<AutomationRequestStatus, 'pending'>, at: string, message?: string): Promise<FinishResult> {
    // A second UPDATE of the same row waits for the first to commit, then re-reads the row and no longer
    // finds it pending: the check and the change are one step, whichever instance runs them.
    const { rowCount } = await this.#pool.query(
      `UPDATE automation_requests SET status = $2, finished_at = $3, message = coalesce($4, message) WHERE id = $1 AND status = 'pending'`,
      [id, status, at, message ?? null],
    );
    if (rowCount === 1) return 'finished';
    const { rows } = await this.#pool.query('SELECT 1 FROM automation_requests WHERE id = $1', [id]);
    return rows.length > 0 ? 'already_finished' : 'unknown';
  }

  async pendingSentBefore(before: Date): Promise<AutomationRequestRecord[]> {
    const { rows } = await this.#pool.query<Row>(`SELECT ${COLUMNS} FROM automation_requests WHERE status = 'pending' AND sent_at < $1 ORDER BY sent_at, id`, [before]);
    return rows.map(asRecord);
  }

  async pruneFinished(before: Date): Promise<number> {
    const { rowCount } = await this.#pool.query(`DELETE FROM automation_requests WHERE status <> 'pending' AND finished_at < $1`, [before]);
    return rowCount ?? 0;
  }
}
