// Credential state per username (accounts.json): hashes, status, lock. Small records, written on change.
import type { Low } from 'lowdb';
import { z } from 'zod';
import { blankAccount } from '../esr/accountState.js';
import type { AccountStore } from '../esr/ports.js';
import { accountStateSchema } from '../esr/schemas.js';
import type { AccountState } from '../esr/types.js';
import { openStore } from './openStore.js';

const accountsFileSchema = z.object({ version: z.literal(1), accounts: z.record(z.string(), accountStateSchema) });
type AccountsFile = z.infer<typeof accountsFileSchema>;

export class LowdbAccountStore implements AccountStore {
  readonly #db: Low<AccountsFile>;

  private constructor(db: Low<AccountsFile>) {
    this.#db = db;
  }

  static async open(file: string): Promise<LowdbAccountStore> {
    return new LowdbAccountStore(await openStore(file, accountsFileSchema, () => ({ version: 1, accounts: {} })));
  }

  get(username: string): Promise<AccountState | undefined> {
    const state = this.#db.data.accounts[username];
    return Promise.resolve(state ? structuredClone(state) : undefined);
  }

  // The change runs synchronously against memory, so two updates can never interleave; then one write.
  async update(username: string, change: (current: AccountState) => AccountState): Promise<AccountState> {
    const current = this.#db.data.accounts[username] ?? blankAccount(username);
    const next = change(structuredClone(current));
    this.#db.data.accounts[username] = next;
    await this.#db.write();
    return structuredClone(next);
  }

  /** Forgets the credential state of these usernames (leavers) in one write; returns how many there were. */
  async removeMany(usernames: Iterable<string>): Promise<number> {
    let removed = 0;
    for (const username of usernames) {
      if (this.#db.data.accounts[username] === undefined) continue;
      delete this.#db.data.accounts[username];
      removed++;
    }
    if (removed > 0) await this.#db.write();
    return removed;
  }

  /** Every username with credential state. */
  usernames(): string[] {
    return Object.keys(this.#db.data.accounts);
  }
}
