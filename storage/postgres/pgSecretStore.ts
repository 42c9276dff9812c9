// The bot's own secrets in PostgreSQL (table app_secrets), shared by every instance. The first instance to ask
// offers one (the embedded file's key when there is one, so links already sent keep working, else a random
// one); INSERT ... ON CONFLICT DO NOTHING and then reading the row back means instances starting together all
// end up with the same, whichever offer won.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { SecretStore } from '../secrets.js';

export class PgSecretStore implements SecretStore {
  readonly #pool: pg.Pool;
  readonly #offer: (name: string) => Promise<Buffer | undefined>;

  /** `offer`: a secret to keep when the database has none yet (default: none, so a random one). */
  constructor(pool: pg.Pool, offer: (name: string) => Promise<Buffer | undefined> = () => Promise.resolve(undefined)) {
    this.#pool = pool;
    this.#offer = offer;
  }

  async secret(name: string): Promise<Buffer> {
    const kept = await this.#read(name);
    if (kept) return kept;
    const offered = (await this.#offer(name)) ?? randomBytes(32);
    await this.#pool.query('INSERT INTO app_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING', [name, offered]);
    const value = await this.#read(name);
    if (!value) throw new Error(`The secret "${name}" could not be kept in the database`);
    return value;
  }

  async #read(name: string): Promise<Buffer | undefined> {
    const { rows } = await this.#pool.query<{ value: Buffer }>('SELECT value FROM app_secrets WHERE name = $1', [name]);
    return rows[0]?.value;
  }
}
