// An append-only JSON Lines file: one JSON value per line, appended one batch after another so lines
// never interleave. A line cut short by a crash (power cut mid-append) is moved aside at start-up, so the
// next line appended starts on a line of its own and stays readable.
import { appendFile, mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './privateFiles.js';

/** What init found at the end of the file and did about it. */
export interface TornTail {
  file: string;
  /** "moved": the partial line went to `tornFile`; "completed": it was whole JSON, only its newline was missing. */
  action: 'moved' | 'completed';
  tornFile: string;
  bytes: number;
}

export interface JsonLinesOptions {
  /** Told when init repaired the end of the file, for the log. */
  onTornTail?: (tail: TornTail) => void;
}

export class JsonLinesFile<T> {
  readonly file: string;
  readonly #onTornTail: ((tail: TornTail) => void) | undefined;
  #queue: Promise<void> = Promise.resolve();
  // Lines waiting for the append in progress to finish; they then go out together in one append.
  #pending: string[] = [];
  #batch: Promise<void> | undefined;

  constructor(file: string, options: JsonLinesOptions = {}) {
    this.file = file;
    this.#onTornTail = options.onTornTail;
  }

  /** Creates the file (readable by this user only) if it is not there yet, and repairs a torn last line. */
  async init(): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true, mode: PRIVATE_DIR_MODE });
    await appendFile(this.file, '', { mode: PRIVATE_FILE_MODE });
    const tail = await repairTornTail(this.file);
    if (tail) this.#onTornTail?.(tail);
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

const CHUNK = 64 * 1024;

/**
 * If the file does not end with a newline, its last line was cut short: appended to `<file>.torn` (kept for
 * a person to look at) and cut off, so the file ends cleanly. A last line that is whole JSON only gets its
 * newline. Reads backwards from the end, so a large file is not read whole.
 */
export async function repairTornTail(file: string): Promise<TornTail | undefined> {
  const handle = await open(file, 'r+');
  try {
    const { size } = await handle.stat();
    if (size === 0) return undefined;
    const last = Buffer.alloc(1);
    await handle.read(last, 0, 1, size - 1);
    if (last[0] === 0x0a) return undefined;
    // Find where the torn line starts: just after the last newline, or the start of the file.
    let start = 0;
    for (let end = size; end > 0 && start === 0; end -= CHUNK) {
      const from = Math.max(0, end - CHUNK);
      const chunk = Buffer.alloc(end - from);
      await handle.read(chunk, 0, chunk.length, from);
      const at = chunk.lastIndexOf(0x0a);
      if (at >= 0) start = from + at + 1;
    }
    const torn = Buffer.alloc(size - start);
    await handle.read(torn, 0, torn.length, start);
    const tornFile = `${file}.torn`;
    if (isJson(torn)) {
      await handle.write('\n', size);
      await handle.datasync();
      return { file, action: 'completed', tornFile, bytes: torn.length };
    }
    // Kept first, then cut: a crash in between leaves it in both places, never in neither.
    const aside = await open(tornFile, 'a', PRIVATE_FILE_MODE);
    try {
      await aside.appendFile(Buffer.concat([torn, Buffer.from('\n')]));
      await aside.datasync();
    } finally {
      await aside.close();
    }
    await handle.truncate(start);
    await handle.datasync();
    return { file, action: 'moved', tornFile, bytes: torn.length };
  } finally {
    await handle.close();
  }
}

function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}
