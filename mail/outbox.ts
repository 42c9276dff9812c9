// A durable outbox in front of a MailTransport, so no email is lost while the mail server is down.
// `send` stores the message in the queue (a MailQueueStore: DATA_DIR files, or PostgreSQL shared by every
// instance) and returns once it is safely queued; a worker then delivers it through the inner transport,
// retrying with backoff for up to 72 hours, after which the message is marked failed and kept, never dropped.
// The policy (when to retry, when to give up) is here; the store only keeps what it is told.
// Time and timers come in through seams (Clock, Scheduler) so tests drive every retry without waiting.
//
// Several instances may each run this worker over one queue. Each message is claimed under a lease before
// it is sent, and no two claims hold the same message at once, so each message is sent by one worker.
// "Exactly once" has one gap, which no queue in front of SMTP can close: a crash (or a lost database
// connection) after the mail server accepted a message and before the store recorded it as sent leaves the
// message claimed; once the lease runs out (5 minutes by default) another worker sends it again. That window
// is one database round trip (a millisecond or so) per message; within it delivery is at least once. The
// same holds when the connection drops after the server took the message but before its reply reached us.
//
// Reset emails carry secret links: nothing that is logged or listed by `pending()` contains a body or a link.
import { MINUTE, HOUR, systemClock, type Clock } from '../core/clock.js';
import { UnreadableMailError, type ClaimedMail, type MailQueueStore, type QueuedMailStatus, type QueuedMailSummary } from './mailQueue.js';
import type { MailTransport, OutgoingMail } from './transport.js';

export type { QueuedMailStatus, QueuedMailSummary } from './mailQueue.js';

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
  /**
   * How long a claimed message is this worker's alone; after that another worker may claim it (this one
   * died). A send is begun only while at least half of it is left, so it must well exceed the longest send.
   * Default 5 minutes.
   */
  leaseMs?: number;
  /** How many messages a worker claims at a time. Default 10. */
  batchSize?: number;
}

export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [30_000, MINUTE, 2 * MINUTE, 5 * MINUTE, 15 * MINUTE];
export const DEFAULT_GIVE_UP_AFTER_MS = 72 * HOUR;
export const DEFAULT_LEASE_MS = 5 * MINUTE;
const DEFAULT_POLL_MS = MINUTE;
const DEFAULT_BATCH_SIZE = 10;
/** The worker never runs passes closer together than this, unless new mail arrives. */
const MIN_WORKER_DELAY_MS = 1_000;

export interface DeliveryReport {
  /** Delivered in this pass. */
  sent: number;
  /** Given up on in this pass (kept in the queue, marked failed). */
  failed: number;
  /** Still waiting for a later attempt after this pass. */
  waiting: number;
}

export class MailOutbox implements MailTransport {
  readonly #queue: MailQueueStore;
  readonly #inner: MailTransport;
  readonly #clock: Clock;
  readonly #scheduler: Scheduler;
  readonly #logger: OutboxLogger | undefined;
  readonly #retryDelaysMs: readonly number[];
  readonly #giveUpAfterMs: number;
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #batchSize: number;
  /** The delivery pass in progress (passes never overlap, so this worker never holds a message twice). */
  #pass: Promise<unknown> = Promise.resolve();
  /** The timer's run in progress: a pass and the choice of when to run next. */
  #tickRun: Promise<void> = Promise.resolve();
  #running = false;
  #ticking = false;
  #again = false;
  #cancelTimer: (() => void) | undefined;

  constructor(queue: MailQueueStore, inner: MailTransport, options: MailOutboxOptions = {}) {
    this.#queue = queue;
    this.#inner = inner;
    this.#clock = options.clock ?? systemClock;
    this.#scheduler = options.scheduler ?? timerScheduler;
    this.#logger = options.logger;
    this.#retryDelaysMs = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
    this.#giveUpAfterMs = options.giveUpAfterMs ?? DEFAULT_GIVE_UP_AFTER_MS;
    this.#pollMs = options.pollMs ?? DEFAULT_POLL_MS;
    this.#leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
    this.#batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (this.#retryDelaysMs.length === 0 || this.#retryDelaysMs.some((ms) => !(ms > 0))) throw new Error('retryDelaysMs must be a non-empty list of positive delays');
    if (!(this.#giveUpAfterMs > 0) || !(this.#pollMs > 0) || !(this.#leaseMs > 0)) throw new Error('giveUpAfterMs, pollMs and leaseMs must be positive');
    if (!Number.isInteger(this.#batchSize) || this.#batchSize < 1) throw new Error('batchSize must be a whole number, at least 1');
  }

  /** Where mail finally goes: the inner transport's description. */
  get description(): string {
    return this.#inner.description;
  }

  /** Queues the message durably and returns; it is delivered later. Throws only if it could not be queued. */
  async send(mail: OutgoingMail): Promise<void> {
    await this.#queue.enqueue(mail, this.#clock.now());
    this.#kick();
  }

  /**
   * Tries every waiting message whose next attempt is due, oldest first, a batch at a time. When the server
   * cannot be reached at all, the other due messages are not tried in this pass (they wait as long as the one
   * that failed), so an outage costs one connection timeout per pass, not one per message.
   */
  deliverDue(): Promise<DeliveryReport> {
    const pass = this.#pass.then(() => this.#deliverDueNow());
    this.#pass = pass.catch(() => undefined);
    return pass;
  }

  /** The queued messages, for logs and health checks: who, what subject, how it is going; never the body. */
  pending(): Promise<QueuedMailSummary[]> {
    return this.#queue.pending();
  }

  /** How many messages wait and how many were given up on. */
  counts(): Promise<{ waiting: number; failed: number }> {
    return this.#queue.counts();
  }

  /** Puts failed messages back in the queue with a fresh 72 hours (after the cause is fixed). Returns how many. */
  async retryFailed(): Promise<number> {
    const count = await this.#queue.retryFailed(this.#clock.now());
    if (count > 0) this.#kick();
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

  /** Resolves when the delivery pass in progress, if any, has finished (and the worker has chosen when to look again). */
  async idle(): Promise<void> {
    await this.#tickRun;
    await this.#pass;
  }

  /** Stops the worker and closes the inner transport once any pass in progress has finished. */
  close(): void {
    void this.stop().then(() => this.#inner.close());
  }

  async #deliverDueNow(): Promise<DeliveryReport> {
    let sent = 0;
    let failed = 0;
    let unreachable: { error: string; retryAt: number } | undefined;
    let leaseRunningOut = false;
    while (!leaseRunningOut) {
      const claimedAt = this.#clock.now().getTime();
      const batch = await this.#queue.claimDue({ now: new Date(claimedAt), leaseMs: this.#leaseMs, limit: this.#batchSize });
      if (batch.length === 0) break;
      let handled = 0;
      try {
        for (const message of batch) {
          const at = this.#clock.now();
          if (unreachable) {
            // Only messages the deferral below left due come here: those past their deadline, or due since.
            if ((await this.#defer(message, at, unreachable)) === 'failed') failed += 1;
            handled += 1;
            continue;
          }
          // Another worker may claim it once the lease ends: begin a send only while half the lease is left.
          if (at.getTime() >= claimedAt + this.#leaseMs / 2) {
            leaseRunningOut = true;
            break;
          }
          const outcome = await this.#deliver(message, at);
          handled += 1;
          if (outcome === 'sent') sent += 1;
          else if (outcome === 'failed') failed += 1;
          else if (outcome !== 'waiting') {
            unreachable = outcome;
            // The rest of this batch and everything else due waits with it, released; claim again for the rest.
            await this.#queue.deferDue({
              now: at,
              until: new Date(unreachable.retryAt),
              giveUpAfterMs: this.#giveUpAfterMs,
              lastError: `not tried: the mail server could not be reached (${unreachable.error})`,
              lease: message.lease,
            });
            handled = batch.length;
            break;
          }
        }
      } finally {
        // What this batch still holds (the lease ran short, or the store failed) is let go for the next pass; if
        // the store cannot be reached to do so, the lease simply runs out.
        if (handled < batch.length) await this.#queue.release(batch[0]!.lease).catch(() => undefined);
      }
    }
    const { waiting } = await this.#queue.counts();
    return { sent, failed, waiting };
  }

  /** One claimed message: sent, waiting for a retry, failed for good, or the server is unreachable. */
  async #deliver(message: ClaimedMail, at: Date): Promise<'sent' | 'waiting' | 'failed' | { error: string; retryAt: number }> {
    // A reset or unlock email whose link has expired while it waited is kept as failed, not sent uselessly.
    if (message.expiresAt && message.expiresAt.getTime() <= at.getTime()) {
      await this.#giveUp(message, at, 'expired before it could be sent (the link in it no longer works)');
      return 'failed';
    }
    let mail: OutgoingMail;
    try {
      mail = await this.#queue.load(message);
    } catch (error) {
      if (!(error instanceof UnreadableMailError)) throw error;
      // The attachments are missing or damaged: sending would deliver a broken message. Keep it.
      await this.#giveUp(message, at, `cannot read its attachments (${describeError(error)})`);
      return 'failed';
    }
    try {
      await this.#inner.send(mail);
    } catch (error) {
      const outcome = await this.#recordFailure(message, at, error);
      if (outcome.status === 'failed' || isAboutThisMessage(error)) return outcome.status;
      return { error: describeError(error), retryAt: outcome.nextAttemptAt };
    }
    // The window where "exactly once" becomes "at least once" (see the top of this file): from here until
    // markSent has committed.
    const held = await this.#queue.markSent(message);
    this.#logger?.info({ mailId: message.id, attempts: message.attempts + 1 }, 'Mail delivered');
    if (!held) this.#logger?.warn({ mailId: message.id }, 'Mail delivered after its lease had run out: another worker may have sent it as well');
    return 'sent';
  }

  async #recordFailure(message: ClaimedMail, at: Date, error: unknown): Promise<{ status: QueuedMailStatus; nextAttemptAt: number }> {
    const attempts = message.attempts + 1;
    const reason = describeError(error);
    if (isPermanentRejection(error)) {
      await this.#giveUp(message, at, `rejected by the mail server (${reason})`, { attempts, lastAttemptAt: at });
      return { status: 'failed', nextAttemptAt: at.getTime() };
    }
    const deadline = this.#deadline(message);
    if (at.getTime() >= deadline) {
      await this.#giveUp(message, at, reason, { attempts, lastAttemptAt: at });
      return { status: 'failed', nextAttemptAt: at.getTime() };
    }
    const delay = this.#retryDelaysMs[Math.min(attempts, this.#retryDelaysMs.length) - 1]!;
    // The last try falls exactly at the deadline rather than up to one retry delay after it.
    const nextAttemptAt = new Date(Math.min(at.getTime() + delay, deadline));
    if (await this.#queue.reschedule(message, { attempts, lastAttemptAt: at, nextAttemptAt, lastError: reason }))
      this.#logger?.warn({ mailId: message.id, attempts, nextAttemptAt: nextAttemptAt.toISOString(), error: reason }, 'Mail delivery failed; will try again');
    else this.#leaseLost(message, reason);
    return { status: 'waiting', nextAttemptAt: nextAttemptAt.getTime() };
  }

  /** Not tried because the server was unreachable a moment ago in this pass: waits as long as that one. */
  async #defer(message: ClaimedMail, at: Date, unreachable: { error: string; retryAt: number }): Promise<QueuedMailStatus> {
    const deadline = this.#deadline(message);
    if (at.getTime() >= deadline) {
      await this.#giveUp(message, at, `the mail server could not be reached (${unreachable.error})`);
      return 'failed';
    }
    await this.#queue.reschedule(message, {
      attempts: message.attempts,
      nextAttemptAt: new Date(Math.min(unreachable.retryAt, deadline)),
      lastError: `not tried: the mail server could not be reached (${unreachable.error})`,
    });
    return 'waiting';
  }

  async #giveUp(message: ClaimedMail, at: Date, reason: string, attempt?: { attempts: number; lastAttemptAt: Date }): Promise<void> {
    const attempts = attempt?.attempts ?? message.attempts;
    if (!(await this.#queue.markFailed(message, { attempts, failedAt: at, lastError: reason, ...(attempt ? { lastAttemptAt: attempt.lastAttemptAt } : {}) }))) {
      this.#leaseLost(message, reason);
      return;
    }
    this.#logger?.warn(
      { mailId: message.id, attempts, queuedAt: message.queuedAt.toISOString(), error: reason },
      'Mail could not be delivered; it is kept in the queue marked failed',
    );
  }

  /** This worker took too long: the message is another worker's now (or already sent), and left to it. */
  #leaseLost(message: ClaimedMail, reason: string): void {
    this.#logger?.warn({ mailId: message.id, error: reason }, 'Mail attempt ended after its lease had run out; left to the worker that holds it now');
  }

  #deadline(message: ClaimedMail): number {
    return message.queuedAt.getTime() + this.#giveUpAfterMs;
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
      this.#tickRun = this.#tick();
    });
  }

  async #tick(): Promise<void> {
    if (!this.#running || this.#ticking) return;
    this.#ticking = true;
    let delay = this.#pollMs;
    try {
      await this.deliverDue();
      delay = await this.#nextDelay();
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
      this.#scheduleTick(delay);
    }
  }

  async #nextDelay(): Promise<number> {
    const now = this.#clock.now().getTime();
    const due = await this.#queue.nextDueAt();
    const next = Math.min(now + this.#pollMs, due?.getTime() ?? Infinity);
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
