// A key-value store with optimistic concurrency (eTags), for conversation and user state and the welcome-once
// marks: the embedded implementation of the state port (state/ports.ts), used without DATABASE_URL.
//
// Why a journal: in Teams every person keeps one conversation with the bot for ever, so the number of stored
// keys only grows, and a turn must not cost more as it grows. The earlier layout (a few lowdb shard files,
// each rewritten whole on every write) made each turn's write O(stored conversations). Here a write appends
// one line (that key's new value) to `journal.jsonl` and fsyncs it, so it costs O(size of that value); writes
// that arrive while an append is on disk share the next one (a group commit). Reads come from memory, as
// before, so they stay synchronous. When superseded lines outweigh the live ones, the journal is rewritten
// with only the live entries (compaction: O(stored), but once per as many bytes written as are stored, so
// amortised O(1) per write), streamed in chunks so no turn waits on it for long.
// Start-up reads the journal line by line (no single string, so no 512 MB ceiling): about a second for
// 50,000 conversations here (bench/README.md). Shard files of the earlier layout are moved in at start-up.
// The module keeps its old name for its callers; lowdb is no longer used here.
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, open, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { EtagConflictError, type VersionedEntry, type VersionedStateStore, type VersionedWrite } from '../state/ports.js';
import { DataFileError, syncDirectory, writeFileInPieces } from './atomicJsonFile.js';
import { repairTornTail } from './jsonLines.js';
import { makePrivateDir, PRIVATE_FILE_MODE } from './privateFiles.js';

export { EtagConflictError, type VersionedEntry, type VersionedWrite } from '../state/ports.js';

export interface VersionedStoreOptions {
  /** Compact once the journal is this many times the size of its live lines (default 2)... */
  compactRatio?: number;
  /** ...and at least this many bytes (default 16 MiB), so a small store is never compacted for nothing. */
  compactMinBytes?: number;
}

/** Once-marks live in the journal beside the state, under this prefix (where earlier versions put them). */
const ONCE_PREFIX = 'once/';
const isOnceMark = (key: string) => key.startsWith(ONCE_PREFIX);

/** In memory: the value as its JSON text (compact, and parsing it hands out a copy). */
interface Stored {
  json: string;
  etag: string;
  at: string;
  /** Length of this entry's journal line, for deciding when to compact. */
  bytes: number;
}

const lineSchema = z.union([
  z.object({ k: z.string(), e: z.string(), at: z.string(), v: z.record(z.string(), z.unknown()) }),
  z.object({ k: z.string(), d: z.literal(true) }),
]);

const legacyShardSchema = z.object({
  version: z.literal(1),
  entries: z.record(z.string(), z.object({ value: z.record(z.string(), z.unknown()), etag: z.string(), at: z.string() })),
});

export const JOURNAL_FILE = 'journal.jsonl';
const PIECE_BYTES = 1024 * 1024;

export class LowdbVersionedStore implements VersionedStateStore {
  readonly #file: string;
  readonly #entries: Map<string, Stored>;
  readonly #now: () => Date;
  readonly #compactRatio: number;
  readonly #compactMinBytes: number;
  #journalBytes: number;
  #liveBytes = 0;
  #pending: string[] = [];
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  #running: Promise<void> | undefined;

  private constructor(file: string, entries: Map<string, Stored>, journalBytes: number, now: () => Date, options: VersionedStoreOptions) {
    this.#file = file;
    this.#entries = entries;
    this.#journalBytes = journalBytes;
    this.#now = now;
    this.#compactRatio = options.compactRatio ?? 2;
    this.#compactMinBytes = options.compactMinBytes ?? 16 * 1024 * 1024;
    for (const entry of entries.values()) this.#liveBytes += entry.bytes;
  }

  /** `options` was the shard count in the earlier layout; a number there is accepted and ignored. */
  static async open(dir: string, options: VersionedStoreOptions | number = {}, now: () => Date = () => new Date()): Promise<LowdbVersionedStore> {
    await makePrivateDir(dir);
    const file = join(dir, JOURNAL_FILE);
    await appendFile(file, '', { mode: PRIVATE_FILE_MODE });
    // A line cut short by a crash mid-append was never acknowledged: it goes aside, the rest is intact.
    await repairTornTail(file);
    const entries = await readJournal(file);
    const store = new LowdbVersionedStore(file, entries, (await stat(file)).size, now, typeof options === 'number' ? {} : options);
    await store.#migrateShards(dir);
    return store;
  }

  /** How many keys are stored. */
  get size(): number {
    return this.#entries.size;
  }

  read(keys: string[]): Map<string, VersionedEntry> {
    const found = new Map<string, VersionedEntry>();
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry) found.set(key, { value: JSON.parse(entry.json) as Record<string, unknown>, etag: entry.etag, at: entry.at });
    }
    return found;
  }

  /** Checks every eTag first, then applies all writes; returns each key's new eTag. */
  async write(writes: VersionedWrite[]): Promise<Map<string, string>> {
    for (const w of writes) {
      const current = this.#entries.get(w.key);
      if (w.expectedEtag !== undefined && w.expectedEtag !== '*' && (current?.etag ?? '') !== w.expectedEtag) {
        throw new EtagConflictError(w.key);
      }
    }
    // JSON made before anything changes: what is read back now is what is read back after a restart
    // (a Date comes back as its ISO string either way), and a value that cannot be stored stores nothing.
    const texts = writes.map((w) => JSON.stringify(w.value));
    const etags = new Map<string, string>();
    const at = this.#now().toISOString();
    const undo: Array<[string, Stored | undefined, Stored]> = [];
    const lines = writes.map((w, i) => {
      const etag = randomUUID();
      const line = `{"k":${JSON.stringify(w.key)},"e":"${etag}","at":"${at}","v":${texts[i]!}}\n`;
      const stored: Stored = { json: texts[i]!, etag, at, bytes: line.length };
      undo.push([w.key, this.#entries.get(w.key), stored]);
      this.#set(w.key, stored);
      etags.set(w.key, etag);
      return line;
    });
    try {
      await this.#append(lines);
    } catch (error) {
      // Not durable, so not stored: put back what was there, unless a later write has replaced it since.
      for (const [key, before, mine] of undo.reverse()) {
        if (this.#entries.get(key) !== mine) continue;
        if (before) this.#set(key, before);
        else this.#remove(key);
      }
      throw error;
    }
    return etags;
  }

  async delete(keys: string[]): Promise<void> {
    const gone = keys.filter((key) => this.#remove(key));
    if (gone.length > 0) await this.#append(gone.map(tombstone));
  }

  /** Removes entries not written since `before` (except keys `keep` says to keep); returns how many. */
  async expire(before: Date, keep: (key: string) => boolean = () => false): Promise<number> {
    const cutoff = before.toISOString();
    const gone: string[] = [];
    for (const [key, entry] of this.#entries) if (entry.at < cutoff && !keep(key)) gone.push(key);
    for (const key of gone) this.#remove(key);
    if (gone.length > 0) await this.#append(gone.map(tombstone));
    return gone.length;
  }

  async claimOnce(key: string): Promise<boolean> {
    const mark = ONCE_PREFIX + key;
    // Nearly always claimed already: answered from memory rather than with a conflict on every message.
    if (this.#entries.has(mark)) return false;
    try {
      await this.write([{ key: mark, value: { at: this.#now().toISOString() }, expectedEtag: '' }]);
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }

  pruneIdle(before: Date): Promise<number> {
    return this.expire(before, isOnceMark);
  }

  pruneOnceMarks(before: Date): Promise<number> {
    return this.expire(before, (key) => !isOnceMark(key));
  }

  #set(key: string, stored: Stored): void {
    this.#liveBytes += stored.bytes - (this.#entries.get(key)?.bytes ?? 0);
    this.#entries.set(key, stored);
  }

  #remove(key: string): boolean {
    const entry = this.#entries.get(key);
    if (!entry) return false;
    this.#liveBytes -= entry.bytes;
    this.#entries.delete(key);
    return true;
  }

  /** Resolves once the lines are durable. Lines that arrive while an append is on disk share the next one. */
  #append(lines: string[]): Promise<void> {
    this.#pending.push(...lines);
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#running) this.#running = this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#pending.length > 0) {
        const text = this.#pending.join('');
        const waiters = this.#waiters;
        this.#pending = [];
        this.#waiters = [];
        try {
          const handle = await open(this.#file, 'a', PRIVATE_FILE_MODE);
          try {
            await handle.write(text);
            await handle.datasync();
          } finally {
            await handle.close();
          }
          this.#journalBytes += text.length;
          for (const w of waiters) w.resolve();
        } catch (error) {
          for (const w of waiters) w.reject(error);
          continue;
        }
        if (this.#journalBytes > this.#compactMinBytes && this.#journalBytes > this.#compactRatio * this.#liveBytes) {
          // A failed compaction leaves the journal as it was (the rewrite is atomic); appends go on.
          await this.#compact().catch(() => undefined);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  /**
   * Rewrites the journal with one line per live entry. Runs between appends (new writes queue meanwhile
   * and are appended to the new journal after it), writing in pieces so the event loop keeps turning.
   */
  async #compact(): Promise<void> {
    const entries = [...this.#entries];
    let bytes = 0;
    await writeFileInPieces(this.#file, function* () {
      let piece = '';
      for (const [key, e] of entries) {
        const line = `{"k":${JSON.stringify(key)},"e":"${e.etag}","at":"${e.at}","v":${e.json}}\n`;
        piece += line;
        bytes += line.length;
        if (piece.length >= PIECE_BYTES) {
          yield piece;
          piece = '';
        }
      }
      if (piece) yield piece;
    });
    this.#journalBytes = bytes;
  }

  /** Moves entries from the earlier layout's `shard-N.json` files into the journal, then removes the shards. */
  async #migrateShards(dir: string): Promise<void> {
    const shards = (await readdir(dir)).filter((name) => /^shard-\d+\.json$/.test(name));
    if (shards.length === 0) return;
    for (const name of shards) {
      const file = join(dir, name);
      let parsed: z.infer<typeof legacyShardSchema>;
      try {
        parsed = legacyShardSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      } catch (error) {
        throw new DataFileError(file, `it could not be moved into ${JOURNAL_FILE} (${(error as Error).message})`);
      }
      for (const [key, entry] of Object.entries(parsed.entries)) {
        // A crash after the journal was written but before the shards went: the journal already has them.
        if (this.#entries.has(key)) continue;
        const json = JSON.stringify(entry.value);
        const line = `{"k":${JSON.stringify(key)},"e":${JSON.stringify(entry.etag)},"at":${JSON.stringify(entry.at)},"v":${json}}\n`;
        this.#set(key, { json, etag: entry.etag, at: entry.at, bytes: line.length });
      }
    }
    await this.#compact();
    for (const name of shards) await unlink(join(dir, name));
    await syncDirectory(dir);
  }
}

function tombstone(key: string): string {
  return `{"k":${JSON.stringify(key)},"d":true}\n`;
}

/** Replays the journal: the last line for a key wins; a tombstone removes it. */
async function readJournal(file: string): Promise<Map<string, Stored>> {
  const entries = new Map<string, Stored>();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n++;
    if (!line) continue;
    let parsed: z.infer<typeof lineSchema>;
    try {
      parsed = lineSchema.parse(JSON.parse(line));
    } catch (error) {
      throw new DataFileError(file, `line ${n} is not a valid entry (${(error as Error).message.slice(0, 200)})`);
    }
    if ('d' in parsed) entries.delete(parsed.k);
    else entries.set(parsed.k, { json: JSON.stringify(parsed.v), etag: parsed.e, at: parsed.at, bytes: line.length + 1 });
  }
  return entries;
}
