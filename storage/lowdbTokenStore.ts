// Reset and unlock tokens (tokens.json), by hash. Used and expired tokens are purged after a day.
import type { Low } from 'lowdb';
import { z } from 'zod';
import type { TokenStore } from '../esr/ports.js';
import type { StoredToken } from '../esr/types.js';
import { openStore } from './openStore.js';

const storedTokenSchema = z.object({
  hash: z.string(),
  username: z.string(),
  purpose: z.enum(['reset', 'unlock']),
  createdAt: z.string(),
  expiresAt: z.string(),
  usedAt: z.string().optional(),
  voidedAt: z.string().optional(),
});
const tokensFileSchema = z.object({ version: z.literal(1), tokens: z.array(storedTokenSchema) });
type TokensFile = z.infer<typeof tokensFileSchema>;

export class LowdbTokenStore implements TokenStore {
  readonly #db: Low<TokensFile>;

  private constructor(db: Low<TokensFile>) {
    this.#db = db;
  }

  static async open(file: string): Promise<LowdbTokenStore> {
    return new LowdbTokenStore(await openStore(file, tokensFileSchema, () => ({ version: 1, tokens: [] })));
  }

  async issue(token: StoredToken): Promise<void> {
    for (const t of this.#db.data.tokens) {
      if (t.username === token.username && t.purpose === token.purpose && !t.usedAt && !t.voidedAt) t.voidedAt = token.createdAt;
    }
    this.#db.data.tokens.push({ ...token });
    await this.#db.write();
  }

  findByHash(hash: string): Promise<StoredToken | undefined> {
    const found = this.#db.data.tokens.find((t) => t.hash === hash);
    return Promise.resolve(found ? { ...found } : undefined);
  }

  // Check-and-set in one synchronous step: of two simultaneous uses, exactly one wins.
  async consume(hash: string, at: string): Promise<boolean> {
    const token = this.#db.data.tokens.find((t) => t.hash === hash);
    if (!token || token.usedAt || token.voidedAt || token.expiresAt <= at) return false;
    token.usedAt = at;
    await this.#db.write();
    return true;
  }

  async purgeExpired(before: string): Promise<number> {
    const kept = this.#db.data.tokens.filter((t) => t.expiresAt >= before);
    const removed = this.#db.data.tokens.length - kept.length;
    if (removed > 0) {
      this.#db.data.tokens = kept;
      await this.#db.write();
    }
    return removed;
  }

  /** Removes every token, used or not, of these usernames (leavers); returns how many. */
  async removeForUsernames(usernames: Iterable<string>): Promise<number> {
    const gone = new Set(usernames);
    const kept = this.#db.data.tokens.filter((t) => !gone.has(t.username));
    const removed = this.#db.data.tokens.length - kept.length;
    if (removed > 0) {
      this.#db.data.tokens = kept;
      await this.#db.write();
    }
    return removed;
  }
}
