// What esr/ and tickets/ both record: who did what, through which channel, in the audit log. The ESR module
// and the helpdesk write to one log, so its shape lives here, below both.
export type Channel = 'teams' | 'web' | 'email' | 'import' | 'system' | 'dashboard';

/** Who did something, for the audit log. Never holds a secret. */
export interface Actor {
  kind: 'staff' | 'agent' | 'admin' | 'system' | 'anonymous';
  /** A stable id: Entra object id, ESR username, or a client hash for anonymous web visitors. */
  id?: string;
  name?: string;
}

export type AuditAction =
  | 'internet_access.registered'
  | 'account_help.requested'
  | 'account_help.sent'
  | 'account_help.suppressed'
  | 'password.reset'
  | 'password.rejected'
  | 'account.unlocked'
  | 'account.locked'
  | 'signin.succeeded'
  | 'signin.failed'
  | 'token.rejected'
  | 'staff.imported'
  | 'identity.match_refused'
  | (string & {});

export interface AuditEvent {
  at: string;
  action: AuditAction;
  actor: Actor;
  channel: Channel;
  outcome: 'success' | 'failure' | 'suppressed';
  /** The ESR username the event is about, when there is one. */
  username?: string;
  /** Small facts (counts, rule names). Never a password, token or date of birth. */
  detail?: Record<string, string | number | boolean>;
}

export interface AuditFilter {
  username?: string;
  action?: string;
  since?: string;
  limit?: number;
}

export interface AuditLog {
  record(event: AuditEvent): Promise<void>;
  list(filter?: AuditFilter): Promise<AuditEvent[]>;
}
