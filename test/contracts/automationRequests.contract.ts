// The AutomationRequestStore promises (esr/automation/ports.ts), for every implementation: requests sent to
// the Trust's ESR automation, each finished exactly once, also when two callbacks race on two instances.
import { expect } from 'chai';
import type { AutomationRequestStore } from '../../esr/automation/ports.js';
import { sampleRequest } from '../support/automation.js';
import type { MakeSubject, Subject } from './subject.js';

const SENT = '2026-01-05T10:00:00.000Z';
const LATER = '2026-01-05T10:01:00.000Z';
const begun = (overrides: Parameters<typeof sampleRequest>[0] = {}, sentAt = SENT) => {
  const r = sampleRequest(overrides);
  return { id: r.id, action: r.action, username: r.username, requestedAt: r.requestedAt, sentAt };
};

/** `shared`: instances of this store on the same back end see each other's requests (a database). */
export function automationRequestStoreContract(name: string, make: MakeSubject<AutomationRequestStore>, shared = false): void {
  describe(`${name} keeps the AutomationRequestStore contract`, () => {
    let s: Subject<AutomationRequestStore>;
    beforeEach(async () => (s = await make()));

    it('keeps a request as pending, then finished with its status, time and message, across a restart', async () => {
      const [a, b] = [begun(), begun({ action: 'reactivate', username: 'bea.sample' })];
      await s.store.begin(a);
      await s.store.begin(b);
      expect(await s.store.finish(b.id, 'failed', LATER, 'Account not found in ESR')).to.equal('finished');
      const reopened = await s.reopen();
      expect(await reopened.get(a.id)).to.deep.equal({ ...a, status: 'pending' });
      expect(await reopened.get(b.id)).to.deep.equal({ ...b, status: 'failed', finishedAt: LATER, message: 'Account not found in ESR' });
    });

    it('makes a request sent again pending from its new time, keeping when it was first requested', async () => {
      const a = begun();
      await s.store.begin(a);
      await s.store.finish(a.id, 'unavailable', LATER, 'timed out');
      await s.store.begin({ ...a, requestedAt: '2026-01-05T10:05:00.000Z', sentAt: '2026-01-05T10:05:00.000Z' });
      expect(await s.store.get(a.id)).to.deep.equal({ ...a, sentAt: '2026-01-05T10:05:00.000Z', status: 'pending' });
    });

    it('finishes a request exactly once, even when two try at the same moment', async () => {
      const r = begun();
      await s.store.begin(r);
      const results = await Promise.all([s.store.finish(r.id, 'done', LATER), s.store.finish(r.id, 'timed_out', LATER)]);
      expect([...results].sort()).to.deep.equal(['already_finished', 'finished']);
      expect(await s.store.get(r.id)).to.include({ status: results[0] === 'finished' ? 'done' : 'timed_out' });
      expect(await s.store.finish(r.id, 'failed', LATER)).to.equal('already_finished');
    });

    it('tells an unknown id from a finished one, whatever the id looks like', async () => {
      expect(await s.store.finish(sampleRequest().id, 'done', SENT)).to.equal('unknown');
      expect(await s.store.finish('__proto__', 'done', SENT)).to.equal('unknown');
      expect(await s.store.get('constructor')).to.equal(undefined);
    });

    it('lists only pending requests sent before a time', async () => {
      const [old, recent, done] = [begun({}, '2026-01-05T09:00:00.000Z'), begun({}, '2026-01-05T09:59:00.000Z'), begun({}, '2026-01-05T09:00:00.000Z')];
      for (const r of [old, recent, done]) await s.store.begin(r);
      await s.store.finish(done.id, 'done', SENT);
      expect((await s.store.pendingSentBefore(new Date('2026-01-05T09:30:00Z'))).map((r) => r.id)).to.deep.equal([old.id]);
    });

    it('forgets requests that finished before a time, counting them, and keeps pending and later ones', async () => {
      const [early, late, pending] = [begun(), begun(), begun({}, '2026-01-01T00:00:00.000Z')];
      for (const r of [early, late, pending]) await s.store.begin(r);
      await s.store.finish(early.id, 'done', '2026-01-05T10:00:00.000Z');
      await s.store.finish(late.id, 'done', '2026-01-05T12:00:00.000Z');
      expect(await s.store.pruneFinished(new Date('2026-01-05T11:00:00Z'))).to.equal(1);
      expect(await s.store.get(early.id)).to.equal(undefined);
      expect(await s.store.get(late.id)).to.include({ status: 'done' });
      expect(await s.store.get(pending.id)).to.include({ status: 'pending' });
    });

    if (shared) {
      it('two callbacks for one request on two instances: exactly one wins', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const requests = Array.from({ length: 10 }, () => begun());
        for (const r of requests) await s.store.begin(r);
        const results = await Promise.all(requests.map((r) => Promise.all([s.store.finish(r.id, 'done', LATER, 'here'), other.finish(r.id, 'failed', LATER, 'there')])));
        for (const [i, [here, there]] of results.entries()) {
          expect([here, there].sort(), requests[i]!.id).to.deep.equal(['already_finished', 'finished']);
          expect(await other.get(requests[i]!.id)).to.include(here === 'finished' ? { status: 'done', message: 'here' } : { status: 'failed', message: 'there' });
        }
      });

      it('finds on one instance a request another sent, so a callback can reach either', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const r = begun();
        await s.store.begin(r);
        expect((await other.pendingSentBefore(new Date('2026-01-05T11:00:00Z'))).map((p) => p.id)).to.deep.equal([r.id]);
        expect(await other.finish(r.id, 'done', LATER)).to.equal('finished');
        expect(await s.store.get(r.id)).to.include({ status: 'done', finishedAt: LATER });
      });
    }
  });
}
