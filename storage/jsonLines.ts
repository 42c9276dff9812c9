// An append-only JSON Lines file: one JSON value per line, appended one after another so lines never
// interleave; a line cut short by a crash is skipped when reading.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonLinesFile<T> {
  readonly file: string;
  #queue: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  /** Creates the file (readable by this user only) if it is not there yet. */
  async init(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, '', { mode: 0o600 });
  }

  append(value: T): Promise<void> {
    const line = `${JSON.stringify(value)}\n`;
    const next = this.#queue.then(() => appendFile(this.file, line, 'utf8'));
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
