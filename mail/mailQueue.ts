// The port behind the durable mail queue (MailOutbox): where queued messages are kept, and how a worker
// takes its turn with them. Implementations: storage/fileMailQueue.ts (DATA_DIR, one process) and
// storage/postgres/pgMailQueue.ts (shared by every instance of the bot).
//
// The store decides nothing: when to retry and when to give up is MailOutbox's policy; the store keeps
// what it is told and guarantees that a message is held by one worker at a time (a lease). A worker
// claims due messages with a lease that expires, so a message claimed by an instance that then died is
// claimed again once the lease runs out.
import type { OutgoingMail } from './transport.js';

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

/** A message a worker holds under a lease: enough to decide what to do, without the body (see `load`). */
export interface ClaimedMail {
  id: string;
  /** The lease it is held under; every change below names it, so a worker whose lease ran out changes nothing. */
  lease: string;
  queuedAt: Date;
  attempts: number;
  /** After this the message is useless (its link has expired). */
  expiresAt?: Date;
  attachments: number;
}

export interface ClaimOptions {
  /** The time as the worker sees it: what is due, and when the lease ends (now + leaseMs). */
  now: Date;
  leaseMs: number;
  /** At most this many, oldest due first. */
  limit: number;
}

export interface Reschedule {
  attempts: number;
  /** Left as it was when absent (deferred without trying). */
  lastAttemptAt?: Date;
  nextAttemptAt: Date;
  /** Why the attempt failed: a short reason, never the body. */
  lastError: string;
}

export interface GiveUp {
  attempts: number;
  /** Left as it was when absent (given up without trying: expired, unreadable). */
  lastAttemptAt?: Date;
  failedAt: Date;
  lastError: string;
}

export interface Deferral {
  now: Date;
  /** The earliest next attempt; each message's own deadline (queuedAt + giveUpAfterMs) if sooner. */
  until: Date;
  giveUpAfterMs: number;
  lastError: string;
  /** Also defers (and releases) the messages held under this lease. */
  lease?: string;
}

/** A stored message that cannot be sent as it was queued (an attachment missing or damaged): give up on it. */
export class UnreadableMailError extends Error {
  override readonly name = 'UnreadableMailError';
}

export interface MailQueueStore {
  /** Stores the message, attachments and all, waiting and due at `at`. Resolves once it is durable; returns its id. */
  enqueue(mail: OutgoingMail, at: Date): Promise<string>;
  /**
   * Leases up to `limit` waiting messages due at `now` that no unexpired lease holds, oldest due first, all
   * under one new lease. No two claims, from this instance or any other, get the same message while its lease
   * lasts.
   */
  claimDue(options: ClaimOptions): Promise<ClaimedMail[]>;
  /** The message as queued, to send. Throws UnreadableMailError if it cannot be rebuilt; other errors are the store's. */
  load(claim: ClaimedMail): Promise<OutgoingMail>;
  /**
   * Delivered: removes it for good (sent messages are not kept, so the queue holds only what is waiting or
   * failed). Returns false when `claim`'s lease no longer held it (it ran out: another worker may send it too).
   */
  markSent(claim: ClaimedMail): Promise<boolean>;
  /** Waits for another attempt; releases the lease. False (and no change) if the lease no longer holds it. */
  reschedule(claim: ClaimedMail, change: Reschedule): Promise<boolean>;
  /** Given up on: kept, marked failed, never claimed again until `retryFailed`. False if the lease no longer holds it. */
  markFailed(claim: ClaimedMail, change: GiveUp): Promise<boolean>;
  /**
   * The server cannot be reached: every waiting message due at `now` that no other lease holds waits until
   * `until` (or its deadline) without an attempt being counted. Those already past their deadline are left due
   * and unleased, for the worker to give up on. Returns how many were deferred.
   */
  deferDue(deferral: Deferral): Promise<number>;
  /** Lets go of whatever `lease` still holds, so it can be claimed at once. */
  release(lease: string): Promise<void>;
  /** Every queued message (waiting or failed), oldest first, without bodies. */
  pending(): Promise<QueuedMailSummary[]>;
  counts(): Promise<{ waiting: number; failed: number }>;
  /** When the earliest waiting message falls due (or its lease runs out); undefined when none waits. */
  nextDueAt(): Promise<Date | undefined>;
  /** Failed messages wait again, queued afresh at `now` with no attempts. Returns how many. */
  retryFailed(now: Date): Promise<number>;
}
