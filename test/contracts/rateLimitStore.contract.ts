// The RateLimitStore promises (esr/rateLimiter.ts), for every implementation, through the RateLimiter too.
import { expect } from 'chai';
import { RateLimiter, type PrunableRateLimitStore } from '../../esr/rateLimiter.js';
import type { MakeSubject, Subject } from './subject.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const limit = { max: 5, windowMs: HOUR };

/** `shared`: instances of this store on the same back end see each other's writes (a database, not a file of one process's). */
export function rateLimitStoreContract(name: string, make: MakeSubject<PrunableRateLimitStore>, shared = false): void {
  describe(`${name} keeps the RateLimitStore contract`, () => {
    let s: Subject<PrunableRateLimitStore>;
    beforeEach(async () => (s = await make()));

    it('has no hits for a new key, stores what the change returns, and forgets a key changed to none', async () => {
      expect(await s.store.hits('k')).to.deep.equal([]);
      await s.store.update('k', (hits) => [...hits, T0, T0 + 1]);
      await s.store.update('k', (hits) => [...hits, T0 + 2]);
      expect(await s.store.hits('k')).to.deep.equal([T0, T0 + 1, T0 + 2]);
      expect(await s.store.hits('other')).to.deep.equal([]);
      await s.store.update('k', () => []);
      expect(await s.store.hits('k')).to.deep.equal([]);
    });

    it('allows the limit, refuses the next, and allows again once the window has passed', async () => {
      const limiter = new RateLimiter(s.store);
      const allowed = [];
      for (let i = 0; i < 6; i++) allowed.push(await limiter.allow('k', limit, new Date(T0 + i)));
      expect(allowed).to.deep.equal([true, true, true, true, true, false]);
      expect(await limiter.isBlocked('k', limit, new Date(T0 + 10))).to.equal(true);
      expect(await limiter.allow('k', limit, new Date(T0 + HOUR + 1))).to.equal(true);
    });

    it('lets exactly the limit through when twenty hits arrive at once', async () => {
      const limiter = new RateLimiter(s.store);
      const results = await Promise.all(Array.from({ length: 20 }, () => limiter.allow('k', limit, new Date(T0))));
      expect(results.filter(Boolean)).to.have.length(5);
      expect(await s.store.hits('k')).to.have.length(5);
    });

    if (shared)
      it('shares counts between two instances: hits on one count on the other, also when they arrive at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const [a, b] = [new RateLimiter(s.store), new RateLimiter(other)];
        for (let i = 0; i < 3; i++) expect(await a.allow('k', limit, new Date(T0))).to.equal(true);
        expect(await b.allow('k', limit, new Date(T0))).to.equal(true);
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).allow('k', limit, new Date(T0))));
        expect(results.filter(Boolean)).to.have.length(1);
        expect(await b.isBlocked('k', limit, new Date(T0))).to.equal(true);
      });

    it('prunes keys whose newest hit is older than a time, counting them, and keeps hits across a restart', async () => {
      await s.store.update('old', () => [T0 - 2 * HOUR, T0 - HOUR - 1]);
      await s.store.update('new', () => [T0 - 2 * HOUR, T0]);
      expect(await s.store.prune(T0 - HOUR)).to.equal(1);
      const reopened = await s.reopen();
      expect(await reopened.hits('old')).to.deep.equal([]);
      expect(await reopened.hits('new')).to.deep.equal([T0 - 2 * HOUR, T0]);
    });
  });
}
