// Reset and unlock tokens in PostgreSQL (table tokens), by hash. consume() is one conditional UPDATE, so of
// any number of simultaneous uses, from any number of instances, exactly one finds the token still usable.
import type pg from 'pg';
import type { TokenStore } from '../../esr/ports.js';
import type { StoredToken } from '../../esr/types.js';
import { inTransaction } from './pool.js';

interface TokenRow {
  hash: string;
  username: string;
  purpose: StoredToken['purpose'];
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  voided_at: Date | null;
}

export class PgTokenStore implements TokenStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  issue(token: StoredToken): Promise<void> {
    return inTransaction(this.#pool, async (client) => {
      await client.query(
        `UPDATE tokens SET voided_at = $3 WHERE username = $1 AND purpose = $2 AND used_at IS NULL AND voided_at IS NULL`,
        [token.username, token.purpose, token.createdAt],
      );
      await client.query(
        `INSERT INTO tokens (hash, username, purpose, created_at, expires_at, used_at, voided_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [token.hash, token.username, token.purpose, token.createdAt, token.expiresAt, token.usedAt ?? null, token.voidedAt ?? null],
      );
    });
  }

  async findByHash(hash: string): Promise<StoredToken | undefined> {
    const { rows } = await this.#pool.query<TokenRow>('SELECT * FROM tokens WHERE hash = $1', [hash]);
    return rows[0] ? tokenOf(rows[0]) : undefined;
  }

  async consume(hash: string, at: string): Promise<boolean> {
    const { rowCount } = await this.#pool.query(
      `UPDATE tokens SET used_at = $2 WHERE hash = $1 AND used_at IS NULL AND voided_at IS NULL AND expires_at > $2 RETURNING hash`,
      [hash, at],
    );
    return rowCount === 1;
  }

  async purgeExpired(before: string): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM tokens WHERE expires_at < $1', [before]);
    return rowCount ?? 0;
  }
}

function tokenOf(row: TokenRow): StoredToken {
  return {
    hash: row.hash,
    username: row.username,
    purpose: row.purpose,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at.toISOString(),
    ...(row.used_at ? { usedAt: row.used_at.toISOString() } : {}),
    ...(row.voided_at ? { voidedAt: row.voided_at.toISOString() } : {}),
  };
}
