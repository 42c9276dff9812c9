// argon2id at OWASP's minimum parameters (19 MiB, 2 passes, 1 lane): ~25-50 ms a hash on these machines.
import argon2 from 'argon2';

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
}

export interface Argon2Options {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export const OWASP_ARGON2: Argon2Options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export class Argon2idHasher implements PasswordHasher {
  readonly #options: Argon2Options;
  constructor(options: Argon2Options = OWASP_ARGON2) {
    this.#options = options;
  }
  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.#options });
  }
  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      // A malformed stored hash is a failed match, not a crash.
      return false;
    }
  }
}
