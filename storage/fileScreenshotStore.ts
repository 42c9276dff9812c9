// Ticket screenshots as files: <dir>/<ticketId>/<screenshotId>.<ext>. Each is written to a temporary file,
// flushed, then renamed into place, so a file under its final name is always whole. Names come from the
// ticket id and the random screenshot id only; the user's file name never reaches the file system.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { extensionFor } from '../tickets/imageType.js';
import type { ScreenshotStore } from '../tickets/ports.js';
import type { Screenshot } from '../tickets/types.js';
import { syncDirectory } from './atomicJsonFile.js';

const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;
const SCREENSHOT_FILE = /^([A-Za-z0-9_-]{1,100})\.(png|jpg|gif|webp)$/;

export class FileScreenshotStore implements ScreenshotStore {
  readonly dir: string;

  private constructor(dir: string) {
    this.dir = dir;
  }

  static async open(dir: string): Promise<FileScreenshotStore> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    return new FileScreenshotStore(dir);
  }

  async put(ticketId: number, screenshot: Screenshot, bytes: Buffer): Promise<void> {
    const folder = this.#folder(ticketId);
    if (!SAFE_ID.test(screenshot.id)) throw new TypeError(`Screenshot id "${screenshot.id}" is not file-name-safe`);
    const created = await mkdir(folder, { recursive: true, mode: 0o700 });
    const temp = join(folder, `.${screenshot.id}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(bytes);
        await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(temp, join(folder, `${screenshot.id}.${extensionFor(screenshot.contentType)}`));
    } catch (error) {
      await unlink(temp).catch(() => undefined);
      throw error;
    }
    // The rename (and a new folder) must be on disk before the ticket that points at the file is saved.
    await syncDirectory(folder);
    if (created !== undefined) await syncDirectory(this.dir);
  }

  async get(ticketId: number, screenshotId: string): Promise<Buffer | undefined> {
    if (!SAFE_ID.test(screenshotId)) return undefined;
    const folder = this.#folder(ticketId);
    const name = (await this.#files(folder)).find((f) => SCREENSHOT_FILE.exec(f)?.[1] === screenshotId);
    if (name === undefined) return undefined;
    try {
      return await readFile(join(folder, name));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async delete(ticketId: number, screenshotId: string): Promise<boolean> {
    if (!SAFE_ID.test(screenshotId)) return false;
    const folder = this.#folder(ticketId);
    const name = (await this.#files(folder)).find((f) => SCREENSHOT_FILE.exec(f)?.[1] === screenshotId);
    if (name === undefined) return false;
    await rm(join(folder, name), { force: true });
    return true;
  }

  async deleteForTicket(ticketId: number): Promise<number> {
    const folder = this.#folder(ticketId);
    const count = (await this.#files(folder)).filter((f) => SCREENSHOT_FILE.test(f)).length;
    await rm(folder, { recursive: true, force: true });
    return count;
  }

  #folder(ticketId: number): string {
    if (!Number.isSafeInteger(ticketId) || ticketId < 1) throw new TypeError(`Ticket id ${ticketId} is not a positive whole number`);
    return join(this.dir, String(ticketId));
  }

  async #files(folder: string): Promise<string[]> {
    try {
      return await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
  }
}

