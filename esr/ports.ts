// What the ESR service needs from the outside world. Storage, mail and audit plug in here, so tests
// and other back ends (a server database, a real ESR interface) can stand in for the embedded defaults.
import type { AccountHelpKind, AccountState, Channel, StaffRecord, StoredToken } from './types.js';

export interface UpsertSummary {
  added: number;
  updated: number;
  unchanged: number;
}

/** The staff directory: large, read on every lookup, written only by imports. */
export interface StaffDirectory {
  getByUsername(username: string): Promise<StaffRecord | undefined>;
  findByEmail(email: string): Promise<StaffRecord[]>;
  findByEntraObjectId(objectId: string): Promise<StaffRecord[]>;
  findByUpn(upn: string): Promise<StaffRecord[]>;
  count(): Promise<number>;
  upsertMany(records: StaffRecord[]): Promise<UpsertSummary>;
}

/** Credential state per username. `update` is an atomic read-modify-write. */
export interface AccountStore {
  get(username: string): Promise<AccountState | undefined>;
  update(username: string, change: (current: AccountState) => AccountState): Promise<AccountState>;
}

export interface TokenStore {
  /** Stores a token and voids every earlier unused token of the same username and purpose. */
  issue(token: StoredToken): Promise<void>;
  findByHash(hash: string): Promise<StoredToken | undefined>;
  /** Marks the token used if it is still usable at `at`; false if someone used it first. */
  consume(hash: string, at: string): Promise<boolean>;
  /** Removes tokens that expired before `before`; returns how many. */
  purgeExpired(before: string): Promise<number>;
}

export interface AccountHelpAccount {
  username: string;
  /** A token for the reset or unlock page; absent for a username reminder. */
  token?: string;
  /** Never set up for use from home: the email says to do that first, and carries no link. */
  setUpFirst?: true;
}

/** Messages to staff. The implementation builds links and words; the service only supplies facts. */
/**
 * Which language a message to a member of staff should be in: theirs when they asked in it (`language`), or
 * `languageUnknown` when someone else acted on their account (an agent, the system), so nobody knows it.
 */
export interface LanguageHint {
  language?: string;
  languageUnknown?: true;
}

export interface StaffNotifier {
  sendAccountHelp(message: {
    kind: AccountHelpKind;
    to: string;
    firstName: string;
    accounts: AccountHelpAccount[];
    expiresAt?: Date;
  } & LanguageHint): Promise<void>;
  sendPasswordChanged(message: { to: string; firstName: string; username: string; at: Date; channel: Channel } & LanguageHint): Promise<void>;
  sendAccountUnlocked(message: { to: string; firstName: string; username: string; at: Date } & LanguageHint): Promise<void>;
}

export type { AuditAction, AuditEvent, AuditFilter, AuditLog } from '../core/audit.js';
