// Tickets as CSV for reporting (Excel-friendly): one row per ticket, no screenshots, no transcripts, no
// secrets. Cells that a spreadsheet would run as a formula are defused with a leading apostrophe.
import type { Ticket } from './types.js';

export const EXPORT_COLUMNS = [
  'reference',
  'status',
  'category',
  'kind',
  'task_outcome',
  'created_at',
  'first_response_at',
  'resolved_at',
  'minutes_to_first_response',
  'minutes_to_resolve',
  'requester_name',
  'requester_email',
  'esr_usernames',
  'staff_group',
  'asked_for_person',
  'assigned_to',
  'screenshots',
  'rating',
  'rating_comment',
  'description',
  'error_message',
  'organisation_code',
] as const;

const minutesBetween = (from: string, to?: string) => (to ? String(Math.round((Date.parse(to) - Date.parse(from)) / 60_000)) : '');

export function ticketRow(t: Ticket): string[] {
  return [
    t.ref,
    t.status,
    t.category,
    t.kind ?? '',
    t.task?.outcome ?? '',
    t.createdAt,
    t.firstResponseAt ?? '',
    t.resolvedAt ?? '',
    minutesBetween(t.createdAt, t.firstResponseAt),
    minutesBetween(t.createdAt, t.resolvedAt),
    t.requester.name,
    t.requester.email ?? '',
    t.requester.esrUsernames.join(' '),
    t.requester.staffGroup ?? '',
    t.wantsPerson ? 'yes' : 'no',
    t.assignee?.name ?? '',
    String(t.screenshots.length),
    t.rating ? (t.rating.helpful ? 'helpful' : 'not helpful') : '',
    t.rating?.comment ?? '',
    t.description,
    t.errorMessage ?? '',
    t.organisationCode ?? t.task?.organisationCode ?? '',
  ];
}

export function csvCell(value: string): string {
  const defused = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(defused) ? `"${defused.replace(/"/g, '""')}"` : defused;
}

export function ticketsToCsv(tickets: Ticket[]): string {
  const lines = [EXPORT_COLUMNS.join(','), ...tickets.map((t) => ticketRow(t).map(csvCell).join(','))];
  // A BOM so Excel reads UTF-8 names correctly; CRLF as RFC 4180 says.
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
