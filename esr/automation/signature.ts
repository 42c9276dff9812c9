// Signs and checks the bodies exchanged with a Trust's ESR automation, both ways: the bot's requests and
// the automation's callbacks. HMAC-SHA256 over "<unix seconds>.<raw body>", so a body cannot be altered
// and an old message cannot be replayed later than the tolerance.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { MINUTE, type Clock } from '../../core/clock.js';

export const SIGNATURE_HEADER = 'X-ESR-Helpdesk-Signature';

/** How far a signature's timestamp may be from our clock, either way. */
export const SIGNATURE_TOLERANCE_MS = 5 * MINUTE;

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'malformed' | 'mismatch' | 'stale' };

/** The hex HMAC-SHA256 of "<t>.<body>" with the shared secret. */
export function signatureDigest(secret: string, t: number, body: Buffer | string): string {
  return createHmac('sha256', secret).update(`${t}.`).update(body).digest('hex');
}

/** The header value `t=<unix seconds>,v1=<hex HMAC>` for a body sent at `at`. */
export function signBody(secret: string, body: Buffer | string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${signatureDigest(secret, t, body)}`;
}

/** Checks a header against the raw body bytes as received, at `now`. */
export function verifyBody(secret: string, body: Buffer | string, header: string | undefined, now: Date, toleranceMs = SIGNATURE_TOLERANCE_MS): SignatureCheck {
  if (!header) return { ok: false, reason: 'missing' };
  let t: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2) as [string, string | undefined];
    if (key === 't' && value && /^\d{1,12}$/.test(value)) t = Number(value);
    // Several v1 values are allowed, so a secret can be rotated without a gap.
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/i.test(value)) candidates.push(value.toLowerCase());
  }
  if (t === undefined || candidates.length === 0) return { ok: false, reason: 'malformed' };
  const expected = Buffer.from(signatureDigest(secret, t, body), 'hex');
  // Every candidate is compared in full (constant time), whatever the first one gave.
  let matched = false;
  for (const candidate of candidates) matched = timingSafeEqual(Buffer.from(candidate, 'hex'), expected) || matched;
  if (!matched) return { ok: false, reason: 'mismatch' };
  // Checked after the HMAC, so a forger learns nothing from a "stale" answer.
  if (Math.abs(now.getTime() - t * 1000) > toleranceMs) return { ok: false, reason: 'stale' };
  return { ok: true };
}

/** The scheme with its secret and clock bound in, for the client, the callback route and the stub. */
export class AutomationSignature {
  readonly #secret: string;
  readonly #clock: Clock;
  constructor(secret: string, clock: Clock) {
    this.#secret = secret;
    this.#clock = clock;
  }
  sign(body: Buffer | string): string {
    return signBody(this.#secret, body, this.#clock.now());
  }
  verify(body: Buffer | string, header: string | undefined): SignatureCheck {
    return verifyBody(this.#secret, body, header, this.#clock.now());
  }
}
