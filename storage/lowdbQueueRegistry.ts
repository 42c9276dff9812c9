// The agents' channels in queues.json (embedded store): which channel gets which tickets, so a choice made
// with "use this channel" survives restarts. One process owns the file; several instances need PostgreSQL.
import type { Low } from 'lowdb';
import { z } from 'zod';
import { taskScopes, ticketScopes, type Queue, type QueueRegistry, type QueueScope, type TicketToRoute } from '../tickets/queues.js';
import { openStore } from './openStore.js';

const queueSchema = z.object({
  id: z.string(),
  reference: z.record(z.string(), z.unknown()),
  channelId: z.string(),
  teamId: z.string().optional(),
  name: z.string().optional(),
  setBy: z.string().optional(),
  at: z.string(),
});

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
type Routes = QueuesFile['routes'];

export class LowdbQueueRegistry implements QueueRegistry {
  readonly #db: Low<QueuesFile>;

  private constructor(db: Low<QueuesFile>) {
    this.#db = db;
  }

  static async open(file: string): Promise<LowdbQueueRegistry> {
    return new LowdbQueueRegistry(await openStore(file, fileSchema, () => ({ version: 1, queues: [], routes: { staffGroup: {}, category: {} } })));
  }

  async use(queue: Omit<Queue, 'id'>, scope: QueueScope): Promise<Queue> {
    const data = this.#db.data;
    const existing = data.queues.find((q) => q.channelId === queue.channelId);
    const saved: Queue = existing ? Object.assign(existing, queue) : { id: `q${data.queues.length + 1}`, ...queue };
    if (!existing) data.queues.push(saved);
    setRoute(data.routes, scope, saved.id);
    await this.#db.write();
    return copy(saved);
  }

  route(ticket: TicketToRoute): Promise<Queue | undefined> {
    return Promise.resolve(this.#first(ticketScopes(ticket)));
  }

  routeTask(task: { organisationCode?: string } = {}): Promise<Queue | undefined> {
    return Promise.resolve(this.#first(taskScopes(task)));
  }

  get(id: string): Promise<Queue | undefined> {
    return Promise.resolve(this.#get(id));
  }

  all(): Promise<Queue[]> {
    return Promise.resolve(this.#db.data.queues.map(copy));
  }

  #first(scopes: QueueScope[]): Queue | undefined {
    const id = scopes.map((s) => routeOf(this.#db.data.routes, s)).find(Boolean);
    return id ? this.#get(id) : undefined;
  }

  #get(id: string): Queue | undefined {
    const found = this.#db.data.queues.find((q) => q.id === id);
    return found ? copy(found) : undefined;
  }
}

// The file keeps the layout it has always had, so an existing queues.json reads as before.
function routeOf(r: Routes, scope: QueueScope): string | undefined {
  switch (scope.kind) {
    case 'all':
      return r.default;
    case 'tasks':
      return r.tasks;
    case 'staffGroup':
      return Object.hasOwn(r.staffGroup, scope.group) ? r.staffGroup[scope.group] : undefined;
    case 'category':
      return Object.hasOwn(r.category, scope.category) ? r.category[scope.category] : undefined;
    case 'organisation':
      return r.organisation && Object.hasOwn(r.organisation, scope.code) ? r.organisation[scope.code] : undefined;
  }
}

function setRoute(r: Routes, scope: QueueScope, id: string): void {
  if (scope.kind === 'all') r.default = id;
  else if (scope.kind === 'tasks') r.tasks = id;
  else if (scope.kind === 'staffGroup') r.staffGroup[scope.group] = id;
  else if (scope.kind === 'organisation') r.organisation = { ...r.organisation, [scope.code]: id };
  else r.category[scope.category] = id;
}

/** Callers get copies: changing a returned channel changes nothing stored. */
function copy(queue: Queue): Queue {
  return structuredClone(queue);
}
