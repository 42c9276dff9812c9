// The UsageLog promises (tickets/usage.ts), for every implementation.
import { expect } from 'chai';
import type { UsageEvent, UsageLog } from '../../tickets/usage.js';
import type { MakeSubject, Subject } from './subject.js';

export function usageLogContract(name: string, make: MakeSubject<UsageLog>): void {
  describe(`${name} keeps the UsageLog contract`, () => {
    let s: Subject<UsageLog>;
    beforeEach(async () => (s = await make()));

    it('returns the events at or after a time, in the order recorded, and keeps them across a restart', async () => {
      const events: UsageEvent[] = [
        { at: '2026-01-04T09:00:00.000Z', flow: 'forgotPassword', kind: 'started' },
        { at: '2026-01-05T09:00:00.000Z', flow: 'forgotPassword', kind: 'self_served' },
        { at: '2026-01-05T10:00:00.000Z', flow: 'faq', kind: 'started' },
      ];
      for (const e of events) await s.store.record(e);
      expect(await s.store.since('2026-01-05T09:00:00.000Z')).to.deep.equal(events.slice(1));
      expect(await (await s.reopen()).since('2026-01-01T00:00:00.000Z')).to.deep.equal(events);
      expect(await s.store.since('2026-02-01T00:00:00.000Z')).to.deep.equal([]);
    });

    it("keeps each event's organisation, so the dashboard counts each organisation's usage on its own", async () => {
      const events: UsageEvent[] = [
        { at: '2026-01-05T09:00:00.000Z', flow: 'unlock', kind: 'started', organisationCode: '241' },
        { at: '2026-01-05T09:01:00.000Z', flow: 'unlock', kind: 'started', organisationCode: '7A1' },
        { at: '2026-01-05T09:02:00.000Z', flow: 'faq', kind: 'started' },
      ];
      await Promise.all(events.map((e) => s.store.record(e)));
      expect(await s.store.since('2026-01-01T00:00:00.000Z')).to.deep.equal(events);
      expect(await (await s.reopen()).since('2026-01-01T00:00:00.000Z')).to.deep.equal(events);
    });
  });
}
