// What the ESR automation needs from outside: a durable record of the requests it sent, and a logger.
import type { AutomationAction } from './types.js';

/**
 * pending: sent, the outcome not yet known (a 202, or the answer still on its way).
 * done / failed: the automation's outcome, from its answer or its callback.
 * timed_out: no callback within ESR_AUTOMATION_CALLBACK_MINUTES; a person does it instead.
 * unavailable: the endpoint did not answer usefully (timeout, 5xx, network error, malformed); a person does it.
 */
export type AutomationRequestStatus = 'pending' | 'done' | 'failed' | 'timed_out' | 'unavailable';

export interface AutomationRequestRecord {
  id: string;
  action: AutomationAction;
  username: string;
  /** ISO 8601, when the request was first made. */
  requestedAt: string;
  /** ISO 8601, when the bot last sent it: the callback wait counts from here. */
  sentAt: string;
  status: AutomationRequestStatus;
  /** ISO 8601, when the status left pending. */
  finishedAt?: string;
  /** The automation's message, or why it was unavailable. */
  message?: string;
}

/** What finishing a request found: it was pending and is now finished, or it could not be finished. */
export type FinishResult = 'finished' | 'unknown' | 'already_finished';

export interface AutomationRequestStore {
  /** Records a request as pending; one sent again with the same id is pending again from its new sentAt. */
  begin(request: Pick<AutomationRequestRecord, 'id' | 'action' | 'username' | 'requestedAt' | 'sentAt'>): Promise<void>;
  get(id: string): Promise<AutomationRequestRecord | undefined>;
  /**
   * Moves a pending request to a final status, exactly once: of two concurrent calls for one id, only
   * one gets 'finished'.
   */
  finish(id: string, status: Exclude<AutomationRequestStatus, 'pending'>, at: string, message?: string): Promise<FinishResult>;
  /** Pending requests last sent before `before`. */
  pendingSentBefore(before: Date): Promise<AutomationRequestRecord[]>;
  /** Forgets requests that finished before `before`; returns how many. */
  pruneFinished(before: Date): Promise<number>;
}

/** The part of a pino logger the automation uses. */
export interface AutomationLogger {
  info(object: Record<string, unknown>, message: string): void;
  warn(object: Record<string, unknown>, message: string): void;
  error(object: Record<string, unknown>, message: string): void;
}
