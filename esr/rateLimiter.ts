// Sliding-window limits ("at most 5 an hour per staff record"). The store decides where hits are kept:
// in memory for per-visitor web limits, in a file for limits that must survive a restart.

export interface RateLimitStore {
  /**
   * Atomically replaces a key's hit times (ms) with what `change` returns from the current ones
   * (oldest first). `change` runs synchronously, so concurrent callers cannot both pass a limit.
   */
  update(key: string, change: (hits: number[]) => number[]): Promise<void>;
  /** Current hit times of a key. */
  hits(key: string): Promise<number[]>;
}

/** A store that keeps hits across restarts, and so must forget keys nobody has used for a while. */
export interface PrunableRateLimitStore extends RateLimitStore {
  /** Forgets keys whose newest hit is older than `before` (ms); returns how many. */
  prune(before: number): Promise<number>;
}

export interface Limit {
  max: number;
  windowMs: number;
}

export class RateLimiter {
  readonly #store: RateLimitStore;
  constructor(store: RateLimitStore) {
    this.#store = store;
  }

  /** Records a hit and says whether it is within the limit; a refused hit is not counted. */
  async allow(key: string, limit: Limit, now: Date): Promise<boolean> {
    const t = now.getTime();
    let allowed = false;
    await this.#store.update(key, (hits) => {
      const recent = hits.filter((h) => h > t - limit.windowMs);
      allowed = recent.length < limit.max;
      return allowed ? [...recent, t] : recent;
    });
    return allowed;
  }

  /** Whether a key is already at its limit, without recording anything. */
  async isBlocked(key: string, limit: Limit, now: Date): Promise<boolean> {
    const t = now.getTime();
    return (await this.#store.hits(key)).filter((h) => h > t - limit.windowMs).length >= limit.max;
  }
}

export class MemoryRateLimitStore implements RateLimitStore {
  readonly #hits = new Map<string, number[]>();
  readonly #maxKeys: number;
  constructor(maxKeys = 100_000) {
    this.#maxKeys = maxKeys;
  }
  hits(key: string): Promise<number[]> {
    return Promise.resolve([...(this.#hits.get(key) ?? [])]);
  }
  update(key: string, change: (hits: number[]) => number[]): Promise<void> {
    const next = change([...(this.#hits.get(key) ?? [])]);
    this.#hits.delete(key);
    if (next.length > 0) {
      // Oldest keys go first when full, so a flood of new visitors cannot exhaust memory.
      if (this.#hits.size >= this.#maxKeys) this.#hits.delete(this.#hits.keys().next().value!);
      this.#hits.set(key, next);
    }
    return Promise.resolve();
  }
}
