// The Trust's content overrides (DATA_DIR/content): files named like the shipped ones, each replacing or
// adding to its shipped file. Edited as a whole file at a time, so an edit is one read-change-write.
import { mkdir, readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The names an override file may have: `en-GB.json`, `faq.cy-GB.json` (and nothing with a path in it). */
export const OVERRIDE_FILE = /^(faq\.)?[a-z]{2}-[A-Z]{2}\.json$/;

export interface OverrideFiles {
  /** Rewrites override file `name` from what it holds now (undefined when there is none yet); resolves with the body written. */
  edit(name: string, change: (current: string | undefined) => string): Promise<string>;
}

export async function readOverrideFile(dir: string, name: string): Promise<string | undefined> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Written whole or not at all (a file watcher never sees half a file), readable by this user only. */
export async function writeOverrideFile(dir: string, name: string, body: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const file = join(dir, name);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, body, { mode: 0o600 });
  await rename(tmp, file);
}

/** The override files in `dir` (by name), none when there is no folder. */
export async function listOverrideFiles(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir)).filter((name) => OVERRIDE_FILE.test(name)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

/** The overrides as files in `dir` only (no DATABASE_URL): one instance, its own folder. */
export function localOverrideFiles(dir: string): OverrideFiles {
  return {
    edit: async (name, change) => {
      const body = change(await readOverrideFile(dir, name));
      await writeOverrideFile(dir, name, body);
      return body;
    },
  };
}
