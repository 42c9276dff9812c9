// Helpdesk tickets (tickets.json), with their transcripts. Lookups by the agents' thread and by the user's
// conversation are answered from in-memory indexes, kept in step with every save and rebuilt on open.
// A ticket is checked against the file's schema before it is stored, so what is written always reads back.
import type { Low } from 'lowdb';
import { z } from 'zod';
import { STAFF_GROUPS } from '../esr/types.js';
import { conversationIdOf, TicketConflictError, ticketMatches, type TicketFilter, type TicketStore } from '../tickets/ports.js';
import { ADMIN_TASK_KINDS, AUTOMATION_STATES, REQUESTER_LANGUAGES, SCREENSHOT_TYPES, TICKET_CATEGORIES, TICKET_STATUSES, type Ticket } from '../tickets/types.js';
import { openStore } from './openStore.js';

const agentSchema = z.object({ id: z.string(), name: z.string() });

export const ticketSchema: z.ZodType<Ticket> = z.object({
  id: z.number().int().positive(),
  ref: z.string(),
  status: z.enum(TICKET_STATUSES),
  category: z.enum(TICKET_CATEGORIES),
  organisationCode: z.string().optional(),
  kind: z.enum(ADMIN_TASK_KINDS).optional(),
  task: z
    .object({
      organisationCode: z.string().optional(),
      username: z.string().optional(),
      teams: z.object({ upn: z.string().optional(), email: z.string().optional(), displayName: z.string().optional() }),
      tried: z.array(z.string()),
      outcome: z.enum(['done', 'not_done']).optional(),
      reason: z.string().optional(),
      remindedAt: z.string().optional(),
      automation: z.object({ requestId: z.string(), state: z.enum(AUTOMATION_STATES), message: z.string().optional() }).optional(),
    })
    .optional(),
  description: z.string(),
  errorMessage: z.string().optional(),
  requester: z.object({
    teamsUserId: z.string(),
    entraObjectId: z.string().optional(),
    name: z.string(),
    email: z.string().optional(),
    esrUsernames: z.array(z.string()),
    staffGroup: z.enum(STAFF_GROUPS).optional(),
    language: z.enum(REQUESTER_LANGUAGES).optional(),
  }),
  context: z.object({ flow: z.string().optional(), step: z.string().optional(), detail: z.string().optional() }),
  screenshots: z.array(
    z.object({ id: z.string(), fileName: z.string(), contentType: z.enum(SCREENSHOT_TYPES), bytes: z.number().int().nonnegative(), sha256: z.string() }),
  ),
  assignee: agentSchema.optional(),
  live: z.boolean(),
  wantsPerson: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
  firstResponseAt: z.string().optional(),
  resolvedAt: z.string().optional(),
  transcript: z.array(
    z.object({
      at: z.string(),
      from: z.enum(['user', 'bot', 'agent', 'system']),
      name: z.string().optional(),
      text: z.string(),
      screenshotIds: z.array(z.string()).optional(),
      delivered: z.boolean().optional(),
      note: z.string().optional(),
    }),
  ),
  transcriptDropped: z.number().int().nonnegative().optional(),
  rating: z.object({ helpful: z.boolean(), comment: z.string().optional(), at: z.string() }).optional(),
  version: z.number().int().positive(),
  userConversation: z.record(z.string(), z.unknown()),
  channelPost: z.object({ queueId: z.string(), activityId: z.string().optional(), threadConversationId: z.string().optional() }).optional(),
  events: z.array(z.object({ at: z.string(), action: z.string(), by: z.union([agentSchema, z.literal('user'), z.literal('system')]).optional() })),
  purgedAt: z.string().optional(),
});

const ticketsFileSchema = z
  .object({ version: z.literal(1), lastId: z.number().int().nonnegative(), tickets: z.array(ticketSchema) })
  .refine((f) => f.tickets.every((t) => t.id <= f.lastId), { message: 'a ticket id is above lastId' })
  .refine((f) => new Set(f.tickets.map((t) => t.id)).size === f.tickets.length, { message: 'two tickets share an id' });
type TicketsFile = z.infer<typeof ticketsFileSchema>;

export class LowdbTicketStore implements TicketStore {
  readonly #db: Low<TicketsFile>;
  /** id → position in `tickets` */
  readonly #position = new Map<number, number>();
  readonly #byThread = new Map<string, number>();
  readonly #byUserConversation = new Map<string, Set<number>>();

  private constructor(db: Low<TicketsFile>) {
    this.#db = db;
    db.data.tickets.forEach((t, i) => {
      this.#position.set(t.id, i);
      this.#index(t);
    });
  }

  static async open(file: string): Promise<LowdbTicketStore> {
    return new LowdbTicketStore(await openStore(file, ticketsFileSchema, () => ({ version: 1, lastId: 0, tickets: [] })));
  }

  async nextId(): Promise<number> {
    const id = ++this.#db.data.lastId;
    await this.#db.write();
    return id;
  }

  // Validate, check the version and change memory in one synchronous step; then one (group-committed) write.
  async save(ticket: Ticket, expectedVersion?: number): Promise<void> {
    // A JSON copy: what is read back now is what is read back after a restart.
    const parsed = ticketSchema.safeParse(JSON.parse(JSON.stringify(ticket)));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new TypeError(`Ticket ${ticket.id} cannot be stored: ${first?.path.join('.') || 'ticket'} ${first?.message ?? 'is invalid'}`);
    }
    const next = parsed.data;
    const position = this.#position.get(next.id);
    const current = position === undefined ? undefined : this.#db.data.tickets[position];
    if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) {
      throw new TicketConflictError(next.id, expectedVersion, current?.version ?? 0);
    }
    if (current) this.#unindex(current);
    if (position === undefined) {
      this.#position.set(next.id, this.#db.data.tickets.length);
      this.#db.data.tickets.push(next);
    } else {
      this.#db.data.tickets[position] = next;
    }
    this.#index(next);
    if (next.id > this.#db.data.lastId) this.#db.data.lastId = next.id;
    await this.#db.write();
  }

  get(id: number): Promise<Ticket | undefined> {
    const position = this.#position.get(id);
    const ticket = position === undefined ? undefined : this.#db.data.tickets[position];
    return Promise.resolve(ticket ? structuredClone(ticket) : undefined);
  }

  list(filter: TicketFilter = {}): Promise<Ticket[]> {
    let candidates: Ticket[];
    if (filter.threadConversationId !== undefined) {
      const id = this.#byThread.get(filter.threadConversationId);
      candidates = id === undefined ? [] : [this.#ticket(id)];
    } else if (filter.userConversationId !== undefined) {
      candidates = [...(this.#byUserConversation.get(filter.userConversationId) ?? [])].map((id) => this.#ticket(id));
    } else {
      candidates = this.#db.data.tickets;
    }
    const found = candidates.filter((t) => ticketMatches(t, filter)).sort((a, b) => b.id - a.id);
    return Promise.resolve(found.map((t) => structuredClone(t)));
  }

  #ticket(id: number): Ticket {
    return this.#db.data.tickets[this.#position.get(id)!]!;
  }

  #index(t: Ticket): void {
    const thread = t.channelPost?.threadConversationId;
    if (thread !== undefined) this.#byThread.set(thread, t.id);
    const conversation = conversationIdOf(t.userConversation);
    if (conversation !== undefined) {
      let ids = this.#byUserConversation.get(conversation);
      if (!ids) this.#byUserConversation.set(conversation, (ids = new Set()));
      ids.add(t.id);
    }
  }

  #unindex(t: Ticket): void {
    const thread = t.channelPost?.threadConversationId;
    if (thread !== undefined && this.#byThread.get(thread) === t.id) this.#byThread.delete(thread);
    const conversation = conversationIdOf(t.userConversation);
    if (conversation !== undefined) {
      const ids = this.#byUserConversation.get(conversation);
      ids?.delete(t.id);
      if (ids?.size === 0) this.#byUserConversation.delete(conversation);
    }
  }
}
