// Domain types of the ESR service module. Nothing here knows about Teams or storage engines.

export const STAFF_GROUPS = ['substantive', 'bank', 'ifm', 'lead_employer_doctor'] as const;
export type StaffGroup = (typeof STAFF_GROUPS)[number];

/** One entry of the staff directory: one ESR username (one assignment). A person may own several. */
export interface StaffRecord {
  /** ESR username: organisation code + initial and surname + 2 digits, upper case, e.g. 241JSMITH01. */
  username: string;
  firstName: string;
  lastName: string;
  /** Work email, lower case. Several usernames may share it (several assignments). */
  workEmail: string;
  /** ISO date, yyyy-mm-dd. */
  dateOfBirth: string;
  staffGroup: StaffGroup;
  /** Microsoft Entra object id of the person's Teams account, lower case. */
  entraObjectId?: string;
  /** User principal name of the Teams account, lower case; often the same as the work email. */
  upn?: string;
  /** ESR employee (person) number, when the import file has one. */
  employeeNumber?: string;
  /** ESR assignment number, e.g. 12345678-2, when the import file has one. */
  assignmentNumber?: string;
  /** Three-digit ESR organisation code, when the import file says it (files for several organisations) or the deployment serves several; absent: the username's, else the first organisation. */
  organisationCode?: string;
}

export type InternetAccessStatus = 'not_registered' | 'approved';

/** Credential state of one username: small and often written, so it is kept apart from the directory. */
export interface AccountState {
  username: string;
  status: InternetAccessStatus;
  /** argon2id PHC string of the current password. */
  passwordHash?: string;
  /** argon2id hashes of earlier passwords, newest first (the current one is not repeated here). */
  previousHashes: string[];
  locked: boolean;
  lockedAt?: string;
  failedAttempts: number;
  registeredAt?: string;
  passwordChangedAt?: string;
}

/** What callers see of a staff member's account: the record plus its state, never a hash. */
export interface StaffAccount {
  record: StaffRecord;
  status: InternetAccessStatus;
  locked: boolean;
  failedAttempts: number;
  hasPassword: boolean;
  passwordChangedAt?: string;
}

/** How a Teams user is identified; any field may be missing. */
export interface TeamsIdentity {
  entraObjectId?: string;
  upn?: string;
  email?: string;
}

export type AccountHelpKind = 'password' | 'username' | 'unlock';

export type TokenPurpose = 'reset' | 'unlock';

export interface StoredToken {
  /** SHA-256 of the token, hex. The token itself is never stored. */
  hash: string;
  username: string;
  purpose: TokenPurpose;
  createdAt: string;
  expiresAt: string;
  usedAt?: string;
  /** Set when a newer token for the same username replaced this one. */
  voidedAt?: string;
}

export type { Actor, Channel } from '../core/audit.js';
