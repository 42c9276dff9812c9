// Which Teams channel gets which tickets. An agent mentions the bot in a channel with "use this channel"
// (everything), "use this channel for lead employer doctors" (a staff group) or "use this channel for
// payslip" (a category); "use this channel for admin tasks" takes the ESR admin tasks; "use this channel for
// organisation 242" takes one organisation's tickets and tasks. This reads the command; the registry it
// feeds is a port (tickets/queues.ts: the precedence), kept in queues.json or PostgreSQL (storage/openStores.ts).
import { STAFF_GROUPS } from '../esr/types.js';
import type { QueueScope } from '../tickets/queues.js';
import { TICKET_CATEGORIES } from '../tickets/types.js';

export type { Queue, QueueRegistry, QueueScope } from '../tickets/queues.js';

/** Reads "use this channel [for ...]"; undefined if the text is not that command. */
export function parseUseChannel(text: string): QueueScope | undefined {
  // Read before the letters-only clean-up below, which would drop the code's digits.
  const org = /^use this channel for (?:the )?(?:organi[sz]ation|org)(?: code)? (\d{3})\W*$/i.exec(text.trim().replace(/\s+/g, ' '));
  if (org) return { kind: 'organisation', code: org[1]! };
  const t = text.toLowerCase().replace(/[^a-z ]+/g, ' ').replace(/\s+/g, ' ').trim();
  const m = /^use this channel(?: for (.+))?$/.exec(t);
  if (!m) return undefined;
  const rest = (m[1] ?? '').replace(/^(the|all)\s+/, '').trim();
  if (!rest || rest === 'tickets' || rest === 'everything') return { kind: 'all' };
  if (/^(esr )?(admin )?tasks?$/.test(rest) || /^admin/.test(rest)) return { kind: 'tasks' };
  const group = STAFF_GROUPS.find((g) => rest.replace(/s$/, '').includes(g.replace(/_/g, ' ')) || rest === g);
  if (group) return { kind: 'staffGroup', group };
  if (/lead employer/.test(rest)) return { kind: 'staffGroup', group: 'lead_employer_doctor' };
  const category = TICKET_CATEGORIES.find((c) => rest === c || rest.startsWith(c) || (c === 'payslip' && /pay/.test(rest)) || (c === 'training' && /learning|training/.test(rest)));
  if (category) return { kind: 'category', category };
  return undefined;
}
