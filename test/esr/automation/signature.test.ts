// The signature scheme both sides use: HMAC-SHA256 over "<t>.<raw body>", checked in constant time,
// within five minutes either way.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { expect } from 'chai';
import { ManualClock, MINUTE } from '../../../core/clock.js';
import { AutomationSignature, signBody, verifyBody } from '../../../esr/automation/signature.js';
import { SECRET } from '../../support/automation.js';

// The verification recipe from README "ESR automation contract", word for word but for the types.
function verifyEsrHelpdeskSignature(secret: string, rawBody: Buffer, header: string | undefined, nowMs = Date.now()): boolean {
  const t = Number(/(?:^|,)\s*t=(\d+)/.exec(header ?? '')?.[1]);
  const v1 = /(?:^|,)\s*v1=([0-9a-f]{64})/i.exec(header ?? '')?.[1];
  if (!t || !v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.`).update(rawBody).digest();
  return timingSafeEqual(Buffer.from(v1, 'hex'), expected) && Math.abs(nowMs / 1000 - t) <= 300;
}

describe('the automation signature', () => {
  const body = '{"id":"3b0c6f6e-8d4e-4c53-9a53-2f1f1d1f7a10","outcome":"done"}';
  const at = new Date('2026-01-05T10:00:00Z');

  it('is t=<unix seconds>,v1=<64 hex digits>, and verifies with the README recipe', () => {
    const header = signBody(SECRET, body, at);
    expect(header).to.match(/^t=1767607200,v1=[0-9a-f]{64}$/);
    expect(verifyEsrHelpdeskSignature(SECRET, Buffer.from(body), header, at.getTime())).to.be.true;
    expect(verifyEsrHelpdeskSignature(SECRET, Buffer.from(body.replace('done', 'fail')), header, at.getTime())).to.be.false;
    expect(verifyEsrHelpdeskSignature(SECRET, Buffer.from(body), header, at.getTime() + 6 * MINUTE)).to.be.false;
    expect(verifyEsrHelpdeskSignature(SECRET, Buffer.from(body), undefined, at.getTime())).to.be.false;
  });

  it('accepts its own signature within five minutes either way', () => {
    const header = signBody(SECRET, body, at);
    expect(verifyBody(SECRET, body, header, new Date(at.getTime() + 5 * MINUTE))).to.deep.equal({ ok: true });
    expect(verifyBody(SECRET, body, header, new Date(at.getTime() - 5 * MINUTE))).to.deep.equal({ ok: true });
  });

  it('refuses a timestamp more than five minutes old or ahead as stale', () => {
    const header = signBody(SECRET, body, at);
    expect(verifyBody(SECRET, body, header, new Date(at.getTime() + 5 * MINUTE + 1000))).to.deep.equal({ ok: false, reason: 'stale' });
    expect(verifyBody(SECRET, body, header, new Date(at.getTime() - 6 * MINUTE))).to.deep.equal({ ok: false, reason: 'stale' });
  });

  it('refuses a changed body, another secret, or a timestamp moved to look fresh', () => {
    const header = signBody(SECRET, body, at);
    expect(verifyBody(SECRET, body.replace('done', 'fail'), header, at)).to.deep.equal({ ok: false, reason: 'mismatch' });
    expect(verifyBody(`${SECRET}x`, body, header, at)).to.deep.equal({ ok: false, reason: 'mismatch' });
    expect(verifyBody(SECRET, body, header.replace('t=1767607200', 't=1767607260'), at)).to.deep.equal({ ok: false, reason: 'mismatch' });
  });

  it('tells a missing header from a malformed one', () => {
    expect(verifyBody(SECRET, body, undefined, at)).to.deep.equal({ ok: false, reason: 'missing' });
    expect(verifyBody(SECRET, body, 'sha256=abc', at)).to.deep.equal({ ok: false, reason: 'malformed' });
    expect(verifyBody(SECRET, body, 't=1767607200,v1=abc', at)).to.deep.equal({ ok: false, reason: 'malformed' });
  });

  it('accepts any one of several v1 values, so a secret can be rotated', () => {
    const old = signBody('an-old-secret-that-is-being-retired-now', body, at).split(',')[1]!;
    expect(verifyBody(SECRET, body, `${signBody(SECRET, body, at)},${old}`, at)).to.deep.equal({ ok: true });
  });

  it('signs and checks with the time of its injected clock', () => {
    const clock = new ManualClock('2026-01-05T10:00:00Z');
    const signature = new AutomationSignature(SECRET, clock);
    const header = signature.sign(body);
    clock.advance(4 * MINUTE);
    expect(signature.verify(body, header).ok).to.be.true;
    clock.advance(2 * MINUTE);
    expect(signature.verify(body, header)).to.deep.equal({ ok: false, reason: 'stale' });
  });
});
