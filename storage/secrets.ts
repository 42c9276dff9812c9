// The secrets the bot makes for itself (today one: the key that signs screenshot links). Embedded, each is a
// file in DATA_DIR (signing.key, as before); on PostgreSQL a row of app_secrets, so every instance has the
// same one. A secret is never logged, and never leaves the process except into its file or its row.
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_FILE_MODE } from './privateFiles.js';

export interface SecretStore {
  /** The secret called `name`: made (32 random bytes) and kept the first time any instance asks for it. */
  secret(name: string): Promise<Buffer>;
}

const SECRET_NAME = /^[a-z][a-z0-9-]{0,63}$/;

/** Secrets as files `<name>.key` (base64url) in a folder readable by this user only. */
export class FileSecretStore implements SecretStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = dir;
  }

  /** The secret's file if there is one, without making it (to carry an embedded key into the database). */
  async existing(name: string): Promise<Buffer | undefined> {
    try {
      const key = Buffer.from((await readFile(this.#file(name), 'utf8')).trim(), 'base64url');
      return key.length > 0 ? key : undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async secret(name: string): Promise<Buffer> {
    const found = await this.existing(name);
    if (found) return found;
    const key = randomBytes(32);
    try {
      await writeFile(this.#file(name), key.toString('base64url'), { mode: PRIVATE_FILE_MODE, flag: 'wx' });
      return key;
    } catch (error) {
      // Another process made it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      return (await this.existing(name))!;
    }
  }

  #file(name: string): string {
    if (!SECRET_NAME.test(name)) throw new Error(`Not a secret's name: ${name}`);
    return join(this.#dir, `${name}.key`);
  }
}
