// The staff directory in one lowdb file (staff.json). It is large and rarely written, so lookups go
// through in-memory indexes and nothing on a chat turn ever rewrites it.
import { stat } from 'node:fs/promises';
import { watchFile, unwatchFile, type Stats } from 'node:fs';
import type { Low } from 'lowdb';
import { z } from 'zod';
import type { StaffDirectory, UpsertSummary } from '../esr/ports.js';
import { staffRecordSchema } from '../esr/schemas.js';
import type { StaffRecord } from '../esr/types.js';
import { openStore } from './openStore.js';

const staffFileSchema = z.object({ version: z.literal(1), records: z.array(staffRecordSchema) });
type StaffFile = z.infer<typeof staffFileSchema>;

export class LowdbStaffDirectory implements StaffDirectory {
  readonly #db: Low<StaffFile>;
  readonly file: string;
  #byUsername = new Map<string, StaffRecord>();
  #byEmail = new Map<string, StaffRecord[]>();
  #byEntraId = new Map<string, StaffRecord[]>();
  #byUpn = new Map<string, StaffRecord[]>();
  /** What the file looked like when last loaded or written: a change to any part means reload. */
  #lastSeen = '';

  private constructor(db: Low<StaffFile>, file: string) {
    this.#db = db;
    this.file = file;
    this.#index();
  }

  static async open(file: string): Promise<LowdbStaffDirectory> {
    const directory = new LowdbStaffDirectory(await openStore(file, staffFileSchema, () => ({ version: 1, records: [] })), file);
    directory.#lastSeen = fingerprint(await stat(file));
    return directory;
  }

  getByUsername(username: string): Promise<StaffRecord | undefined> {
    const record = this.#byUsername.get(username.toUpperCase());
    // Copies (records are flat), so a caller changing one cannot change the directory or its indexes.
    return Promise.resolve(record ? { ...record } : undefined);
  }
  findByEmail(email: string): Promise<StaffRecord[]> {
    return Promise.resolve(copies(this.#byEmail.get(email.toLowerCase())));
  }
  findByEntraObjectId(objectId: string): Promise<StaffRecord[]> {
    return Promise.resolve(copies(this.#byEntraId.get(objectId.toLowerCase())));
  }
  findByUpn(upn: string): Promise<StaffRecord[]> {
    return Promise.resolve(copies(this.#byUpn.get(upn.toLowerCase())));
  }
  count(): Promise<number> {
    return Promise.resolve(this.#byUsername.size);
  }

  /** Adds new usernames and replaces changed ones in one write; records not mentioned stay as they are. */
  async upsertMany(records: StaffRecord[]): Promise<UpsertSummary> {
    const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0 };
    const byUsername = new Map(this.#byUsername);
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
      this.#db.data = { version: 1, records: [...byUsername.values()] };
      await this.#db.write();
      this.#index();
      this.#lastSeen = fingerprint(await stat(this.file));
    }
    return summary;
  }

  /** Removes these usernames (leavers) in one write; returns the records removed. */
  async removeMany(usernames: Iterable<string>): Promise<StaffRecord[]> {
    const removed: StaffRecord[] = [];
    const byUsername = new Map(this.#byUsername);
    for (const username of usernames) {
      const record = byUsername.get(username.toUpperCase());
      if (!record) continue;
      byUsername.delete(record.username);
      removed.push(record);
    }
    if (removed.length > 0) {
      this.#db.data = { version: 1, records: [...byUsername.values()] };
      await this.#db.write();
      this.#index();
      this.#lastSeen = fingerprint(await stat(this.file));
    }
    return removed;
  }

  /** Every username in the directory, upper case. */
  usernames(): string[] {
    return [...this.#byUsername.keys()];
  }

  /**
   * Picks up a directory that another process (the import script) rewrote. A file that fails to load is
   * reported and the directory in memory is kept.
   */
  async reloadIfChanged(): Promise<boolean> {
    const seen = fingerprint(await stat(this.file));
    if (seen === this.#lastSeen) return false;
    // A broken file is reported once, not on every poll; the next change to it is tried again.
    this.#lastSeen = seen;
    await this.#db.read();
    this.#index();
    return true;
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

  #index(): void {
    const byUsername = new Map<string, StaffRecord>();
    const byEmail = new Map<string, StaffRecord[]>();
    const byEntraId = new Map<string, StaffRecord[]>();
    const byUpn = new Map<string, StaffRecord[]>();
    for (const record of this.#db.data.records) {
      byUsername.set(record.username, record);
      push(byEmail, record.workEmail, record);
      if (record.entraObjectId) push(byEntraId, record.entraObjectId, record);
      if (record.upn) push(byUpn, record.upn, record);
    }
    this.#byUsername = byUsername;
    this.#byEmail = byEmail;
    this.#byEntraId = byEntraId;
    this.#byUpn = byUpn;
  }
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
