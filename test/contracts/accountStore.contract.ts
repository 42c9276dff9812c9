// The AccountStore promises (esr/ports.ts), for every implementation.
import { expect } from 'chai';
import type { AccountStore } from '../../esr/ports.js';
import { rejectionOf, type MakeSubject, type Subject } from './subject.js';

/** `shared`: instances of this store on the same back end see each other's writes (a database, not a file of one process's). */
export function accountStoreContract(name: string, make: MakeSubject<AccountStore>, shared = false): void {
  describe(`${name} keeps the AccountStore contract`, () => {
    let s: Subject<AccountStore>;
    beforeEach(async () => (s = await make()));

    it('knows no account until one is updated, and then starts from a blank one', async () => {
      expect(await s.store.get('241ASHAH01')).to.equal(undefined);
      const seen: unknown[] = [];
      const after = await s.store.update('241ASHAH01', (current) => {
        seen.push(structuredClone(current));
        return { ...current, status: 'approved', passwordHash: '$argon2id$x' };
      });
      expect(seen).to.deep.equal([{ username: '241ASHAH01', status: 'not_registered', previousHashes: [], locked: false, failedAttempts: 0 }]);
      expect(after).to.deep.include({ status: 'approved', passwordHash: '$argon2id$x' });
      expect(await s.store.get('241ASHAH01')).to.deep.equal(after);
    });

    it('returns copies: changing what it returned changes nothing stored', async () => {
      const after = await s.store.update('241ASHAH01', (c) => ({ ...c, previousHashes: ['a'] }));
      after.previousHashes.push('b');
      (await s.store.get('241ASHAH01'))!.locked = true;
      expect(await s.store.get('241ASHAH01')).to.deep.include({ previousHashes: ['a'], locked: false });
    });

    it('stores nothing when the change throws', async () => {
      const error = await rejectionOf(s.store.update('241ASHAH01', () => {
        throw new Error('no');
      }));
      expect((error as Error).message).to.equal('no');
      expect(await s.store.get('241ASHAH01')).to.equal(undefined);
    });

    it('applies thirty simultaneous updates one after another, losing none', async () => {
      await Promise.all(Array.from({ length: 30 }, () => s.store.update('241ASHAH01', (c) => ({ ...c, failedAttempts: c.failedAttempts + 1 }))));
      expect((await s.store.get('241ASHAH01'))?.failedAttempts).to.equal(30);
    });

    if (shared)
      it('loses no update when two instances update the same account at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        await Promise.all(Array.from({ length: 30 }, (_, i) => (i % 2 ? other : s.store).update('241ASHAH01', (c) => ({ ...c, failedAttempts: c.failedAttempts + 1 }))));
        expect((await other.get('241ASHAH01'))?.failedAttempts).to.equal(30);
      });

    it('keeps accounts across a restart', async () => {
      const after = await s.store.update('241ASHAH01', (c) => ({ ...c, locked: true, lockedAt: '2026-01-05T10:00:00.000Z', failedAttempts: 5 }));
      expect(await (await s.reopen()).get('241ASHAH01')).to.deep.equal(after);
    });
  });
}
