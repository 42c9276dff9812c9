// The AuditLog promises (esr/ports.ts), for every implementation.
import { expect } from 'chai';
import type { AuditEvent, AuditLog } from '../../esr/ports.js';
import type { MakeSubject, Subject } from './subject.js';

const event = (minute: number, changes: Partial<AuditEvent> = {}): AuditEvent => ({
  at: `2026-01-05T10:${String(minute).padStart(2, '0')}:00.000Z`,
  action: 'password.reset',
  actor: { kind: 'staff', id: '29:aisha', name: 'Aisha Shah' },
  channel: 'teams',
  outcome: 'success',
  ...changes,
});

export function auditLogContract(name: string, make: MakeSubject<AuditLog>): void {
  describe(`${name} keeps the AuditLog contract`, () => {
    let s: Subject<AuditLog>;
    beforeEach(async () => (s = await make()));

    it('lists events in the order they were recorded, as given, with no fields added', async () => {
      const events = [event(2, { username: '241ASHAH01', detail: { rule: 'too_short', count: 2, ok: false } }), event(1), event(3, { actor: { kind: 'anonymous' }, channel: 'web', outcome: 'failure' })];
      for (const e of events) await s.store.record(e);
      expect(await s.store.list()).to.deep.equal(events);
    });

    it('filters by username, action and time (from it onwards), and keeps the newest when limited', async () => {
      await s.store.record(event(1, { username: 'A' }));
      await s.store.record(event(2, { username: 'B', action: 'account.unlocked' }));
      await s.store.record(event(3, { username: 'A', action: 'account.unlocked' }));
      await s.store.record(event(4, { username: 'A' }));
      const minutes = (events: AuditEvent[]) => events.map((e) => e.at.slice(14, 16));
      expect(minutes(await s.store.list({ username: 'A' }))).to.deep.equal(['01', '03', '04']);
      expect(minutes(await s.store.list({ action: 'account.unlocked' }))).to.deep.equal(['02', '03']);
      expect(minutes(await s.store.list({ since: '2026-01-05T10:03:00.000Z' }))).to.deep.equal(['03', '04']);
      expect(minutes(await s.store.list({ username: 'A', limit: 2 }))).to.deep.equal(['03', '04']);
      expect(minutes(await s.store.list({ username: 'A', action: 'password.reset', since: '2026-01-05T10:02:00.000Z' }))).to.deep.equal(['04']);
    });

    it('keeps every event recorded at once, and across a restart', async () => {
      await Promise.all(Array.from({ length: 25 }, (_, i) => s.store.record(event(i))));
      expect(await (await s.reopen()).list()).to.have.length(25);
    });
  });
}
