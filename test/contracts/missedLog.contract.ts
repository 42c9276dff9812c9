// The MissedLog promises (understanding/missed.ts), for every implementation: what the bot could not answer,
// kept as given (already redacted) and read back from a time onwards.
import { expect } from 'chai';
import type { MissedEvent, MissedLog } from '../../understanding/missed.js';
import type { MakeSubject, Subject } from './subject.js';

const event = (minute: number, changes: Partial<MissedEvent> = {}): MissedEvent => ({
  at: `2026-01-05T10:${String(minute).padStart(2, '0')}:00.000Z`,
  kind: 'fallback',
  key: 'esr lock',
  text: 'my esr is locked',
  ...changes,
});

/** `shared`: instances of this log on the same back end see each other's events (a database). */
export function missedLogContract(name: string, make: MakeSubject<MissedLog>, shared = false): void {
  describe(`${name} keeps the MissedLog contract`, () => {
    let s: Subject<MissedLog>;
    beforeEach(async () => (s = await make()));

    it('lists events in the order they were recorded, as given, with no fields added', async () => {
      const events = [
        event(2),
        event(1, { kind: 'choice', key: 'payslip', text: 'where is my payslip', choice: 'payslip.where' }),
        event(3, { kind: 'somethingElse', key: '', text: '[a message that looked like a password, not kept]' }),
        event(4, { kind: 'added', text: 'esr locked again', choice: 'en-GB: unlock' }),
      ];
      for (const e of events) await s.store.record(e);
      expect(await s.store.since('')).to.deep.equal(events);
    });

    it('gives the events from a time onwards, that time included', async () => {
      for (const minute of [1, 2, 3, 4]) await s.store.record(event(minute));
      expect((await s.store.since('2026-01-05T10:03:00.000Z')).map((e) => e.at)).to.deep.equal(['2026-01-05T10:03:00.000Z', '2026-01-05T10:04:00.000Z']);
      expect(await s.store.since('2026-01-05T11:00:00.000Z')).to.deep.equal([]);
    });

    it('keeps every event recorded at once, and across a restart', async () => {
      await Promise.all(Array.from({ length: 25 }, (_, i) => s.store.record(event(i, { text: `question ${i}` }))));
      const kept = await (await s.reopen()).since('');
      expect(kept.map((e) => e.text)).to.have.members(Array.from({ length: 25 }, (_, i) => `question ${i}`));
    });

    if (shared)
      it('shows on one instance what another recorded, so the dashboard counts every instance\'s misses', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        await s.store.record(event(1));
        await other.record(event(2));
        expect((await s.store.since('')).map((e) => e.at)).to.deep.equal([event(1).at, event(2).at]);
        expect(await other.since('')).to.deep.equal(await s.store.since(''));
      });
  });
}
