// DATA_DIR holds staff records, password hashes, tickets and emails: only the bot's own user may list or
// read it. Folders are made 0700 and files 0600 as they are created; at start-up anything left looser (an
// older version, a copy made by hand, a restored backup) is tightened, and the caller logs which.
import { chmod, lstat, mkdir, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Creates `dir` (and any missing parents) readable by this user only. */
export async function makePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

export interface Tightening {
  /** Paths (relative to the root; "." is the root) whose group or other permissions were removed. */
  tightened: string[];
  /** Paths that could not be changed (owned by another user), with the reason. */
  refused: Array<{ path: string; reason: string }>;
}

/**
 * Creates `root` if need be, then walks it: every folder that others could list or enter becomes 0700, every
 * file others could read or write becomes 0600. Symbolic links are neither followed nor changed.
 */
export async function tightenTree(root: string): Promise<Tightening> {
  await makePrivateDir(root);
  const result: Tightening = { tightened: [], refused: [] };
  const visit = async (path: string): Promise<void> => {
    const info = await lstat(path);
    if (info.isSymbolicLink() || (!info.isDirectory() && !info.isFile())) return;
    const wanted = info.isDirectory() ? PRIVATE_DIR_MODE : PRIVATE_FILE_MODE;
    if ((info.mode & 0o077) !== 0) {
      try {
        await chmod(path, wanted);
        result.tightened.push(relative(root, path) || '.');
      } catch (error) {
        result.refused.push({ path: relative(root, path) || '.', reason: (error as NodeJS.ErrnoException).code ?? String(error) });
      }
    }
    if (info.isDirectory()) {
      for (const name of await readdir(path)) await visit(join(path, name));
    }
  };
  await visit(root);
  return result;
}
