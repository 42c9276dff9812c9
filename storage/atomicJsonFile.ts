// A lowdb adapter that writes atomically (temp file, fsync, rename) and coalesces: while one write is on
// disk, later writes wait and the newest data goes out once for all of them (a group commit). Every
// caller's promise resolves only after a write that includes its change is durable.
import { open, readFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Adapter } from 'lowdb';

/** A data file that exists but cannot be used. Start-up stops and names it; the file is left as it is. */
export class DataFileError extends Error {
  readonly file: string;
  constructor(file: string, reason: string) {
    super(`Cannot use data file ${file}: ${reason}. It has not been changed; fix or move it, then start again.`);
    this.name = 'DataFileError';
    this.file = file;
  }
}

export class AtomicJsonFile<T> implements Adapter<T> {
  readonly file: string;
  readonly #temp: string;
  readonly #validate: ((data: unknown) => T) | undefined;
  #latest: T | undefined;
  #dirty = false;
  #running: Promise<void> | undefined;
  #waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  /** `validate` checks what was read (throw to refuse it); without it, any JSON is accepted. */
  constructor(file: string, validate?: (data: unknown) => T) {
    this.file = file;
    // Named per process, so the bot and a script (the staff import) writing the same file never share a temp file.
    this.#temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
    this.#validate = validate;
  }

  async read(): Promise<T | null> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw new DataFileError(this.file, `it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (error) {
      throw new DataFileError(this.file, `it is not valid JSON (${(error as Error).message})`);
    }
    if (!this.#validate) return data as T;
    try {
      return this.#validate(data);
    } catch (error) {
      throw new DataFileError(this.file, `its content is not as expected (${(error as Error).message})`);
    }
  }

  write(data: T): Promise<void> {
    this.#latest = data;
    this.#dirty = true;
    const done = new Promise<void>((resolve, reject) => this.#waiters.push({ resolve, reject }));
    if (!this.#running) this.#running = this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        const waiters = this.#waiters;
        this.#waiters = [];
        try {
          await this.#writeNow(JSON.stringify(this.#latest));
          for (const w of waiters) w.resolve();
        } catch (error) {
          for (const w of waiters) w.reject(error);
        }
      }
    } finally {
      this.#running = undefined;
    }
  }

  async #writeNow(text: string): Promise<void> {
    try {
      const handle = await open(this.#temp, 'w', 0o600);
      try {
        await handle.writeFile(text, 'utf8');
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(this.#temp, this.file);
    } catch (error) {
      // A write that failed part-way (disk full) leaves no half-written temp file behind.
      await unlink(this.#temp).catch(() => undefined);
      throw error;
    }
    await syncDirectory(dirname(this.file));
  }
}

// A rename is durable only once the directory holding it is flushed. Best effort: some platforms
// (Windows) cannot open a directory, and there the rename is as durable as it gets.
export async function syncDirectory(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync();
  } catch {
    // EINVAL on file systems that cannot sync a directory
  } finally {
    await handle.close();
  }
}

/**
 * Replaces `file` atomically (temp file, fsync, rename, directory fsync) with the pieces joined, writing
 * them one at a time: a file larger than a string can be written, and the event loop turns between pieces.
 * The pieces may be produced lazily by a generator; an error while producing them leaves `file` as it was.
 */
export async function writeFileInPieces(file: string, pieces: () => Iterable<string>): Promise<void> {
  const temp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    const handle = await open(temp, 'w', 0o600);
    try {
      for (const piece of pieces()) await handle.write(piece);
      await handle.datasync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await syncDirectory(dirname(file));
}
