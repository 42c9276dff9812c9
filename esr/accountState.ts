import type { AccountState } from './types.js';

/** The state of a username nobody has registered yet: no password, not locked. */
export function blankAccount(username: string): AccountState {
  return { username, status: 'not_registered', previousHashes: [], locked: false, failedAttempts: 0 };
}
