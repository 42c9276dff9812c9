// A key-value store with optimistic concurrency (eTags), for conversation and user state. Keys are spread
// over a few lowdb files by hash, so a write rewrites a small file, and writes to one file are group-committed.
import { createHash, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Low } from 'lowdb';
import { z } from 'zod';
import { openStore } from './openStore.js';

export interface VersionedEntry {
  value: Record<string, unknown>;
  etag: string;
  /** ISO time of the last write, for expiring idle state. */
  at: string;
}

export interface VersionedWrite {
  key: string;
  value: Record<string, unknown>;
  /** Write only if the stored eTag is still this one; undefined or '*' writes regardless. */
  expectedEtag?: string;
}

/** Someone else changed the key since it was read; the write was refused and nothing was stored. */
export class EtagConflictError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`The stored value of "${key}" changed since it was read`);
    this.name = 'EtagConflictError';
    this.key = key;
  }
}

const shardSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), z.object({ value: z.record(z.string(), z.unknown()), etag: z.string(), at: z.string() })),
});
type Shard = z.infer<typeof shardSchema>;

export class LowdbVersionedStore {
  readonly #shards: Array<Low<Shard>>;
  readonly #now: () => Date;

  private constructor(shards: Array<Low<Shard>>, now: () => Date) {
    this.#shards = shards;
    this.#now = now;
  }

  static async open(dir: string, shardCount = 8, now: () => Date = () => new Date()): Promise<LowdbVersionedStore> {
    const shards = await Promise.all(
      Array.from({ length: shardCount }, (_, i) => openStore(join(dir, `shard-${i}.json`), shardSchema, () => ({ version: 1 as const, entries: {} }))),
    );
    return new LowdbVersionedStore(shards, now);
  }

  read(keys: string[]): Map<string, VersionedEntry> {
    const found = new Map<string, VersionedEntry>();
    for (const key of keys) {
      const entry = this.#shardOf(key).data.entries[key];
      if (entry) found.set(key, structuredClone(entry));
    }
    return found;
  }

  /** Checks every eTag first, then applies all writes; returns each key's new eTag. */
  async write(writes: VersionedWrite[]): Promise<Map<string, string>> {
    for (const w of writes) {
      const current = this.#shardOf(w.key).data.entries[w.key];
      if (w.expectedEtag !== undefined && w.expectedEtag !== '*' && (current?.etag ?? '') !== w.expectedEtag) {
        throw new EtagConflictError(w.key);
      }
    }
    // JSON copies, made before anything changes: what is read back now is what is read back after a restart
    // (a Date comes back as its ISO string either way), and a value that cannot be stored stores nothing.
    const values = writes.map((w) => JSON.parse(JSON.stringify(w.value)) as Record<string, unknown>);
    const etags = new Map<string, string>();
    const touched = new Set<Low<Shard>>();
    const at = this.#now().toISOString();
    writes.forEach((w, i) => {
      const shard = this.#shardOf(w.key);
      const etag = randomUUID();
      shard.data.entries[w.key] = { value: values[i]!, etag, at };
      etags.set(w.key, etag);
      touched.add(shard);
    });
    await Promise.all([...touched].map((s) => s.write()));
    return etags;
  }

  async delete(keys: string[]): Promise<void> {
    const touched = new Set<Low<Shard>>();
    for (const key of keys) {
      const shard = this.#shardOf(key);
      if (key in shard.data.entries) {
        delete shard.data.entries[key];
        touched.add(shard);
      }
    }
    await Promise.all([...touched].map((s) => s.write()));
  }

  /** Removes entries not written since `before` (except keys `keep` says to keep); returns how many. */
  async expire(before: Date, keep: (key: string) => boolean = () => false): Promise<number> {
    const cutoff = before.toISOString();
    let removed = 0;
    for (const shard of this.#shards) {
      let changed = false;
      for (const [key, entry] of Object.entries(shard.data.entries)) {
        if (entry.at < cutoff && !keep(key)) {
          delete shard.data.entries[key];
          removed++;
          changed = true;
        }
      }
      if (changed) await shard.write();
    }
    return removed;
  }

  #shardOf(key: string): Low<Shard> {
    const index = createHash('sha1').update(key).digest().readUInt32BE(0) % this.#shards.length;
    return this.#shards[index]!;
  }
}
