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
  async update(key: string, change: (hits: number[]) => number[]): Promise<void> {
    const next = change([...(this.#db.data.hits[key] ?? [])]);
    if (next.length === 0) delete this.#db.data.hits[key];
    else this.#db.data.hits[key] = next;
    await this.#db.write();
  }
}
