// Rate-limit hits that must survive a restart (requests for reset emails), in limits.json.
import type { Low } from 'lowdb';
import { z } from 'zod';
import type { RateLimitStore } from '../esr/rateLimiter.js';
import { openStore } from './openStore.js';

const limitsFileSchema = z.object({ version: z.literal(1), hits: z.record(z.string(), z.array(z.number())) });
type LimitsFile = z.infer<typeof limitsFileSchema>;

export class LowdbRateLimitStore implements RateLimitStore {
  readonly #db: Low<LimitsFile>;
  private constructor(db: Low<LimitsFile>) {
    this.#db = db;
  }
  static async open(file: string): Promise<LowdbRateLimitStore> {
    return new LowdbRateLimitStore(await openStore(file, limitsFileSchema, () => ({ version: 1, hits: {} })));
  }
  hits(key: string): Promise<number[]> {
    return Promise.resolve([...(this.#db.data.hits[key] ?? [])]);
  }
  /** Forgets keys whose newest hit is older than `before` (ms); returns how many. */
  async prune(before: number): Promise<number> {
    const stale = Object.entries(this.#db.data.hits).filter(([, hits]) => (hits[hits.length - 1] ?? 0) < before);
    for (const [key] of stale) delete this.#db.data.hits[key];
    if (stale.length > 0) await this.#db.write();
    return stale.length;
  }

  async update(key: string, change: (hits: number[]) => number[]): Promise<void> {
    const next = change([...(this.#db.data.hits[key] ?? [])]);
    if (next.length === 0) delete this.#db.data.hits[key];
    else this.#db.data.hits[key] = next;
    await this.#db.write();
  }
}
