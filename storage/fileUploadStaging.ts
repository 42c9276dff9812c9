// Screenshots kept aside for reports being written, as files: <dir>/<id>/bytes and <dir>/<id>/meta.json.
// Both are written into a hidden folder that is then renamed into place, so an upload under its id is
// always whole. Ids are random; the user's file name is only ever inside meta.json.
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StagedUpload, UploadStaging } from '../tickets/ports.js';
import { MAX_SCREENSHOT_BYTES } from '../tickets/ticketService.js';

const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface UploadMeta {
  name: string;
  contentType: string;
  bytes: number;
  /** When it was kept (ISO); uploads from before this field go by the folder's time. */
  at?: string;
}

export class FileUploadStaging implements UploadStaging {
  readonly dir: string;
  readonly #now: () => Date;

  private constructor(dir: string, now: () => Date) {
    this.dir = dir;
    this.#now = now;
  }

  static async open(dir: string, now: () => Date = () => new Date()): Promise<FileUploadStaging> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new FileUploadStaging(dir, now);
  }

  async keep(file: { name: string; contentType: string; bytes: Buffer }): Promise<StagedUpload> {
    checkSize(file.bytes);
    const id = randomBytes(12).toString('base64url');
    const temp = join(this.dir, `.${id}.tmp`);
    const meta: UploadMeta = { name: file.name, contentType: file.contentType, bytes: file.bytes.length, at: this.#now().toISOString() };
    try {
      await mkdir(temp, { mode: 0o700 });
      await writeFile(join(temp, 'bytes'), file.bytes, { mode: 0o600 });
      await writeFile(join(temp, 'meta.json'), JSON.stringify(meta), { mode: 0o600 });
      await rename(temp, join(this.dir, id));
    } catch (error) {
      await rm(temp, { recursive: true, force: true });
      throw error;
    }
    return { id, name: file.name, contentType: file.contentType, bytes: file.bytes.length };
  }

  async read(id: string): Promise<Buffer | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    try {
      return await readFile(join(this.dir, id, 'bytes'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async discard(ids: string[]): Promise<void> {
    await Promise.all(ids.filter((id) => SAFE_ID.test(id)).map((id) => rm(join(this.dir, id), { recursive: true, force: true })));
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.dir).catch(() => [] as string[])) {
      const path = join(this.dir, name);
      const at = await this.#keptAt(path);
      if (at === undefined || at >= cutoff.getTime()) continue;
      await rm(path, { recursive: true, force: true });
      // A half-written one (a crash between the writes and the rename) was never an upload.
      if (!name.startsWith('.')) removed++;
    }
    return removed;
  }

  // When the upload was kept: its meta.json's time, else the folder's (older uploads, half-written ones).
  async #keptAt(path: string): Promise<number | undefined> {
    try {
      const meta = JSON.parse(await readFile(join(path, 'meta.json'), 'utf8')) as UploadMeta;
      const at = meta.at ? Date.parse(meta.at) : NaN;
      if (Number.isFinite(at)) return at;
    } catch {
      // No or unreadable meta.json: the folder's time says.
    }
    try {
      return (await stat(path)).mtimeMs;
    } catch {
      return undefined;
    }
  }
}

function checkSize(bytes: Buffer): void {
  if (bytes.length > MAX_SCREENSHOT_BYTES) throw new RangeError(`An upload is at most ${MAX_SCREENSHOT_BYTES / 1024 / 1024} MB (got ${bytes.length} bytes)`);
}
