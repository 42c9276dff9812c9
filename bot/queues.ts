// Which Teams channel gets which tickets. An agent mentions the bot in a channel with "use this channel"
// (everything), "use this channel for lead employer doctors" (a staff group) or "use this channel for
// payslip" (a category); "use this channel for admin tasks" takes the ESR admin tasks; "use this channel for
// organisation 242" takes one organisation's tickets and tasks. Kept in queues.json so it survives restarts.
// Precedence (README "Organisations"): a ticket goes to its staff group's channel, else its category's, else its
// organisation's, else the general one; an admin task to its organisation's channel, else the admin tasks
// channel, else the general one. Specialist teams (lead employer, payroll) serve every organisation; ESR user
// administration is done per organisation.
import { join } from 'node:path';
import type { Low } from 'lowdb';
import { z } from 'zod';
import { STAFF_GROUPS, type StaffGroup } from '../esr/types.js';
import { openStore } from '../storage/openStore.js';
import { TICKET_CATEGORIES, type TicketCategory } from '../tickets/types.js';

const queueSchema = z.object({
  id: z.string(),
  /** The channel's conversation reference, for posting new threads proactively. */
  reference: z.record(z.string(), z.unknown()),
  /** The Teams channel id (19:...@thread.tacv2). */
  channelId: z.string(),
  teamId: z.string().optional(),
  name: z.string().optional(),
  setBy: z.string().optional(),
  at: z.string(),
});
export type Queue = z.infer<typeof queueSchema>;

const fileSchema = z.object({
  version: z.literal(1),
  queues: z.array(queueSchema),
  routes: z.object({
    default: z.string().optional(),
    /** ESR admin tasks (unlock, reactivate, record corrections); the default channel when unset. */
    tasks: z.string().optional(),
    staffGroup: z.record(z.string(), z.string()),
    category: z.record(z.string(), z.string()),
    /** By ESR organisation code: that organisation's tickets and admin tasks. */
    organisation: z.record(z.string(), z.string()).optional(),
  }),
});
type QueuesFile = z.infer<typeof fileSchema>;

export type QueueScope =
  | { kind: 'all' }
  | { kind: 'tasks' }
  | { kind: 'staffGroup'; group: StaffGroup }
  | { kind: 'category'; category: TicketCategory }
  | { kind: 'organisation'; code: string };

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

export class QueueRegistry {
  readonly #db: Low<QueuesFile>;
  private constructor(db: Low<QueuesFile>) {
    this.#db = db;
  }

  static async open(dataDir: string): Promise<QueueRegistry> {
    return new QueueRegistry(await openStore(join(dataDir, 'queues.json'), fileSchema, () => ({ version: 1, queues: [], routes: { staffGroup: {}, category: {} } })));
  }

  async use(queue: Omit<Queue, 'id'>, scope: QueueScope): Promise<Queue> {
    const data = this.#db.data;
    const existing = data.queues.find((q) => q.channelId === queue.channelId);
    const saved: Queue = existing ? Object.assign(existing, queue) : { id: `q${data.queues.length + 1}`, ...queue };
    if (!existing) data.queues.push(saved);
    if (scope.kind === 'all') data.routes.default = saved.id;
    else if (scope.kind === 'tasks') data.routes.tasks = saved.id;
    else if (scope.kind === 'staffGroup') data.routes.staffGroup[scope.group] = saved.id;
    else if (scope.kind === 'organisation') data.routes.organisation = { ...data.routes.organisation, [scope.code]: saved.id };
    else data.routes.category[scope.category] = saved.id;
    await this.#db.write();
    return saved;
  }

  /** The channel for a ticket: a staff-group route first (lead employer doctors), then category, then organisation, then default. */
  route(ticket: { category: TicketCategory; staffGroup?: StaffGroup; organisationCode?: string }): Queue | undefined {
    const r = this.#db.data.routes;
    const byOrg = ticket.organisationCode ? r.organisation?.[ticket.organisationCode] : undefined;
    const id = (ticket.staffGroup && r.staffGroup[ticket.staffGroup]) || r.category[ticket.category] || byOrg || r.default;
    return this.#db.data.queues.find((q) => q.id === id);
  }

  /** The channel for ESR admin tasks: the organisation's, else the one chosen for tasks, else the default. */
  routeTask(task: { organisationCode?: string } = {}): Queue | undefined {
    const r = this.#db.data.routes;
    const id = (task.organisationCode ? r.organisation?.[task.organisationCode] : undefined) ?? r.tasks ?? r.default;
    return this.#db.data.queues.find((q) => q.id === id);
  }

  get(id: string): Queue | undefined {
    return this.#db.data.queues.find((q) => q.id === id);
  }

  all(): Queue[] {
    return [...this.#db.data.queues];
  }
}
