// A durable outbox in front of a MailTransport, so no email is lost while the mail server is down.
// `send` writes the message to disk first (mail-queue.json, with attachments as files in a folder beside
// it) and returns once it is safely queued; a worker then delivers it through the inner transport, retrying
// with backoff for up to 72 hours, after which the message is marked failed and kept, never dropped.
// Time and timers come in through seams (Clock, Scheduler) so tests drive every retry without waiting.
//
// The queue holds bodies, and reset emails carry secret links: its files are private (0600/0700), and
// nothing that is logged or listed by `pending()` contains a body or a link.
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Low } from 'lowdb';
import { z } from 'zod';
import { MINUTE, HOUR, systemClock, type Clock } from '../esr/clock.js';
import { openStore } from '../storage/openStore.js';
import type { MailTransport, OutgoingMail } from './transport.js';
import { syncDirectory } from '../storage/atomicJsonFile.js';

/** Runs a callback later. Production uses unref'd timers; tests use one they fire by hand. */
export interface Scheduler {
  /** Calls `fn` once after `ms`; returns a function that cancels the call. */
  schedule(ms: number, fn: () => void): () => void;
}

export const timerScheduler: Scheduler = {
  schedule(ms, fn) {
    const timer = setTimeout(fn, ms);
    timer.unref();
    return () => clearTimeout(timer);
  },
};

/** The part of a pino logger the outbox uses. */
export interface OutboxLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface MailOutboxOptions {
  clock?: Clock;
  scheduler?: Scheduler;
  logger?: OutboxLogger;
  /** Waits after the 1st, 2nd... failed attempt; the last one repeats. Default 30 s, 1, 2, 5, then every 15 min. */
  retryDelaysMs?: readonly number[];
  /** How long after queueing a message is given up on and marked failed. Default 72 hours. */
  giveUpAfterMs?: number;
  /** The worker (start()) looks at the queue at least this often. Default 1 minute. */
  pollMs?: number;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [30_000, MINUTE, 2 * MINUTE, 5 * MINUTE, 15 * MINUTE];
export const DEFAULT_GIVE_UP_AFTER_MS = 72 * HOUR;
const DEFAULT_POLL_MS = MINUTE;
/** The worker never runs passes closer together than this, unless new mail arrives. */
const MIN_WORKER_DELAY_MS = 1_000;

export type QueuedMailStatus = 'waiting' | 'failed';

/** What `pending()` tells about a queued message: never its body, links or attachment contents. */
export interface QueuedMailSummary {
  id: string;
  to: string;
  subject: string;
  status: QueuedMailStatus;
  attempts: number;
  attachments: number;
  queuedAt: string;
  nextAttemptAt: string;
  lastAttemptAt?: string;
  lastError?: string;
}

export interface DeliveryReport {
  /** Delivered in this pass. */
  sent: number;
  /** Given up on in this pass (kept in the queue, marked failed). */
  failed: number;
  /** Still waiting for a later attempt after this pass. */
  waiting: number;
}

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

export class MailOutbox implements MailTransport {
  /** The queue file (mail-queue.json). */
  readonly file: string;
  /** The folder beside it holding one sub-folder of attachment files per queued message. */
  readonly attachmentsDir: string;
  readonly #db: Low<QueueFile>;
  readonly #inner: MailTransport;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #logger: OutboxLogger | undefined;
  readonly #retryDelaysMs: readonly number[];
  readonly #giveUpAfterMs: number;
  readonly #pollMs: number;
  /** Messages pushed into memory whose write to disk has not finished: not yet theirs to deliver. */
  readonly #unsettled = new Set<string>();
  /** The delivery pass in progress (passes never overlap, so no message is sent twice at once). */
  #pass: Promise<unknown> = Promise.resolve();
  #running = false;
  #ticking = false;
  #again = false;
  #cancelTimer: (() => void) | undefined;

  private constructor(file: string, db: Low<QueueFile>, inner: MailTransport, options: MailOutboxOptions) {
    this.file = file;
    this.attachmentsDir = join(dirname(file), `${basename(file, '.json')}-attachments`);
    this.#db = db;
    this.#inner = inner;
    this.#clock = options.clock ?? systemClock;
    this.#scheduler = options.scheduler ?? timerScheduler;
    this.#logger = options.logger;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    if (this.#retryDelaysMs.length === 0 || this.#retryDelaysMs.some((ms) => !(ms > 0))) throw new Error('retryDelaysMs must be a non-empty list of positive delays');
    if (!(this.#giveUpAfterMs > 0) || !(this.#pollMs > 0)) throw new Error('giveUpAfterMs and pollMs must be positive');
  }

  /**
   * Opens (or creates) the queue at `file`, such as DATA_DIR/mail-queue.json, picking up whatever an earlier
   * run queued. A queue file that cannot be read is refused with a DataFileError and left as it is.
   */
  static async open(file: string, inner: MailTransport, options: MailOutboxOptions = {}): Promise<MailOutbox> {
    const db = await openStore(file, queueFileSchema, () => ({ version: 1 as const, messages: [] }));
    const outbox = new MailOutbox(file, db, inner, options);
    await outbox.#removeOrphanedAttachments();
    return outbox;
  }

  /** Where mail finally goes: the inner transport's description. */
  get description(): string {
    return this.#inner.description;
  }

  /** Queues the message durably and returns; it is delivered later. Throws only if it could not be queued. */
  async send(mail: OutgoingMail): Promise<void> {
    const id = randomUUID();
    const attachments = mail.attachments && mail.attachments.length > 0 ? await this.#writeAttachments(id, mail.attachments) : [];
    const now = this.#clock.now().toISOString();
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
    this.#kick();
  }

  /**
   * Tries every waiting message whose next attempt is due, oldest first. When the server cannot be reached
   * at all, the other due messages are not tried in this pass (they wait as long as the one that failed),
   * so an outage costs one connection timeout per pass, not one per message.
   */
  deliverDue(): Promise<DeliveryReport> {
    const pass = this.#pass.then(() => this.#deliverDueNow());
    this.#pass = pass.catch(() => undefined);
    return pass;
  }

  /** The queued messages, for logs and health checks: who, what subject, how it is going; never the body. */
  pending(): QueuedMailSummary[] {
    return this.#db.data.messages.map((m) => ({
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
    }));
  }

  /** Puts failed messages back in the queue with a fresh 72 hours (after the cause is fixed). Returns how many. */
  async retryFailed(): Promise<number> {
    const now = this.#clock.now().toISOString();
    let count = 0;
    for (const m of this.#db.data.messages) {
      if (m.status !== 'failed') continue;
      m.status = 'waiting';
      m.queuedAt = now;
      m.nextAttemptAt = now;
      m.attempts = 0;
      delete m.failedAt;
      count += 1;
    }
    if (count > 0) {
      await this.#db.write();
      this.#kick();
    }
    return count;
  }

  /** Starts delivering on a timer: at once, whenever mail is queued, and when retries fall due. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#scheduleTick(0);
  }

  /** Stops the timer and resolves when any pass in progress has finished. Queued mail stays queued. */
  async stop(): Promise<void> {
    this.#running = false;
    this.#again = false;
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    await this.idle();
  }

  /** Resolves when the delivery pass in progress, if any, has finished. */
  async idle(): Promise<void> {
    await this.#pass;
  }

  /** Stops the worker and closes the inner transport once any pass in progress has finished. */
  close(): void {
    void this.stop().then(() => this.#inner.close());
  }

  async #deliverDueNow(): Promise<DeliveryReport> {
    const nowMs = this.#clock.now().getTime();
    const due = this.#db.data.messages
      .filter((m) => m.status === 'waiting' && !this.#unsettled.has(m.id) && Date.parse(m.nextAttemptAt) <= nowMs)
      .sort((a, b) => Date.parse(a.nextAttemptAt) - Date.parse(b.nextAttemptAt) || Date.parse(a.queuedAt) - Date.parse(b.queuedAt));
    let sent = 0;
    let failed = 0;
    let unreachable: { error: string; retryAt: number } | undefined;
    for (const message of due) {
      const at = this.#clock.now();
      if (unreachable) {
        if (this.#defer(message, at, unreachable) === 'failed') failed += 1;
        continue;
      }
      // A reset or unlock email whose link has expired while it waited is kept as failed, not sent uselessly.
      if (message.expiresAt && Date.parse(message.expiresAt) <= at.getTime()) {
        this.#giveUp(message, at, 'expired before it could be sent (the link in it no longer works)');
        failed += 1;
        await this.#db.write();
        continue;
      }
      let mail: OutgoingMail;
      try {
        mail = await this.#load(message);
      } catch (error) {
        // The attachment files are missing or damaged: sending would deliver a broken message. Keep it.
        this.#giveUp(message, at, `cannot read its attachments (${describeError(error)})`);
        failed += 1;
        await this.#db.write();
        continue;
      }
      try {
        await this.#inner.send(mail);
      } catch (error) {
        const outcome = this.#recordFailure(message, at, error);
        if (outcome === 'failed') failed += 1;
        else if (!isAboutThisMessage(error)) unreachable = { error: describeError(error), retryAt: Date.parse(message.nextAttemptAt) };
        await this.#db.write();
        continue;
      }
      await this.#recordDelivery(message);
      sent += 1;
    }
    if (unreachable) await this.#db.write();
    const waiting = this.#db.data.messages.filter((m) => m.status === 'waiting').length;
    return { sent, failed, waiting };
  }

  async #recordDelivery(message: QueuedMail): Promise<void> {
    this.#db.data.messages = this.#db.data.messages.filter((m) => m.id !== message.id);
    await this.#db.write();
    // Only once the queue no longer names the folder; a crash in between leaves an orphan swept at start-up.
    if (message.attachments.length > 0) await rm(join(this.attachmentsDir, message.id), { recursive: true, force: true });
    this.#logger?.info({ mailId: message.id, attempts: message.attempts + 1 }, 'Mail delivered');
  }

  #recordFailure(message: QueuedMail, at: Date, error: unknown): QueuedMailStatus {
    message.attempts += 1;
    message.lastAttemptAt = at.toISOString();
    const reason = describeError(error);
    if (isPermanentRejection(error)) {
      this.#giveUp(message, at, `rejected by the mail server (${reason})`);
      return 'failed';
    }
    const deadline = this.#deadline(message);
    if (at.getTime() >= deadline) {
      this.#giveUp(message, at, reason);
      return 'failed';
    }
    const delay = this.#retryDelaysMs[Math.min(message.attempts, this.#retryDelaysMs.length) - 1]!;
    // The last try falls exactly at the deadline rather than up to one retry delay after it.
    message.nextAttemptAt = new Date(Math.min(at.getTime() + delay, deadline)).toISOString();
    message.lastError = reason;
    this.#logger?.warn(
      { mailId: message.id, attempts: message.attempts, nextAttemptAt: message.nextAttemptAt, error: reason },
      'Mail delivery failed; will try again',
    );
    return 'waiting';
  }

  /** Not tried because the server was unreachable a moment ago in this pass: waits as long as that one. */
  #defer(message: QueuedMail, at: Date, unreachable: { error: string; retryAt: number }): QueuedMailStatus {
    const deadline = this.#deadline(message);
    if (at.getTime() >= deadline) {
      this.#giveUp(message, at, `the mail server could not be reached (${unreachable.error})`);
      return 'failed';
    }
    message.nextAttemptAt = new Date(Math.min(unreachable.retryAt, deadline)).toISOString();
    message.lastError = `not tried: the mail server could not be reached (${unreachable.error})`;
    return 'waiting';
  }

  #giveUp(message: QueuedMail, at: Date, reason: string): void {
    message.status = 'failed';
    message.failedAt = at.toISOString();
    message.lastError = reason;
    this.#logger?.warn(
      { mailId: message.id, attempts: message.attempts, queuedAt: message.queuedAt, error: reason },
      'Mail could not be delivered; it is kept in the queue marked failed',
    );
  }

  #deadline(message: QueuedMail): number {
    return Date.parse(message.queuedAt) + this.#giveUpAfterMs;
  }

  async #load(message: QueuedMail): Promise<OutgoingMail> {
    const mail: OutgoingMail = { to: message.to, subject: message.subject, text: message.text, html: message.html };
    if (message.attachments.length === 0) return mail;
    mail.attachments = [];
    for (const a of message.attachments) {
      const content = await readFile(join(this.attachmentsDir, message.id, a.file));
      if (content.length !== a.size || sha256(content) !== a.sha256) throw new Error(`attachment ${a.file} is not as it was queued`);
      mail.attachments.push({ filename: a.filename, contentType: a.contentType, content });
    }
    return mail;
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
  async #removeOrphanedAttachments(): Promise<void> {
    let entries: string[];
    try {
      entries = await readdir(this.attachmentsDir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const queued = new Set(this.#db.data.messages.map((m) => m.id));
    const orphans = entries.filter((name) => !queued.has(name));
    for (const name of orphans) await rm(join(this.attachmentsDir, name), { recursive: true, force: true });
    if (orphans.length > 0) this.#logger?.info({ removed: orphans.length }, 'Removed attachment folders that no queued mail refers to');
  }

  #kick(): void {
    if (!this.#running) return;
    if (this.#ticking) this.#again = true;
    else this.#scheduleTick(0);
  }

  #scheduleTick(ms: number): void {
    this.#cancelTimer?.();
    this.#cancelTimer = this.#scheduler.schedule(ms, () => {
      this.#cancelTimer = undefined;
      void this.#tick();
    });
  }

  async #tick(): Promise<void> {
    if (!this.#running || this.#ticking) return;
    this.#ticking = true;
    try {
      await this.deliverDue();
    } catch (error) {
      this.#logger?.warn({ error: describeError(error) }, 'Mail outbox pass failed; will try again');
    } finally {
      this.#ticking = false;
    }
    if (!this.#running) return;
    if (this.#again) {
      this.#again = false;
      this.#scheduleTick(0);
    } else {
      this.#scheduleTick(this.#nextDelay());
    }
  }

  #nextDelay(): number {
    const now = this.#clock.now().getTime();
    let next = now + this.#pollMs;
    for (const m of this.#db.data.messages) if (m.status === 'waiting') next = Math.min(next, Date.parse(m.nextAttemptAt));
    return Math.max(MIN_WORKER_DELAY_MS, next - now);
  }
}

/** A rejection of this message or its recipients, as opposed to the server being unreachable or refusing us. */
function isAboutThisMessage(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'EENVELOPE' || code === 'EMESSAGE';
}

/**
 * A 5xx reply to this message (unknown mailbox, message too large), or a message nodemailer refuses before
 * sending (no valid recipient): sending it again would get the same answer.
 */
function isPermanentRejection(error: unknown): boolean {
  if (!isAboutThisMessage(error)) return false;
  const { responseCode, command } = error as { responseCode?: unknown; command?: unknown };
  if (command === 'API' && responseCode === undefined) return true;
  return typeof responseCode === 'number' && responseCode >= 500 && responseCode < 600 && responseCode !== 503;
}

/** A short reason fit for logs: no links, nothing token-like, one line. */
export function describeError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const code = typeof e?.code === 'string' && !message.includes(e.code) ? `${e.code}: ` : '';
  return `${code}${message}`
    .replace(/\b[a-z][a-z0-9+.-]*:\/\/\S+/gi, '[link]')
    .replace(/[A-Za-z0-9_-]{32,}/g, '[redacted]')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 300);
}

function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

