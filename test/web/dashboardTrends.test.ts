// The dashboard's trends API over twelve weeks of seeded tickets and usage, with a manual clock: tickets
// opened and resolved per day, the self-service share per week, for all organisations or one.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import type { Trends } from '../../tickets/trends.js';
import { TWO_ORGANISATIONS } from '../support/organisations.js';
import { seedTrends, TRENDS_NOW } from '../support/trendsFixtures.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

describe('the dashboard trends API', function () {
  this.timeout(30_000);
  let t: TestApp;

  before(async () => {
    const clock = new ManualClock(TRENDS_NOW);
    const dataDir = await mkdtemp(join(tmpdir(), 'esr-trends-'));
    await writeFile(join(dataDir, 'organisations.json'), JSON.stringify(TWO_ORGANISATIONS));
    // The development login: this test is about the figures, dashboardAuth.test.ts about who may see them.
    t = await startTestApp({ dataDir, clock, housekeeping: false, env: { DASHBOARD_DEV_LOGIN: 'true' } });
    await seedTrends(t, clock);
  });
  after(async () => {
    await t?.stop({ keepData: false });
  });

  async function trends(query = ''): Promise<Trends> {
    const res = await fetch(`${t.url}/api/dashboard/trends${query}`);
    expect(res.status).to.equal(200);
    return ((await res.json()) as { trends: Trends }).trends;
  }
  const day = (tr: Trends, date: string) => tr.days.find((d) => d.date === date);
  const week = (tr: Trends, weekStart: string) => tr.weeks.find((w) => w.weekStart === weekStart);

  it('covers twelve weeks from a Monday to today, every day listed, empty ones with zeros', async () => {
    const all = await trends();
    expect(all.from).to.equal('2025-12-29T00:00:00.000Z');
    expect(all.until).to.equal('2026-03-18T12:00:00.000Z');
    expect(all.weeks.map((w) => w.weekStart)).to.have.length(12);
    expect(all.weeks[0]!.weekStart).to.equal('2025-12-29');
    expect(all.weeks.at(-1)!.weekStart).to.equal('2026-03-16');
    expect(all.days).to.have.length(80);
    expect(all.days[0]).to.deep.equal({ date: '2025-12-29', opened: 0, resolved: 0 });
    expect(all.days.at(-1)!.date).to.equal('2026-03-18');
  });

  it('counts tickets opened and resolved on each day, a ticket opened before the window counting only as resolved', async () => {
    const all = await trends();
    expect(day(all, '2025-12-30')).to.deep.equal({ date: '2025-12-30', opened: 0, resolved: 1 });
    expect(day(all, '2026-01-05')).to.deep.equal({ date: '2026-01-05', opened: 1, resolved: 0 });
    expect(day(all, '2026-01-06')).to.deep.equal({ date: '2026-01-06', opened: 0, resolved: 1 });
    expect(day(all, '2026-03-16')).to.deep.equal({ date: '2026-03-16', opened: 1, resolved: 0 });
    expect(day(all, '2026-03-17')).to.deep.equal({ date: '2026-03-17', opened: 1, resolved: 0 });
    expect(day(all, '2026-03-18')).to.deep.equal({ date: '2026-03-18', opened: 0, resolved: 1 });
    expect(all.days.reduce((n, d) => n + d.opened, 0)).to.equal(3);
    expect(all.days.reduce((n, d) => n + d.resolved, 0)).to.equal(3);
  });

  it('gives the self-service share per week as self-served out of self-served plus tickets, and none for a week without requests', async () => {
    const all = await trends();
    expect(week(all, '2026-01-05')).to.deep.equal({ weekStart: '2026-01-05', selfServed: 1, tickets: 1, selfServiceShare: 0.5 });
    expect(week(all, '2026-03-16')).to.deep.equal({ weekStart: '2026-03-16', selfServed: 3, tickets: 2, selfServiceShare: 0.6 });
    expect(week(all, '2025-12-29')).to.deep.equal({ weekStart: '2025-12-29', selfServed: 0, tickets: 0, selfServiceShare: null });
  });

  it('filters by organisation, counting tickets and usage from before organisations as the first one\'s', async () => {
    const wigan = await trends('?organisation=242');
    expect(day(wigan, '2026-01-05')!.opened).to.equal(1);
    expect(day(wigan, '2025-12-30')!.resolved).to.equal(0);
    expect(week(wigan, '2026-01-05')!.selfServiceShare).to.equal(0.5);
    expect(week(wigan, '2026-03-16')).to.deep.include({ selfServed: 0, tickets: 0, selfServiceShare: null });
    const bolton = await trends('?organisation=241');
    expect(day(bolton, '2025-12-30')!.resolved).to.equal(1);
    expect(day(bolton, '2026-01-05')!.opened).to.equal(0);
    expect(week(bolton, '2026-03-16')!.selfServiceShare).to.equal(0.6);
  });

  it('gives this week\'s figures for one organisation when asked', async () => {
    const figures = async (q: string) => ((await (await fetch(`${t.url}/api/dashboard/summary${q}`)).json()) as { figures: Record<string, unknown> }).figures;
    expect(await figures('')).to.deep.include({ open: 1, ticketsThisWeek: 2, selfServed: 3, deflectionRate: 0.6 });
    expect(await figures('?organisation=241')).to.deep.include({ open: 1, ticketsThisWeek: 2, selfServed: 3, deflectionRate: 0.6 });
    expect(await figures('?organisation=242')).to.deep.include({ open: 0, ticketsThisWeek: 0, selfServed: 0, deflectionRate: null });
  });

  it('filters the queue by organisation too, and refuses a code that is not three digits', async () => {
    const queue = async (q: string) => ((await (await fetch(`${t.url}/api/dashboard/tickets?status=all${q}`)).json()) as { tickets: Array<{ ref: string }> }).tickets.map((r) => r.ref);
    expect(await queue('&organisation=242')).to.deep.equal(['ESR-00002']);
    expect((await queue('&organisation=241')).sort()).to.deep.equal(['ESR-00001', 'ESR-00003', 'ESR-00004']);
    expect((await fetch(`${t.url}/api/dashboard/trends?organisation=24x`)).status).to.equal(400);
  });
});
