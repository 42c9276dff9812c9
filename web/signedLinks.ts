// Expiring, signed links to ticket screenshots for agents (the card in their channel links to them).
// Whoever holds a link can open it until it expires, so links are long-random-signed and short-lived.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';

export class LinkSigner {
  readonly #key: Buffer;
  constructor(key: Buffer) {
    this.#key = key;
  }

  /** Reads the signing key from `file`, creating a random one (readable by this user only) the first time. */
  static async fromFile(file: string): Promise<LinkSigner> {
    try {
      return new LinkSigner(Buffer.from((await readFile(file, 'utf8')).trim(), 'base64url'));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      const key = randomBytes(32);
      await writeFile(file, key.toString('base64url'), { mode: 0o600, flag: 'wx' });
      return new LinkSigner(key);
    }
  }

  sign(path: string, expiresAt: Date): string {
    const exp = Math.floor(expiresAt.getTime() / 1000);
    return `${path}?exp=${exp}&sig=${this.#mac(path, exp)}`;
  }

  verify(path: string, exp: string, sig: string, now: Date): boolean {
    const expiry = Number(exp);
    if (!Number.isInteger(expiry) || expiry * 1000 < now.getTime()) return false;
    const expected = Buffer.from(this.#mac(path, expiry));
    const given = Buffer.from(sig);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  #mac(path: string, exp: number): string {
    return createHmac('sha256', this.#key).update(`${path}\n${exp}`).digest('base64url');
  }
}
