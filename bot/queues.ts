// Which Teams channel gets which tickets. An agent mentions the bot in a channel with "use this channel"
// (everything), "use this channel for lead employer doctors" (a staff group) or "use this channel for
// payslip" (a category); "use this channel for admin tasks" takes the ESR admin tasks. Kept in queues.json so it survives restarts.
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
  }),
});
type QueuesFile = z.infer<typeof fileSchema>;

export type QueueScope = { kind: 'all' } | { kind: 'tasks' } | { kind: 'staffGroup'; group: StaffGroup } | { kind: 'category'; category: TicketCategory };

/** Reads "use this channel [for ...]"; undefined if the text is not that command. */
export function parseUseChannel(text: string): QueueScope | undefined {
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
    else data.routes.category[scope.category] = saved.id;
    await this.#db.write();
    return saved;
  }

  /** The channel for a ticket: a staff-group route first (lead employer doctors), then category, then default. */
  route(ticket: { category: TicketCategory; staffGroup?: StaffGroup }): Queue | undefined {
    const r = this.#db.data.routes;
    const id = (ticket.staffGroup && r.staffGroup[ticket.staffGroup]) || r.category[ticket.category] || r.default;
    return this.#db.data.queues.find((q) => q.id === id);
  }

  /** The channel for ESR admin tasks: the one chosen for them, else the default. */
  routeTask(): Queue | undefined {
    const r = this.#db.data.routes;
    const id = r.tasks ?? r.default;
    return this.#db.data.queues.find((q) => q.id === id);
  }

  get(id: string): Queue | undefined {
    return this.#db.data.queues.find((q) => q.id === id);
  }

  all(): Queue[] {
    return [...this.#db.data.queues];
  }
}
