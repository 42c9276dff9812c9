// Typed errors of the ESR service: callers switch on `code`, never on message text.
import type { PolicyFailure } from './passwordPolicy.js';

export type EsrErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'already_registered'
  | 'not_registered'
  | 'password_mismatch'
  | 'password_policy'
  | 'token_invalid'
  | 'token_expired'
  | 'token_used'
  | 'token_username_mismatch'
  | 'account_locked'
  | 'invalid_credentials';

export interface InputIssue {
  field: string;
  problem: string;
}

export class EsrError extends Error {
  readonly code: EsrErrorCode;
  /** For `password_policy`: every rule the password broke. */
  readonly failures: PolicyFailure[];
  /** For `invalid_input`: which field and what is wrong with it. */
  readonly issues: InputIssue[];

  constructor(code: EsrErrorCode, opts: { failures?: PolicyFailure[]; issues?: InputIssue[]; message?: string } = {}) {
    super(opts.message ?? code);
    this.name = 'EsrError';
    this.code = code;
    this.failures = opts.failures ?? [];
    this.issues = opts.issues ?? [];
  }
}

export function isEsrError(err: unknown, code?: EsrErrorCode): err is EsrError {
  return err instanceof EsrError && (code === undefined || err.code === code);
}
