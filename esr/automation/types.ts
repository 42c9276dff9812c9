// The contract between the helpdesk and a Trust's own ESR automation (a software robot that drives
// ESR's administrator screens). Only unlock and reactivate are ever automated; nothing here carries a
// date of birth or a password.

export type AutomationAction = 'unlock' | 'reactivate';

/** What the bot POSTs to ESR_AUTOMATION_URL (plus `callbackUrl`, added by the client). */
export interface AutomationRequest {
  /** A UUID; retries of the same request carry the same id, so the endpoint can be idempotent. */
  id: string;
  action: AutomationAction;
  username: string;
  organisationCode: string;
  employee: { firstName: string; lastName: string; workEmail: string };
  /** ISO 8601. */
  requestedAt: string;
}

/** How one request ended, as far as the helpdesk is concerned. */
export type AutomationResult =
  /** The endpoint finished the job (200 {"outcome":"done"}). */
  | { kind: 'done'; message?: string }
  /** The endpoint tried and could not (200 {"outcome":"failed"}): a person must look at it. */
  | { kind: 'failed'; message?: string }
  /** 202: the outcome will arrive later at the callback (or time out). */
  | { kind: 'pending' }
  /** Timeout, 5xx, network error or a malformed answer: a person must do it instead. */
  | { kind: 'unavailable'; reason: string };

/** Sends account actions to the Trust's automation. */
export interface AccountAutomation {
  request(request: AutomationRequest): Promise<AutomationResult>;
}

/** A finished outcome, from the first answer or from the callback. */
export interface AutomationOutcome {
  id: string;
  outcome: 'done' | 'failed';
  message?: string;
}
