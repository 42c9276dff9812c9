// Credential state per username in PostgreSQL (table accounts). update() locks the row (SELECT ... FOR UPDATE)
// for the read-modify-write, so concurrent updates from any instance apply one after another.
import type pg from 'pg';
import { blankAccount } from '../../esr/accountState.js';
import type { AccountStore } from '../../esr/ports.js';
import { accountStateSchema } from '../../esr/schemas.js';
import type { AccountState } from '../../esr/types.js';
import { inTransaction, prepared } from './pool.js';

export class PgAccountStore implements AccountStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async get(username: string): Promise<AccountState | undefined> {
    const { rows } = await this.#pool.query<{ state: unknown }>(prepared('SELECT state FROM accounts WHERE username = $1', [username]));
    return rows[0] ? accountStateSchema.parse(rows[0].state) : undefined;
  }

  update(username: string, change: (current: AccountState) => AccountState): Promise<AccountState> {
    return inTransaction(this.#pool, async (client) => {
      // A first update of a username has no row to lock yet: make it (another instance's insert wins or waits).
      await client.query(`INSERT INTO accounts (username, state) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING`, [username, JSON.stringify(blankAccount(username))]);
      const { rows } = await client.query<{ state: unknown }>('SELECT state FROM accounts WHERE username = $1 FOR UPDATE', [username]);
      // If change throws, the transaction rolls back, and the blank row with it: nothing is stored.
      const next = change(accountStateSchema.parse(rows[0]!.state));
      await client.query('UPDATE accounts SET state = $2, updated_at = now() WHERE username = $1', [username, JSON.stringify(next)]);
      return structuredClone(next);
    });
  }
}
