// Expiring, signed links to ticket screenshots for agents (the card in their channel links to them).
// Whoever holds a link can open it until it expires, so links are long-random-signed and short-lived.
import { createHmac, timingSafeEqual } from 'node:crypto';

export class LinkSigner {
  readonly #key: Buffer;
  /** `key`: the same on every instance (the stores' secret "signing"), or a link signed by one fails on another. */
  constructor(key: Buffer) {
    this.#key = key;
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
