// Reset and unlock tokens: 256 random bits from the CSPRNG, handed out once and kept only as a SHA-256 hash.
// A fast hash is right here: the token has full entropy, so there is nothing to brute-force.
import { createHash, randomBytes } from 'node:crypto';

export const TOKEN_BYTES = 32;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** Cheap shape check before any lookup, so junk never reaches the store. */
export function looksLikeToken(token: string): boolean {
  return /^[A-Za-z0-9_-]{43}$/.test(token);
}
