// An append-only JSON Lines file: one JSON value per line, appended one batch after another so lines
// never interleave; a line cut short by a crash is skipped when reading.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonLinesFile<T> {
  readonly file: string;
  #queue: Promise<void> = Promise.resolve();
  // Lines waiting for the append in progress to finish; they then go out together in one append.
  #pending: string[] = [];
  #batch: Promise<void> | undefined;

  constructor(file: string) {
    this.file = file;
  }

  /** Creates the file (readable by this user only) if it is not there yet. */
  async init(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, '', { mode: 0o600 });
  }

  /** Resolves once the line is in the file. Lines that arrive during an append share the next one. */
  append(value: T): Promise<void> {
    this.#pending.push(`${JSON.stringify(value)}\n`);
    this.#batch ??= this.#queue.then(() => {
      const lines = this.#pending.join('');
      this.#pending = [];
      this.#batch = undefined;
      return appendFile(this.file, lines, 'utf8');
    });
    const next = this.#batch;
    this.#queue = next.catch(() => undefined);
    return next;
  }

  /** Every whole line, after any appends in flight. */
  async readAll(): Promise<T[]> {
    await this.#queue;
    const values: T[] = [];
    for (const line of (await readFile(this.file, 'utf8')).split('\n')) {
      if (!line) continue;
      try {
        values.push(JSON.parse(line) as T);
      } catch {
        // a line cut short by a crash
      }
    }
    return values;
  }
}
