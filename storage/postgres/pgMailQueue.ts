// The mail queue in PostgreSQL (tables mail_queue and mail_queue_attachments, migration 003), shared by
// every instance of the bot. A claim is one statement, so one short transaction: it picks due rows with
// SELECT ... FOR UPDATE SKIP LOCKED and sets their lease before committing. A row another claim is taking
// at that moment is skipped (locked), and one it has just taken no longer matches (its lease has not ended),
// so two instances never hold the same message at once. Sent messages are deleted, not kept: what a claim
// walks (the partial index on waiting rows) never grows with the mail that has gone before.
//
// Leases are timed by the worker's clock (passed in as `now`), so instances' clocks should agree to well
// within a lease (minutes); NTP does far better.
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import {
  UnreadableMailError,
  type ClaimedMail,
  type ClaimOptions,
  type Deferral,
  type GiveUp,
  type MailQueueStore,
  type QueuedMailSummary,
  type Reschedule,
} from '../../mail/mailQueue.js';
import type { OutgoingMail } from '../../mail/transport.js';
import { inTransaction } from './pool.js';

interface ClaimRow {
  id: string;
  seq: string;
  queued_at: Date;
  next_attempt_at: Date;
  attempts: number;
  attachment_count: number;
  expires_at: Date | null;
}

interface SummaryRow {
  id: string;
  to_address: string;
  subject: string;
  status: QueuedMailSummary['status'];
  attempts: number;
  attachment_count: number;
  queued_at: Date;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  last_error: string | null;
}

export class PgMailQueue implements MailQueueStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  // The row and its attachments in one transaction: the message is queued whole or not at all.
  async enqueue(mail: OutgoingMail, at: Date): Promise<string> {
    const id = randomUUID();
    const attachments = mail.attachments ?? [];
    await inTransaction(this.#pool, async (client) => {
      await client.query(
        `INSERT INTO mail_queue (id, to_address, subject, text_body, html_body, attachment_count, status, queued_at, attempts, next_attempt_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'waiting', $7, 0, $7, $8)`,
        [id, mail.to, mail.subject, mail.text, mail.html, attachments.length, at, mail.expiresAt ?? null],
      );
      for (const [position, a] of attachments.entries()) {
        await client.query('INSERT INTO mail_queue_attachments (mail_id, position, filename, content_type, content) VALUES ($1, $2, $3, $4, $5)', [
          id,
          position,
          a.filename,
          a.contentType,
          a.content,
        ]);
      }
    });
    return id;
  }

  async claimDue({ now, leaseMs, limit }: ClaimOptions): Promise<ClaimedMail[]> {
    const lease = randomUUID();
    const { rows } = await this.#pool.query<ClaimRow>(
      `WITH due AS (
         SELECT id FROM mail_queue
         WHERE status = 'waiting' AND next_attempt_at <= $1 AND (lease_until IS NULL OR lease_until <= $1)
         ORDER BY next_attempt_at, queued_at, seq
         LIMIT $2
         FOR UPDATE SKIP LOCKED
       )
       UPDATE mail_queue AS m SET lease_token = $3, lease_until = $4
       FROM due WHERE m.id = due.id
       RETURNING m.id, m.seq, m.queued_at, m.next_attempt_at, m.attempts, m.attachment_count, m.expires_at`,
      [now, Math.max(0, limit), lease, new Date(now.getTime() + leaseMs)],
    );
    // RETURNING keeps no order: put them back in due order.
    rows.sort((a, b) => a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || a.queued_at.getTime() - b.queued_at.getTime() || Number(a.seq) - Number(b.seq));
    return rows.map((r) => ({
      id: r.id,
      lease,
      queuedAt: r.queued_at,
      attempts: r.attempts,
      attachments: r.attachment_count,
      ...(r.expires_at ? { expiresAt: r.expires_at } : {}),
    }));
  }

  async load(claim: ClaimedMail): Promise<OutgoingMail> {
    const { rows } = await this.#pool.query<{ to_address: string; subject: string; text_body: string; html_body: string; attachment_count: number }>(
      'SELECT to_address, subject, text_body, html_body, attachment_count FROM mail_queue WHERE id = $1',
      [claim.id],
    );
    const row = rows[0];
    if (!row) throw new UnreadableMailError(`mail ${claim.id} is no longer queued`);
    const mail: OutgoingMail = { to: row.to_address, subject: row.subject, text: row.text_body, html: row.html_body };
    if (row.attachment_count === 0) return mail;
    const attachments = await this.#pool.query<{ filename: string; content_type: string; content: Buffer }>(
      'SELECT filename, content_type, content FROM mail_queue_attachments WHERE mail_id = $1 ORDER BY position',
      [claim.id],
    );
    if (attachments.rows.length !== row.attachment_count) throw new UnreadableMailError(`${attachments.rows.length} of its ${row.attachment_count} attachments are stored`);
    mail.attachments = attachments.rows.map((a) => ({ filename: a.filename, contentType: a.content_type, content: a.content }));
    return mail;
  }

  // Deleted whoever holds it now: it has been delivered, which stays true. The attachments go with it (cascade).
  async markSent(claim: ClaimedMail): Promise<boolean> {
    const { rows } = await this.#pool.query<{ lease_token: string | null }>('DELETE FROM mail_queue WHERE id = $1 RETURNING lease_token', [claim.id]);
    return rows[0]?.lease_token === claim.lease;
  }

  async reschedule(claim: ClaimedMail, change: Reschedule): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE mail_queue SET attempts = $3, last_attempt_at = COALESCE($4, last_attempt_at), next_attempt_at = $5, last_error = $6,
         lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2 AND status = 'waiting'`,
      [claim.id, claim.lease, change.attempts, change.lastAttemptAt ?? null, change.nextAttemptAt, change.lastError],
    );
    return rowCount === 1;
  }

  async markFailed(claim: ClaimedMail, change: GiveUp): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE mail_queue SET status = 'failed', attempts = $3, last_attempt_at = COALESCE($4, last_attempt_at), failed_at = $5, last_error = $6,
         lease_token = NULL, lease_until = NULL
       WHERE id = $1 AND lease_token = $2 AND status = 'waiting'`,
      [claim.id, claim.lease, change.attempts, change.lastAttemptAt ?? null, change.failedAt, change.lastError],
    );
    return rowCount === 1;
  }

  // Rows another instance is claiming or deferring this moment are skipped (SKIP LOCKED), not waited for:
  // two instances deferring at once during an outage neither block nor deadlock each other.
  deferDue({ now, until, giveUpAfterMs, lastError, lease }: Deferral): Promise<number> {
    return inTransaction(this.#pool, async (client) => {
      const { rowCount } = await client.query(
        `WITH due AS (
           SELECT id FROM mail_queue
           WHERE status = 'waiting' AND next_attempt_at <= $1
             AND (lease_until IS NULL OR lease_until <= $1 OR lease_token = $5::uuid)
             AND queued_at + $3::bigint * interval '1 millisecond' > $1
           FOR UPDATE SKIP LOCKED
         )
         UPDATE mail_queue AS m SET next_attempt_at = LEAST($2::timestamptz, m.queued_at + $3::bigint * interval '1 millisecond'),
           last_error = $4, lease_token = NULL, lease_until = NULL
         FROM due WHERE m.id = due.id`,
        [now, until, giveUpAfterMs, lastError, lease ?? null],
      );
      // Those of ours past their deadline stay due, released, for the worker to give up on.
      if (lease) await client.query('UPDATE mail_queue SET lease_token = NULL, lease_until = NULL WHERE lease_token = $1', [lease]);
      return rowCount ?? 0;
    });
  }

  async release(lease: string): Promise<void> {
    await this.#pool.query('UPDATE mail_queue SET lease_token = NULL, lease_until = NULL WHERE lease_token = $1', [lease]);
  }

  async pending(): Promise<QueuedMailSummary[]> {
    const { rows } = await this.#pool.query<SummaryRow>(
      `SELECT id, to_address, subject, status, attempts, attachment_count, queued_at, next_attempt_at, last_attempt_at, last_error
       FROM mail_queue ORDER BY seq`,
    );
    return rows.map((r) => ({
      id: r.id,
      to: r.to_address,
      subject: r.subject,
      status: r.status,
      attempts: r.attempts,
      attachments: r.attachment_count,
      queuedAt: r.queued_at.toISOString(),
      nextAttemptAt: r.next_attempt_at.toISOString(),
      ...(r.last_attempt_at ? { lastAttemptAt: r.last_attempt_at.toISOString() } : {}),
      ...(r.last_error ? { lastError: r.last_error } : {}),
    }));
  }

  async counts(): Promise<{ waiting: number; failed: number }> {
    const { rows } = await this.#pool.query<{ waiting: string; failed: string }>(
      `SELECT count(*) FILTER (WHERE status = 'waiting') AS waiting, count(*) FILTER (WHERE status = 'failed') AS failed FROM mail_queue`,
    );
    return { waiting: Number(rows[0]!.waiting), failed: Number(rows[0]!.failed) };
  }

  // The earliest free waiting row (first in the due index) and the earliest end of a lease (few rows held).
  async nextDueAt(): Promise<Date | undefined> {
    const { rows } = await this.#pool.query<{ at: Date | null }>(
      `SELECT LEAST(
         (SELECT next_attempt_at FROM mail_queue WHERE status = 'waiting' AND lease_token IS NULL ORDER BY next_attempt_at, queued_at, seq LIMIT 1),
         (SELECT min(GREATEST(next_attempt_at, lease_until)) FROM mail_queue WHERE status = 'waiting' AND lease_token IS NOT NULL)
       ) AS at`,
    );
    return rows[0]?.at ?? undefined;
  }

  async retryFailed(now: Date): Promise<number> {
    const { rowCount } = await this.#pool.query(
      `UPDATE mail_queue SET status = 'waiting', queued_at = $1, next_attempt_at = $1, attempts = 0, failed_at = NULL WHERE status = 'failed'`,
      [now],
    );
    return rowCount ?? 0;
  }
}
