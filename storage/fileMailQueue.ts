// The mail queue in DATA_DIR: mail-queue.json (lowdb) with each message's attachments as files in a folder
// beside it, so the queue file stays small. For one process: leases are kept in memory, because the only
// worker that can die holding one is this process, and a restart forgets its leases with it.
//
// The queue holds bodies, and reset emails carry secret links: its files are private (0600/0700).
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Low } from 'lowdb';
import { z } from 'zod';
import {
  UnreadableMailError,
  type ClaimedMail,
  type ClaimOptions,
  type Deferral,
  type GiveUp,
  type MailQueueStore,
  type QueuedMailSummary,
  type Reschedule,
} from '../mail/mailQueue.js';
import type { OutgoingMail } from '../mail/transport.js';
import { syncDirectory } from './atomicJsonFile.js';
import { openStore } from './openStore.js';

// The id names the attachment folder, so it is held to the shape randomUUID gives, even if the file is edited.
const attachmentSchema = z.object({
  filename: z.string(),
  contentType: z.string(),
  file: z.string().regex(/^\d+\.bin$/),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const queuedMailSchema = z.object({
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
  to: z.string(),
  subject: z.string(),
  text: z.string(),
  html: z.string(),
  attachments: z.array(attachmentSchema),
  status: z.enum(['waiting', 'failed']),
  queuedAt: z.iso.datetime(),
  attempts: z.number().int().nonnegative(),
  nextAttemptAt: z.iso.datetime(),
  lastAttemptAt: z.iso.datetime().optional(),
  lastError: z.string().optional(),
  failedAt: z.iso.datetime().optional(),
  expiresAt: z.iso.datetime().optional(),
});
const queueFileSchema = z.object({ version: z.literal(1), messages: z.array(queuedMailSchema) });
type QueueFile = z.infer<typeof queueFileSchema>;
type QueuedMail = z.infer<typeof queuedMailSchema>;

export class FileMailQueue implements MailQueueStore {
  /** The queue file (mail-queue.json). */
  readonly file: string;
  /** The folder beside it holding one sub-folder of attachment files per queued message. */
  readonly attachmentsDir: string;
  /** Attachment folders that no queued message named when the queue was opened, now removed. */
  removedOrphans = 0;
  readonly #db: Low<QueueFile>;
  /** Messages pushed into memory whose write to disk has not finished: not yet anyone's to deliver. */
  readonly #unsettled = new Set<string>();
  /** Message id → the lease holding it and when that lease ends (ms). */
  readonly #leases = new Map<string, { lease: string; until: number }>();

  private constructor(file: string, db: Low<QueueFile>) {
    this.file = file;
    this.attachmentsDir = join(dirname(file), `${basename(file, '.json')}-attachments`);
    this.#db = db;
  }

  /**
   * Opens (or creates) the queue at `file`, such as DATA_DIR/mail-queue.json, with whatever an earlier run
   * queued. A queue file that cannot be read is refused with a DataFileError and left as it is.
   */
  static async open(file: string): Promise<FileMailQueue> {
    const db = await openStore(file, queueFileSchema, () => ({ version: 1 as const, messages: [] }));
    const queue = new FileMailQueue(file, db);
    queue.removedOrphans = await queue.#removeOrphanedAttachments();
    return queue;
  }

  async enqueue(mail: OutgoingMail, at: Date): Promise<string> {
    const id = randomUUID();
    const attachments = mail.attachments && mail.attachments.length > 0 ? await this.#writeAttachments(id, mail.attachments) : [];
    const now = at.toISOString();
    const message: QueuedMail = {
      id,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      attachments,
      status: 'waiting',
      queuedAt: now,
      attempts: 0,
      nextAttemptAt: now,
      ...(mail.expiresAt ? { expiresAt: mail.expiresAt.toISOString() } : {}),
    };
    this.#unsettled.add(id);
    this.#db.data.messages.push(message);
    try {
      await this.#db.write();
    } catch (error) {
      this.#db.data.messages = this.#db.data.messages.filter((m) => m.id !== id);
      await rm(join(this.attachmentsDir, id), { recursive: true, force: true });
      throw error;
    } finally {
      this.#unsettled.delete(id);
    }
    return id;
  }

  claimDue({ now, leaseMs, limit }: ClaimOptions): Promise<ClaimedMail[]> {
    const nowMs = now.getTime();
    const due = this.#db.data.messages
      .filter((m) => m.status === 'waiting' && !this.#unsettled.has(m.id) && Date.parse(m.nextAttemptAt) <= nowMs && !this.#heldAt(m.id, nowMs))
      .sort((a, b) => Date.parse(a.nextAttemptAt) - Date.parse(b.nextAttemptAt) || Date.parse(a.queuedAt) - Date.parse(b.queuedAt))
      .slice(0, Math.max(0, limit));
    const lease = randomUUID();
    for (const m of due) this.#leases.set(m.id, { lease, until: nowMs + leaseMs });
    return Promise.resolve(
      due.map((m) => ({
        id: m.id,
        lease,
        queuedAt: new Date(m.queuedAt),
        attempts: m.attempts,
        attachments: m.attachments.length,
        ...(m.expiresAt ? { expiresAt: new Date(m.expiresAt) } : {}),
      })),
    );
  }

  async load(claim: ClaimedMail): Promise<OutgoingMail> {
    const message = this.#find(claim.id);
    if (!message) throw new UnreadableMailError(`mail ${claim.id} is no longer queued`);
    const mail: OutgoingMail = { to: message.to, subject: message.subject, text: message.text, html: message.html };
    if (message.attachments.length === 0) return mail;
    mail.attachments = [];
    for (const a of message.attachments) {
      let content: Buffer;
      try {
        content = await readFile(join(this.attachmentsDir, message.id, a.file));
      } catch (error) {
        throw new UnreadableMailError(`attachment ${a.file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`, { cause: error });
      }
      if (content.length !== a.size || sha256(content) !== a.sha256) throw new UnreadableMailError(`attachment ${a.file} is not as it was queued`);
      mail.attachments.push({ filename: a.filename, contentType: a.contentType, content });
    }
    return mail;
  }

  async markSent(claim: ClaimedMail): Promise<boolean> {
    const held = this.#holds(claim);
    const message = this.#find(claim.id);
    this.#leases.delete(claim.id);
    if (!message) return false;
    this.#db.data.messages = this.#db.data.messages.filter((m) => m.id !== claim.id);
    await this.#db.write();
    // Only once the queue no longer names the folder; a crash in between leaves an orphan swept at start-up.
    if (message.attachments.length > 0) await rm(join(this.attachmentsDir, message.id), { recursive: true, force: true });
    return held;
  }

  async reschedule(claim: ClaimedMail, change: Reschedule): Promise<boolean> {
    const message = this.#held(claim);
    if (!message) return false;
    message.attempts = change.attempts;
    if (change.lastAttemptAt) message.lastAttemptAt = change.lastAttemptAt.toISOString();
    message.nextAttemptAt = change.nextAttemptAt.toISOString();
    message.lastError = change.lastError;
    this.#leases.delete(claim.id);
    await this.#db.write();
    return true;
  }

  async markFailed(claim: ClaimedMail, change: GiveUp): Promise<boolean> {
    const message = this.#held(claim);
    if (!message) return false;
    message.status = 'failed';
    message.attempts = change.attempts;
    if (change.lastAttemptAt) message.lastAttemptAt = change.lastAttemptAt.toISOString();
    message.failedAt = change.failedAt.toISOString();
    message.lastError = change.lastError;
    this.#leases.delete(claim.id);
    await this.#db.write();
    return true;
  }

  async deferDue({ now, until, giveUpAfterMs, lastError, lease }: Deferral): Promise<number> {
    const nowMs = now.getTime();
    let count = 0;
    for (const m of this.#db.data.messages) {
      if (m.status !== 'waiting' || this.#unsettled.has(m.id) || Date.parse(m.nextAttemptAt) > nowMs) continue;
      const holder = this.#leases.get(m.id);
      const ours = holder !== undefined && lease !== undefined && holder.lease === lease;
      if (!ours && this.#heldAt(m.id, nowMs)) continue;
      if (ours) this.#leases.delete(m.id);
      const deadline = Date.parse(m.queuedAt) + giveUpAfterMs;
      if (deadline <= nowMs) continue;
      m.nextAttemptAt = new Date(Math.min(until.getTime(), deadline)).toISOString();
      m.lastError = lastError;
      count += 1;
    }
    if (count > 0) await this.#db.write();
    return count;
  }

  release(lease: string): Promise<void> {
    for (const [id, holder] of this.#leases) if (holder.lease === lease) this.#leases.delete(id);
    return Promise.resolve();
  }

  pending(): Promise<QueuedMailSummary[]> {
    return Promise.resolve(
      this.#db.data.messages.map((m) => ({
        id: m.id,
        to: m.to,
        subject: m.subject,
        status: m.status,
        attempts: m.attempts,
        attachments: m.attachments.length,
        queuedAt: m.queuedAt,
        nextAttemptAt: m.nextAttemptAt,
        ...(m.lastAttemptAt ? { lastAttemptAt: m.lastAttemptAt } : {}),
        ...(m.lastError ? { lastError: m.lastError } : {}),
      })),
    );
  }

  counts(): Promise<{ waiting: number; failed: number }> {
    let waiting = 0;
    for (const m of this.#db.data.messages) if (m.status === 'waiting') waiting += 1;
    return Promise.resolve({ waiting, failed: this.#db.data.messages.length - waiting });
  }

  nextDueAt(): Promise<Date | undefined> {
    let next: number | undefined;
    for (const m of this.#db.data.messages) {
      if (m.status !== 'waiting') continue;
      const at = Math.max(Date.parse(m.nextAttemptAt), this.#leases.get(m.id)?.until ?? 0);
      if (next === undefined || at < next) next = at;
    }
    return Promise.resolve(next === undefined ? undefined : new Date(next));
  }

  async retryFailed(now: Date): Promise<number> {
    const at = now.toISOString();
    let count = 0;
    for (const m of this.#db.data.messages) {
      if (m.status !== 'failed') continue;
      m.status = 'waiting';
      m.queuedAt = at;
      m.nextAttemptAt = at;
      m.attempts = 0;
      delete m.failedAt;
      count += 1;
    }
    if (count > 0) await this.#db.write();
    return count;
  }

  #find(id: string): QueuedMail | undefined {
    return this.#db.data.messages.find((m) => m.id === id);
  }

  #holds(claim: ClaimedMail): boolean {
    return this.#leases.get(claim.id)?.lease === claim.lease;
  }

  /** The message, if `claim`'s lease still holds it (an expired lease still holds until another claim takes it). */
  #held(claim: ClaimedMail): QueuedMail | undefined {
    return this.#holds(claim) ? this.#find(claim.id) : undefined;
  }

  #heldAt(id: string, nowMs: number): boolean {
    const holder = this.#leases.get(id);
    return holder !== undefined && holder.until > nowMs;
  }

  // Written to a hidden temp folder, each file flushed, then the folder renamed into place: a message's
  // attachments are either all there or not there at all.
  async #writeAttachments(id: string, attachments: NonNullable<OutgoingMail['attachments']>): Promise<QueuedMail['attachments']> {
    await mkdir(this.attachmentsDir, { recursive: true, mode: 0o700 });
    const temp = join(this.attachmentsDir, `.${id}.tmp`);
    const stored: QueuedMail['attachments'] = [];
    try {
      await mkdir(temp, { mode: 0o700 });
      for (const [index, a] of attachments.entries()) {
        const file = `${index}.bin`;
        const handle = await open(join(temp, file), 'wx', 0o600);
        try {
          await handle.writeFile(a.content);
          await handle.datasync();
        } finally {
          await handle.close();
        }
        stored.push({ filename: a.filename, contentType: a.contentType, file, size: a.content.length, sha256: sha256(a.content) });
      }
      await syncDirectory(temp);
      await rename(temp, join(this.attachmentsDir, id));
      await syncDirectory(this.attachmentsDir);
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
    return stored;
  }

  /** Folders left by a crash between writing attachments and the queue file, or after a delivery. */
  async #removeOrphanedAttachments(): Promise<number> {
    let entries: string[];
    try {
      entries = await readdir(this.attachmentsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const queued = new Set(this.#db.data.messages.map((m) => m.id));
    const orphans = entries.filter((name) => !queued.has(name));
    for (const name of orphans) await rm(join(this.attachmentsDir, name), { recursive: true, force: true });
    return orphans.length;
  }
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}
