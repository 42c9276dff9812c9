// The content overrides shared by every instance on one database (DATABASE_URL). The database holds each
// override file whole; each instance copies what changed there into its own DATA_DIR/content, where its file
// watcher (understanding/live.ts) checks and loads it exactly as it would a file edited by hand, so a bad
// override never replaces good content in a running instance. An edit (the dashboard's "Add this phrasing
// to…") is made in the database first, under a lock on that file, then written to the local file.
import { rename } from 'node:fs/promises';
import { join } from 'node:path';
import { listOverrideFiles, OVERRIDE_FILE, readOverrideFile, writeOverrideFile, type OverrideFiles } from './overrideFiles.js';

/** Where the shared overrides are kept (storage/postgres/pgContentOverrides.ts). */
export interface SharedOverrideStore {
  /** Changes whenever any override is written (0 when there are none): cheap enough to poll. */
  version(): Promise<number>;
  all(): Promise<Array<{ name: string; body: string; version: number }>>;
  /** Keeps `body` as override `name` unless there is one already; says whether it was kept. */
  addIfAbsent(name: string, body: string): Promise<boolean>;
  /** Rewrites override `name` from its current body, with no other edit of it in between; resolves with the new body. */
  edit(name: string, change: (current: string | undefined) => string): Promise<string>;
}

export interface PullResult {
  /** Override files written into the folder because the database had them newer. */
  written: string[];
  /**
   * Local files that differed from the database's and were not written by this sharing (edited by hand): the
   * database's copy wins, and the local one is kept beside it under `keptAs`.
   */
  replaced: Array<{ name: string; keptAs: string }>;
}

export class SharedOverrides implements OverrideFiles {
  readonly #store: SharedOverrideStore;
  readonly #dir: string;
  /** The database's version last copied in (-1: never). */
  #seen = -1;
  /** What this sharing last wrote or found in agreement, per file: anything else there is a local edit. */
  readonly #known = new Map<string, string>();
  /** Pulls and edits one at a time, so a pull never puts back an older body over an edit just made. */
  #queue: Promise<unknown> = Promise.resolve();

  constructor(store: SharedOverrideStore, dir: string) {
    this.#store = store;
    this.#dir = dir;
  }

  /** Copies overrides that changed in the database into the folder (nothing when its version is unchanged). */
  pull(): Promise<PullResult> {
    return this.#serial(async () => {
      const result: PullResult = { written: [], replaced: [] };
      const version = await this.#store.version();
      if (version === this.#seen) return result;
      for (const row of await this.#store.all()) {
        // The table allows only these names; checked again so a row can never name a path outside the folder.
        if (!OVERRIDE_FILE.test(row.name)) continue;
        const local = await readOverrideFile(this.#dir, row.name);
        if (local !== row.body) {
          if (local !== undefined && local !== this.#known.get(row.name)) {
            const keptAs = `${row.name}.local-before-v${row.version}`;
            await rename(join(this.#dir, row.name), join(this.#dir, keptAs));
            result.replaced.push({ name: row.name, keptAs });
          }
          await writeOverrideFile(this.#dir, row.name, row.body);
          result.written.push(row.name);
        }
        this.#known.set(row.name, row.body);
      }
      this.#seen = version;
      return result;
    });
  }

  /**
   * Keeps, once, each local override file the database does not have yet (a Trust's existing overrides, when
   * it moves to PostgreSQL). Call it after the content has been loaded and checked, so a bad file is never
   * shared. Where another instance kept a different one first, theirs wins at the next pull.
   */
  uploadMissing(): Promise<string[]> {
    return this.#serial(async () => {
      const uploaded: string[] = [];
      for (const name of await listOverrideFiles(this.#dir)) {
        const body = await readOverrideFile(this.#dir, name);
        if (body === undefined) continue;
        if (!(await this.#store.addIfAbsent(name, body))) continue;
        uploaded.push(name);
        this.#known.set(name, body);
      }
      return uploaded;
    });
  }

  edit(name: string, change: (current: string | undefined) => string): Promise<string> {
    return this.#serial(async () => {
      const local = await readOverrideFile(this.#dir, name);
      const body = await this.#store.edit(name, (current) => change(current ?? local));
      await writeOverrideFile(this.#dir, name, body);
      this.#known.set(name, body);
      return body;
    });
  }

  /** Pulls every `intervalMs`; `onPulled` hears each pull that wrote something, or failed. Returns a stop function. */
  watch(intervalMs: number, onPulled: (error: unknown, result?: PullResult) => void): () => void {
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      this.pull()
        .then(
          (result) => {
            if (result.written.length > 0) onPulled(undefined, result);
          },
          (error: unknown) => onPulled(error),
        )
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  #serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.#queue.then(work, work);
    this.#queue = next.catch(() => undefined);
    return next;
  }
}
