// What the bot could not answer, kept so the Trust can teach it: each fallback and each "Something else"
// (the text redacted first), each "did you mean" choice, and each phrasing an admin added. Counted by a key
// of sorted unique stems, so "my ESR is locked" and "ESR locked, my" are one line on the dashboard.
import { csvCell } from '../tickets/exportCsv.js';

export type MissedKind = 'fallback' | 'somethingElse' | 'choice' | 'added';

export interface MissedEvent {
  at: string;
  kind: MissedKind;
  /** sorted unique stems of the text */
  key: string;
  /** what was typed, redacted */
  text: string;
  /** for 'choice': the intent chosen; for 'added': where the phrasing went */
  choice?: string;
}

export interface MissedLog {
  record(event: MissedEvent): Promise<void>;
  /** Events at or after `since`. */
  since(since: string): Promise<MissedEvent[]>;
}

export interface UnansweredRow {
  key: string;
  count: number;
  /** the latest wording with this key */
  text: string;
  lastAt: string;
}

/** Unanswered wordings, most asked first; a wording an admin has since added (and not missed again) drops out. */
export function summariseUnanswered(events: MissedEvent[]): UnansweredRow[] {
  const rows = new Map<string, UnansweredRow>();
  const added = new Map<string, string>();
  for (const e of events) {
    if (e.kind === 'added') {
      added.set(e.key, e.at > (added.get(e.key) ?? '') ? e.at : added.get(e.key)!);
      continue;
    }
    if (e.kind === 'choice' || !e.key) continue;
    const row = rows.get(e.key) ?? { key: e.key, count: 0, text: e.text, lastAt: e.at };
    row.count++;
    if (e.at >= row.lastAt) Object.assign(row, { text: e.text, lastAt: e.at });
    rows.set(e.key, row);
  }
  return [...rows.values()].filter((r) => !(added.get(r.key) && added.get(r.key)! >= r.lastAt)).sort((a, b) => b.count - a.count || b.lastAt.localeCompare(a.lastAt));
}

/** Every event as CSV (at, kind, text, key, choice); cells that a spreadsheet would run as formulas are defused. */
export function missedToCsv(events: MissedEvent[]): string {
  const header = ['at', 'kind', 'text', 'key', 'choice'];
  const lines = events.map((e) => [e.at, e.kind, e.text, e.key, e.choice ?? ''].map(csvCell).join(','));
  // A BOM so Excel reads UTF-8 correctly, as the tickets export does.
  return `\uFEFF${[header.join(','), ...lines].join('\r\n')}\r\n`;
}
