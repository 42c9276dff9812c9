// Tickets and usage over twelve weeks, in two organisations (241 the default, 242), for the trends tests.
// The clock ends on Wednesday 18 March 2026 at 12:00 (London, GMT), so the window starts on Monday 29 December 2025.
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ManualClock } from '../../core/clock.js';
import { createTicket } from './dashboardFixtures.js';
import type { TestApp } from './testApp.js';

export const TRENDS_NOW = '2026-03-18T12:00:00Z';
const AGENT = { id: 'agent-1', name: 'Ria Agent' };

export async function seedTrends(t: TestApp, clock: ManualClock): Promise<void> {
  const at = async (iso: string, fn: () => Promise<unknown>) => {
    clock.set(iso);
    await fn();
  };
  // Before the window, of the default organisation (no code: from before organisations), resolved inside it.
  clock.set('2025-12-20T09:00:00Z');
  const old = await createTicket(t, { userId: '29:old', description: 'An old one' });
  await at('2025-12-30T09:00:00Z', () => t.app.tickets.resolve(old.id, AGENT));
  clock.set('2026-01-05T10:00:00Z');
  const wigan = await createTicket(t, { userId: '29:wyn', organisationCode: '242', description: 'Wigan payslip' });
  await at('2026-01-06T09:00:00Z', () => t.app.tickets.resolve(wigan.id, AGENT));
  clock.set('2026-03-16T09:00:00Z');
  await createTicket(t, { userId: '29:bea', organisationCode: '241' });
  clock.set('2026-03-17T09:00:00Z');
  const chris = await createTicket(t, { userId: '29:chris', organisationCode: '241' });
  await at('2026-03-18T11:00:00Z', () => t.app.tickets.resolve(chris.id, AGENT));
  clock.set(TRENDS_NOW);
  const lines = [
    { at: '2026-01-07T10:00:00.000Z', flow: 'forgotPassword', kind: 'self_served', organisationCode: '242' },
    { at: '2026-01-07T10:00:00.000Z', flow: 'forgotPassword', kind: 'started', organisationCode: '242' },
    ...Array.from({ length: 3 }, () => ({ at: '2026-03-17T10:00:00.000Z', flow: 'register', kind: 'self_served' })),
    { at: '2025-12-01T10:00:00.000Z', flow: 'register', kind: 'self_served' }, // before the window
  ];
  await appendFile(join(t.dataDir, 'usage.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
}
