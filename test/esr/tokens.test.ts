// Reset and unlock tokens: random, URL-safe, and kept only as a hash.
import { expect } from 'chai';
import { hashToken, looksLikeToken, newToken, TOKEN_BYTES } from '../../esr/tokens.js';

describe('tokens', () => {
  it('makes tokens of 256 random bits as 43 URL-safe characters, with no padding', () => {
    expect(TOKEN_BYTES).to.equal(32);
    const token = newToken();
    expect(token).to.match(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).to.have.length(32);
  });

  it('never makes the same token twice in a thousand tries', () => {
    const tokens = new Set(Array.from({ length: 1000 }, () => newToken()));
    expect(tokens.size).to.equal(1000);
  });

  it('hashes a token to 64 hex characters of SHA-256, the same every time and unlike the token', () => {
    const token = newToken();
    const hash = hashToken(token);
    expect(hash).to.match(/^[0-9a-f]{64}$/);
    expect(hashToken(token)).to.equal(hash);
    expect(hash).not.to.contain(token);
    expect(hashToken(newToken())).not.to.equal(hash);
  });

  it('matches the published SHA-256 of a known input', () => {
    expect(hashToken('abc')).to.equal('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('recognises the shape of its own tokens', () => {
    for (let i = 0; i < 20; i++) expect(looksLikeToken(newToken())).to.equal(true);
  });

  const junk: Array<[string, string]> = [
    ['', 'empty'],
    ['a'.repeat(42), 'one character short'],
    ['a'.repeat(44), 'one character long'],
    [`${'a'.repeat(42)}=`, 'base64 padding'],
    [`${'a'.repeat(42)}+`, 'standard base64 "+"'],
    [`${'a'.repeat(42)}/`, 'standard base64 "/"'],
    [` ${'a'.repeat(43)}`, 'a leading space'],
    [`${'a'.repeat(42)}é`, 'a letter outside ASCII'],
    ["' OR 1=1 --", 'an injection attempt'],
  ];
  for (const [text, why] of junk) {
    it(`refuses to look up a token with ${why}`, () => {
      expect(looksLikeToken(text)).to.equal(false);
    });
  }
});
