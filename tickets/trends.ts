// Trends for the agents' dashboard over the last weeks: tickets opened and resolved per day, and the
// self-service share per week. Self-service share = conversations that self-service settled (a flow finished
// without a ticket, from the usage log) ÷ (those + tickets raised), the same rule as the week's figure.
// Days and weeks are calendar days in the organisation's time zone; weeks start on Monday.
import { localTime, startOfLocalWeek, wallClockToUtc } from './officeHours.js';
import type { Ticket } from './types.js';
import { deflectionRate, type UsageEvent } from './usage.js';

export interface DayTrend {
  /** yyyy-mm-dd, local. */
  date: string;
  opened: number;
  resolved: number;
}

export interface WeekTrend {
  /** The Monday, yyyy-mm-dd, local. */
  weekStart: string;
  selfServed: number;
  tickets: number;
  /** selfServed ÷ (selfServed + tickets); null for a week without either. */
  selfServiceShare: number | null;
}

export interface Trends {
  from: string;
  until: string;
  days: DayTrend[];
  weeks: WeekTrend[];
}

export const TREND_WEEKS = 12;

/** The window's first instant: Monday 00:00 local, `weeks - 1` weeks before this week's. */
export function trendsStart(now: Date, timeZone: string, weeks = TREND_WEEKS): Date {
  const thisWeek = startOfLocalWeek(now, timeZone);
  const l = localTime(thisWeek, timeZone);
  const start = new Date(Date.UTC(l.year, l.month - 1, l.day - 7 * (weeks - 1)));
  return wallClockToUtc(start.getUTCFullYear(), start.getUTCMonth() + 1, start.getUTCDate(), 0, timeZone);
}

export function ticketTrends(input: { tickets: Ticket[]; usage: UsageEvent[]; now: Date; timeZone: string; weeks?: number }): Trends {
  const { now, timeZone } = input;
  const weeks = input.weeks ?? TREND_WEEKS;
  const start = trendsStart(now, timeZone, weeks);
  const from = start.toISOString();
  const until = now.toISOString();
  const inWindow = (at: string | undefined): at is string => at !== undefined && at >= from && at <= until;
  const dayOf = (at: string) => {
    const l = localTime(new Date(at), timeZone);
    return isoDate(l.year, l.month, l.day);
  };

  // Every calendar day from the first Monday to today, even the empty ones: a chart needs its gaps.
  const days = new Map<string, DayTrend>();
  const first = localTime(start, timeZone);
  const today = dayOf(until);
  for (let i = 0; ; i++) {
    const d = new Date(Date.UTC(first.year, first.month - 1, first.day + i));
    const date = isoDate(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate());
    days.set(date, { date, opened: 0, resolved: 0 });
    if (date >= today || i > weeks * 7) break;
  }
  const weekOf = (date: string) => {
    const [y, m, d] = date.split('-').map(Number) as [number, number, number];
    const day = new Date(Date.UTC(y, m - 1, d));
    const monday = new Date(Date.UTC(y, m - 1, d - ((day.getUTCDay() + 6) % 7)));
    return isoDate(monday.getUTCFullYear(), monday.getUTCMonth() + 1, monday.getUTCDate());
  };
  const weekly = new Map<string, { selfServed: number; tickets: number }>();
  for (const date of days.keys()) if (!weekly.has(weekOf(date))) weekly.set(weekOf(date), { selfServed: 0, tickets: 0 });

  for (const t of input.tickets) {
    if (inWindow(t.createdAt)) {
      const date = dayOf(t.createdAt);
      days.get(date)!.opened++;
      weekly.get(weekOf(date))!.tickets++;
    }
    if (t.status === 'resolved' && inWindow(t.resolvedAt)) days.get(dayOf(t.resolvedAt))!.resolved++;
  }
  for (const e of input.usage) {
    if (e.kind === 'self_served' && inWindow(e.at)) weekly.get(weekOf(dayOf(e.at)))!.selfServed++;
  }
  return {
    from,
    until,
    days: [...days.values()],
    weeks: [...weekly.entries()].map(([weekStart, w]) => ({ weekStart, ...w, selfServiceShare: deflectionRate(w.selfServed, w.tickets) ?? null })),
  };
}

function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
