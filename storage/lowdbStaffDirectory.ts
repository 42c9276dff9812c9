// The staff directory in one file (staff.json). It is large and rarely written, so lookups go through
// in-memory indexes and nothing on a chat turn ever rewrites it.
//
// The file is still JSON ({"version":2,"records":[...]}) but laid out one record per line, so it is read
// and written a line at a time: no single string holds it (Node strings stop near 512 MB, about 2 million
// records), and a reload parses it in small slices between which turns go on; the new indexes replace the
// old ones in one step at the end, so a turn sees either the old directory or the new one, never a mix.
// A file in the earlier one-line layout (version 1) is still read whole; the next write lays it out anew.
import { createReadStream, watchFile, unwatchFile, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import type { StaffDirectory, UpsertSummary } from '../esr/ports.js';
import { staffRecordSchema } from '../esr/schemas.js';
import type { StaffRecord } from '../esr/types.js';
import { DataFileError, writeFileInPieces } from './atomicJsonFile.js';
import { makePrivateDir } from './privateFiles.js';

const legacyFileSchema = z.object({ version: z.literal(1), records: z.array(staffRecordSchema) });
const HEADER = '{"version":2,"records":[';
const FOOTER = ']}';
const PIECE_BYTES = 1024 * 1024;

interface Indexes {
  byUsername: Map<string, StaffRecord>;
  byEmail: Map<string, StaffRecord[]>;
  byEntraId: Map<string, StaffRecord[]>;
  byUpn: Map<string, StaffRecord[]>;
}

export class LowdbStaffDirectory implements StaffDirectory {
  readonly file: string;
  #indexes: Indexes = index([]);
  /** What the file looked like when last loaded or written: a change to any part means reload. */
  #lastSeen = '';
  /** Loads and writes one at a time, so a reload never swaps in a file older than a write just made. */
  #queue: Promise<unknown> = Promise.resolve();

  private constructor(file: string) {
    this.file = file;
  }

  static async open(file: string): Promise<LowdbStaffDirectory> {
    const directory = new LowdbStaffDirectory(file);
    await makePrivateDir(dirname(file));
    const exists = await stat(file).then(
      () => true,
      () => false,
    );
    if (exists) directory.#indexes = await loadIndexes(file);
    else await writeRecords(file, []);
    directory.#lastSeen = fingerprint(await stat(file));
    return directory;
  }

  getByUsername(username: string): Promise<StaffRecord | undefined> {
    const record = this.#indexes.byUsername.get(username.toUpperCase());
    // Copies (records are flat), so a caller changing one cannot change the directory or its indexes.
    return Promise.resolve(record ? { ...record } : undefined);
  }
  findByEmail(email: string): Promise<StaffRecord[]> {
    return Promise.resolve(copies(this.#indexes.byEmail.get(email.toLowerCase())));
  }
  findByEntraObjectId(objectId: string): Promise<StaffRecord[]> {
    return Promise.resolve(copies(this.#indexes.byEntraId.get(objectId.toLowerCase())));
  }
  findByUpn(upn: string): Promise<StaffRecord[]> {
    return Promise.resolve(copies(this.#indexes.byUpn.get(upn.toLowerCase())));
  }
  count(): Promise<number> {
    return Promise.resolve(this.#indexes.byUsername.size);
  }

  /** Adds new usernames and replaces changed ones in one write; records not mentioned stay as they are. */
  upsertMany(records: StaffRecord[]): Promise<UpsertSummary> {
    return this.#serially(async () => {
      const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0 };
      const byUsername = new Map(this.#indexes.byUsername);
      for (const record of records.map(validRecord)) {
        const existing = byUsername.get(record.username);
        if (!existing) summary.added++;
        else if (sameRecord(existing, record)) {
          summary.unchanged++;
          continue;
        } else summary.updated++;
        byUsername.set(record.username, record);
      }
      if (summary.added + summary.updated > 0) {
        const all = [...byUsername.values()];
        await writeRecords(this.file, all);
        this.#indexes = index(all);
        this.#lastSeen = fingerprint(await stat(this.file));
      }
      return summary;
    });
  }

  /** Removes these usernames (leavers) in one write; returns the records removed. */
  removeMany(usernames: Iterable<string>): Promise<StaffRecord[]> {
    return this.#serially(async () => {
      const removed: StaffRecord[] = [];
      const byUsername = new Map(this.#indexes.byUsername);
      for (const username of usernames) {
        const record = byUsername.get(username.toUpperCase());
        if (!record) continue;
        byUsername.delete(record.username);
        removed.push(record);
      }
      if (removed.length > 0) {
        const all = [...byUsername.values()];
        await writeRecords(this.file, all);
        this.#indexes = index(all);
        this.#lastSeen = fingerprint(await stat(this.file));
      }
      return removed;
    });
  }

  /** Every username in the directory, upper case. */
  usernames(): string[] {
    return [...this.#indexes.byUsername.keys()];
  }

  /**
   * Picks up a directory that another process (the import script) rewrote. A file that fails to load is
   * reported and the directory in memory is kept.
   */
  reloadIfChanged(): Promise<boolean> {
    return this.#serially(async () => {
      const seen = fingerprint(await stat(this.file));
      if (seen === this.#lastSeen) return false;
      // A broken file is reported once, not on every poll; the next change to it is tried again.
      this.#lastSeen = seen;
      this.#indexes = await loadIndexes(this.file);
      return true;
    });
  }

  /** Polls the file for changes (rename-safe, unlike fs.watch on the file). Returns a stop function. */
  watch(intervalMs: number, onReload: (error?: unknown) => void): () => void {
    const listener = () => {
      this.reloadIfChanged().then(
        (changed) => changed && onReload(),
        (error: unknown) => onReload(error),
      );
    };
    watchFile(this.file, { interval: intervalMs, persistent: false }, listener);
    return () => unwatchFile(this.file, listener);
  }

  #serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(work, work);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/**
 * Every record in the file, checked and indexed as it is read (so no step at the end walks them all at
 * once); a file in the earlier one-line layout is read whole.
 */
async function loadIndexes(file: string): Promise<Indexes> {
  const indexes = index([]);
  let count = 0;
  // Small slices (16 KB, some 60 records) keep each stretch of parsing short; turns run between them.
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8', highWaterMark: 16 * 1024 }), crlfDelay: Infinity });
  let n = 0;
  let ended = false;
  try {
    for await (const line of lines) {
      n++;
      if (n === 1) {
        if (line !== HEADER) return index(await readLegacy(file));
        continue;
      }
      if (ended) {
        if (line.trim()) throw new DataFileError(file, `line ${n} follows the end of the records`);
        continue;
      }
      if (line === FOOTER) {
        ended = true;
        continue;
      }
      let data: unknown;
      try {
        data = JSON.parse(line.endsWith(',') ? line.slice(0, -1) : line);
      } catch (error) {
        throw new DataFileError(file, `line ${n} is not valid JSON (${(error as Error).message})`);
      }
      const parsed = staffRecordSchema.safeParse(data);
      if (!parsed.success) {
        const first = parsed.error.issues[0];
        throw new DataFileError(file, `its content is not as expected (records.${count}.${first?.path.join('.') ?? ''}: ${first?.message ?? 'invalid'}, line ${n})`);
      }
      addTo(indexes, parsed.data);
      count++;
    }
  } catch (error) {
    if (error instanceof DataFileError) throw error;
    throw new DataFileError(file, `it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  } finally {
    lines.close();
  }
  if (!ended) throw new DataFileError(file, `it ends before the end of the records (line ${n})`);
  return indexes;
}

async function readLegacy(file: string): Promise<StaffRecord[]> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new DataFileError(file, `it is not valid JSON (${(error as Error).message})`);
  }
  const parsed = legacyFileSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw new DataFileError(file, `its content is not as expected (${first?.path.join('.') || 'top level'}: ${first?.message ?? 'invalid'})`);
  }
  return parsed.data.records;
}

/** Replaces the file atomically, a piece at a time: header, one record per line, footer. */
function writeRecords(file: string, records: StaffRecord[]): Promise<void> {
  return writeFileInPieces(file, function* () {
    let piece = `${HEADER}\n`;
    for (let i = 0; i < records.length; i++) {
      piece += `${JSON.stringify(records[i])}${i < records.length - 1 ? ',' : ''}\n`;
      if (piece.length >= PIECE_BYTES) {
        yield piece;
        piece = '';
      }
    }
    yield `${piece}${FOOTER}\n`;
  });
}

function index(records: StaffRecord[]): Indexes {
  const indexes: Indexes = { byUsername: new Map(), byEmail: new Map(), byEntraId: new Map(), byUpn: new Map() };
  for (const record of records) addTo(indexes, record);
  return indexes;
}

function addTo(indexes: Indexes, record: StaffRecord): void {
  indexes.byUsername.set(record.username, record);
  push(indexes.byEmail, record.workEmail, record);
  if (record.entraObjectId) push(indexes.byEntraId, record.entraObjectId, record);
  if (record.upn) push(indexes.byUpn, record.upn, record);
}

// Records are checked and normalised (upper-case username, lower-case email, UPN and Entra id) exactly as
// reading the file does: so lookups match however a caller spelled them, and the directory never writes
// a file that it would then refuse to open.
function validRecord(record: StaffRecord, index: number): StaffRecord {
  const parsed = staffRecordSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
  throw new TypeError(`Staff record ${index + 1} (${String(record.username)}) is not valid: ${issues}. Nothing was saved.`);
}

// The modification time alone can miss a rewrite within one tick of a coarse file-system clock; a rewrite
// by rename (as AtomicJsonFile and the import script do) always brings a new inode.
function fingerprint(stats: Stats): string {
  return `${stats.ino}:${stats.size}:${stats.mtimeMs}`;
}

function copies(records: StaffRecord[] | undefined): StaffRecord[] {
  return (records ?? []).map((r) => ({ ...r }));
}

function push(map: Map<string, StaffRecord[]>, key: string, record: StaffRecord): void {
  const list = map.get(key);
  if (list) list.push(record);
  else map.set(key, [record]);
}

function sameRecord(a: StaffRecord, b: StaffRecord): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof StaffRecord>);
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}
