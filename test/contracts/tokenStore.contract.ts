// The TokenStore promises (esr/ports.ts), for every implementation.
import { expect } from 'chai';
import type { TokenStore } from '../../esr/ports.js';
import type { StoredToken } from '../../esr/types.js';
import type { MakeSubject, Subject } from './subject.js';

const token = (hash: string, changes: Partial<StoredToken> = {}): StoredToken => ({
  hash,
  username: '241ASHAH01',
  purpose: 'reset',
  createdAt: '2026-01-05T10:00:00.000Z',
  expiresAt: '2026-01-05T14:00:00.000Z',
  ...changes,
});
const AT = '2026-01-05T11:00:00.000Z';

/** `shared`: instances of this store on the same back end see each other's writes (a database, not a file of one process's). */
export function tokenStoreContract(name: string, make: MakeSubject<TokenStore>, shared = false): void {
  describe(`${name} keeps the TokenStore contract`, () => {
    let s: Subject<TokenStore>;
    beforeEach(async () => (s = await make()));

    it('finds a token it issued by its hash, as given, and nothing for an unknown hash', async () => {
      await s.store.issue(token('h1'));
      expect(await s.store.findByHash('h1')).to.deep.equal(token('h1'));
      expect(await s.store.findByHash('h2')).to.equal(undefined);
    });

    it('voids earlier unused tokens of the same username and purpose, and no others', async () => {
      await s.store.issue(token('used'));
      await s.store.consume('used', AT);
      await s.store.issue(token('old'));
      await s.store.issue(token('unlock', { purpose: 'unlock' }));
      await s.store.issue(token('someone-else', { username: '241TOKAFOR01' }));
      await s.store.issue(token('new', { createdAt: '2026-01-05T10:30:00.000Z' }));
      expect(await s.store.findByHash('old')).to.deep.include({ voidedAt: '2026-01-05T10:30:00.000Z' });
      expect(await s.store.findByHash('used')).not.to.have.property('voidedAt');
      expect(await s.store.findByHash('unlock')).not.to.have.property('voidedAt');
      expect(await s.store.findByHash('someone-else')).not.to.have.property('voidedAt');
      expect(await s.store.consume('old', AT)).to.equal(false);
      expect(await s.store.consume('new', AT)).to.equal(true);
    });

    it('lets a token be used once, and records when', async () => {
      await s.store.issue(token('h1'));
      expect(await s.store.consume('h1', AT)).to.equal(true);
      expect(await s.store.consume('h1', AT)).to.equal(false);
      expect(await s.store.findByHash('h1')).to.deep.include({ usedAt: AT });
    });

    it('refuses an unknown token, and one used at or after its expiry', async () => {
      await s.store.issue(token('h1'));
      expect(await s.store.consume('nope', AT)).to.equal(false);
      expect(await s.store.consume('h1', '2026-01-05T14:00:00.000Z')).to.equal(false);
      expect(await s.store.findByHash('h1')).not.to.have.property('usedAt');
    });

    it('lets exactly one of twenty simultaneous uses of a token through', async () => {
      await s.store.issue(token('h1'));
      const results = await Promise.all(Array.from({ length: 20 }, () => s.store.consume('h1', AT)));
      expect(results.filter(Boolean)).to.have.length(1);
    });

    if (shared)
      it('lets exactly one use through when two instances use a token at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        await s.store.issue(token('h1'));
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? other : s.store).consume('h1', AT)));
        expect(results.filter(Boolean)).to.have.length(1);
      });

    it('purges tokens that expired before a time, counting them, and keeps the rest', async () => {
      await s.store.issue(token('gone', { expiresAt: '2026-01-04T00:00:00.000Z' }));
      await s.store.issue(token('edge', { username: 'B', expiresAt: '2026-01-05T00:00:00.000Z' }));
      await s.store.issue(token('kept', { username: 'C' }));
      expect(await s.store.purgeExpired('2026-01-05T00:00:00.000Z')).to.equal(1);
      expect(await s.store.findByHash('gone')).to.equal(undefined);
      expect(await s.store.findByHash('edge')).to.not.equal(undefined);
      expect(await s.store.purgeExpired('2026-01-05T00:00:00.000Z')).to.equal(0);
    });

    it('keeps tokens and their use across a restart', async () => {
      await s.store.issue(token('h1'));
      await s.store.consume('h1', AT);
      const reopened = await s.reopen();
      expect(await reopened.findByHash('h1')).to.deep.equal({ ...token('h1'), usedAt: AT });
      expect(await reopened.consume('h1', AT)).to.equal(false);
    });
  });
}
