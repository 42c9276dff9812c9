// The helpdesk tickets service: what the Teams flows, the agents' channel and the dashboard call.
// It knows nothing of Teams or files; storage, clock and audit come in through ports.
//
// Concurrency: every change is read → decide → save with the version it read (a compare-and-set in the store).
// When someone else saved in between, the change is decided again on the fresh ticket, so of two agents
// taking over at the same moment exactly one wins and the other is told who holds it.
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Actor, AuditLog, Channel } from '../core/audit.js';
import { STAFF_GROUPS } from '../esr/types.js';
import { sniffImageType } from './imageType.js';
import { startOfLocalWeek } from './officeHours.js';
import { conversationIdOf, TicketConflictError, type ScreenshotStore, type TicketFilter, type TicketStore } from './ports.js';
import {
  ADMIN_TASK_KINDS,
  AUTOMATION_STATES,
  REQUESTER_LANGUAGES,
  TICKET_CATEGORIES,
  TICKET_STATUSES,
  type AdminTask,
  type AdminTaskKind,
  type Agent,
  type ChannelPost,
  type EventActor,
  type Requester,
  type Screenshot,
  type ScreenshotType,
  type Ticket,
  type TicketCategory,
  type TranscriptEntry,
} from './types.js';

/** Screenshots per report (and per `addScreenshots` call). */
export const MAX_SCREENSHOTS = 5;
/** Screenshots a ticket can hold in all, with those added during a live chat. */
export const MAX_TICKET_SCREENSHOTS = 20;
export const MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024;
export const MAX_TRANSCRIPT_ENTRIES = 500;
export const MAX_DESCRIPTION_CHARS = 4000;
export const MAX_MESSAGE_CHARS = 4000;
export const MAX_RATING_COMMENT_CHARS = 1000;
/** Saves tried before a change gives up with `conflict` (each retry decides again on the fresh ticket). */
const MAX_ATTEMPTS = 8;

// ---------------------------------------------------------------------------------------------- errors

export type TicketErrorCode =
  | 'invalid_input'
  | 'not_found'
  | 'invalid_transition'
  | 'conflict'
  | 'too_many_screenshots'
  | 'screenshot_too_large'
  | 'screenshot_not_image';

export interface TicketInputIssue {
  field: string;
  problem: string;
}

/** Typed errors of the tickets service: callers switch on `code`, never on message text. */
export class TicketError extends Error {
  readonly code: TicketErrorCode;
  readonly issues: TicketInputIssue[];
  /** For the screenshot codes: the user's name for the file that was refused. */
  readonly fileName: string | undefined;

  constructor(code: TicketErrorCode, opts: { message?: string; issues?: TicketInputIssue[]; fileName?: string } = {}) {
    super(opts.message ?? code);
    this.name = 'TicketError';
    this.code = code;
    this.issues = opts.issues ?? [];
    this.fileName = opts.fileName;
  }
}

export function isTicketError(err: unknown, code?: TicketErrorCode): err is TicketError {
  return err instanceof TicketError && (code === undefined || err.code === code);
}

// ---------------------------------------------------------------------------------------------- refs

/** ESR-00042; ESR-123456 past 99999. */
export function formatRef(id: number): string {
  return `ESR-${String(id).padStart(5, '0')}`;
}

/** The ticket id in a reference as people type it: ESR-00042, esr-42, ESR 42, esr00042, #42, 42. */
export function parseRef(ref: string): number | undefined {
  const m = /^\s*(?:esr\s*-?\s*)?#?\s*(\d{1,15})\s*$/i.exec(ref);
  if (!m) return undefined;
  const id = Number(m[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

// ---------------------------------------------------------------------------------------------- inputs

/** Trimmed, then cut to `max` characters (code points), ending in "…" when cut. */
const clipped = (max: number) =>
  z.string().transform((s) => {
    const chars = Array.from(s.trim());
    return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : chars.join('');
  });
/** As `clipped`, and blank becomes absent. */
const optionalClipped = (max: number) =>
  clipped(max)
    .transform((s) => (s === '' ? undefined : s))
    .optional();

const agentSchema = z.object({ id: z.string().trim().min(1, 'is required').max(500), name: clipped(200).pipe(z.string().min(1, 'is required')) });

const requesterSchema = z.object({
  teamsUserId: z.string().trim().min(1, 'is required').max(500),
  entraObjectId: z.string().trim().toLowerCase().max(100).optional(),
  name: clipped(200).pipe(z.string().min(1, 'is required')),
  email: z.string().trim().toLowerCase().max(320).optional(),
  esrUsernames: z.array(z.string().trim().toUpperCase().min(1).max(50)).max(50).default([]),
  staffGroup: z.enum(STAFF_GROUPS).optional(),
  language: z.enum(REQUESTER_LANGUAGES).optional(),
});

const isoInstant = z.iso.datetime({ offset: true, message: 'should be an ISO date and time' }).transform((s) => new Date(s).toISOString());

const transcriptEntrySchema = z.object({
  at: isoInstant.optional(),
  from: z.enum(['user', 'bot', 'agent', 'system']),
  name: optionalClipped(200),
  text: clipped(MAX_MESSAGE_CHARS),
  screenshotIds: z.array(z.string().max(100)).max(20).optional(),
  delivered: z.boolean().optional(),
  note: optionalClipped(300),
});

const userConversationSchema = z
  .record(z.string(), z.unknown())
  .refine((ref) => conversationIdOf(ref) !== undefined, 'should be a conversation reference with conversation.id');

const newScreenshotSchema = z.object({ bytes: z.instanceof(Buffer, { message: 'should be a Buffer' }), fileName: z.string() });

const taskSchema = z.object({
  organisationCode: optionalClipped(20),
  username: z.string().trim().toUpperCase().max(50).optional(),
  teams: z.object({ upn: optionalClipped(320), email: optionalClipped(320), displayName: optionalClipped(200) }).default({}),
  tried: z.array(clipped(500)).max(30).default([]),
});

const createSchema = z.object({
  requester: requesterSchema,
  category: z.enum(TICKET_CATEGORIES),
  organisationCode: z.string().regex(/^\d{3}$/, 'should be a three-digit ESR organisation code').optional(),
  kind: z.enum(ADMIN_TASK_KINDS).optional(),
  task: taskSchema.optional(),
  description: clipped(MAX_DESCRIPTION_CHARS).pipe(z.string().min(1, 'is required')),
  errorMessage: optionalClipped(2000),
  context: z.object({ flow: optionalClipped(100), step: optionalClipped(100), detail: optionalClipped(1000) }).default({}),
  screenshots: z.array(newScreenshotSchema).default([]),
  transcript: z.array(transcriptEntrySchema).default([]),
  userConversation: userConversationSchema,
  wantsPerson: z.boolean().default(false),
});

const channelPostSchema = z.object({
  queueId: z.string().trim().min(1, 'is required').max(500),
  activityId: z.string().trim().min(1).max(500).optional(),
  threadConversationId: z.string().trim().min(1).max(1000).optional(),
});

const oneOrMany = <T extends z.ZodType>(schema: T) => z.union([schema, z.array(schema)]).optional();

const filterSchema = z.object({
  status: oneOrMany(z.enum(TICKET_STATUSES)),
  category: oneOrMany(z.enum(TICKET_CATEGORIES)),
  from: z.date().optional(),
  to: z.date().optional(),
  holderId: z.string().optional(),
  requesterId: z.string().optional(),
  live: z.boolean().optional(),
  organisationCode: z.string().optional(),
  defaultOrganisationCode: z.string().optional(),
});

// ---------------------------------------------------------------------------------------------- API types

export interface NewScreenshot {
  bytes: Buffer;
  /** The user's name for the file: shown to agents, never used to name or type the stored file. */
  fileName: string;
}

/** A transcript entry to add; `at` defaults to now. */
export type NewTranscriptEntry = Omit<TranscriptEntry, 'at'> & { at?: string };

export interface NewTicket {
  requester: Requester;
  category: TicketCategory;
  /** Required (not blank); trimmed and cut to 4000 characters. */
  description: string;
  errorMessage?: string;
  context?: Ticket['context'];
  /** At most 5, each PNG, JPEG, GIF or WebP (by content) and at most 10 MB. */
  screenshots?: NewScreenshot[];
  /** The conversation so far (bot and user), capped like every transcript. */
  transcript?: NewTranscriptEntry[];
  /** The user's conversation reference, for proactive messages; must hold `conversation.id`. */
  userConversation: Record<string, unknown>;
  wantsPerson?: boolean;
  /** The requester's ESR organisation (several served by one deployment). */
  organisationCode?: string;
  /** An ESR admin task: what needs doing in ESR. */
  kind?: AdminTaskKind;
  task?: Pick<AdminTask, 'organisationCode' | 'username' | 'teams' | 'tried'>;
}

/** How an ESR admin task ended: done in ESR, or it could not be done (with the reason the person is told). */
export type TaskOutcome = { outcome: 'done'; note?: string } | { outcome: 'not_done'; reason: string };

export type CompleteTaskResult =
  | { ok: true; ticket: Ticket; changed: boolean }
  /** Someone (an agent or the automation) finished it first. */
  | { ok: false; reason: 'already_finished'; ticket: Ticket };

export type TakeOverResult =
  | { ok: true; ticket: Ticket; changed: boolean }
  | { ok: false; reason: 'held_by_other'; holder: Agent; ticket: Ticket }
  | { ok: false; reason: 'resolved'; ticket: Ticket };

/** The ticket after an action; `changed` is false when it was already so (nothing saved, no event). */
export interface ChangeResult {
  ticket: Ticket;
  changed: boolean;
}

export interface AppendResult {
  ticket: Ticket;
  /** The entry's number, for `markDelivery`; it stays valid when older entries are dropped. */
  index: number;
}

/** Where an agent acted: the Teams channel card (default) or the dashboard. Goes to the audit log. */
export interface ActionOptions {
  /** 'system' for the Trust's ESR automation. */
  channel?: 'teams' | 'dashboard' | 'system';
}

export type ListFilter = Pick<TicketFilter, 'status' | 'category' | 'from' | 'to' | 'holderId' | 'requesterId' | 'live' | 'organisationCode' | 'defaultOrganisationCode'>;

export interface TicketStats {
  /** Tickets waiting for an agent now. */
  open: number;
  /** Tickets an agent holds now. */
  assigned: number;
  /** Median of first response − creation, in ms, over tickets created this week that have had a response. */
  medianFirstResponseMs?: number;
  /** Tickets resolved this week (and still resolved). */
  resolvedThisWeek: number;
  /** Start of "this week": Monday 00:00 in the service's time zone, ISO. */
  weekStart: string;
  /** ESR admin tasks nobody has picked up. */
  tasksWaiting: number;
  /** Median of done − requested, in ms, over ESR admin tasks done this week. */
  medianTaskDoneMs?: number;
}

export interface PurgeResult {
  tickets: number;
  screenshots: number;
  transcriptEntries: number;
}

export interface TicketServiceDeps {
  clock: Clock;
  tickets: TicketStore;
  screenshots: ScreenshotStore;
  audit: AuditLog;
  /** For "this week" in stats; IANA name. Default Europe/London. */
  timeZone?: string;
}

/** false: no change; true: a change that is not an event (transcript); a string: the event's action. */
type Change = boolean | string;

// ---------------------------------------------------------------------------------------------- service

export class TicketService {
  readonly #d: TicketServiceDeps;
  readonly #timeZone: string;

  constructor(deps: TicketServiceDeps) {
    this.#d = deps;
    this.#timeZone = deps.timeZone ?? 'Europe/London';
  }

  /**
   * Creates a ticket (status open, not live, version 1). Screenshots are checked first (count, size, type
   * sniffed from the bytes), then stored, then the ticket is saved: a ticket never points at a missing
   * file, and when saving fails the files are removed again.
   */
  async create(input: NewTicket): Promise<Ticket> {
    const data = parse(createSchema, input);
    const files = checkScreenshots(data.screenshots);
    const id = await this.#d.tickets.nextId();
    const now = this.#now();
    const screenshots: Screenshot[] = [];
    const transcript = data.transcript.map((e) => entryOf(e, now));
    const dropped = capTranscript(transcript);
    const ticket: Ticket = {
      id,
      ref: formatRef(id),
      status: 'open',
      category: data.category,
      ...(data.organisationCode !== undefined ? { organisationCode: data.organisationCode } : {}),
      ...(data.kind !== undefined ? { kind: data.kind } : {}),
      ...(data.task !== undefined ? { task: compact({ ...data.task, teams: compact(data.task.teams) }) } : {}),
      description: data.description,
      ...(data.errorMessage !== undefined ? { errorMessage: data.errorMessage } : {}),
      requester: compact(data.requester),
      context: compact(data.context),
      screenshots,
      live: false,
      wantsPerson: data.wantsPerson,
      createdAt: now,
      updatedAt: now,
      transcript,
      ...(dropped > 0 ? { transcriptDropped: dropped } : {}),
      version: 1,
      userConversation: data.userConversation,
      events: [{ at: now, action: 'created', by: 'user' }],
    };
    try {
      screenshots.push(...(await this.#storeScreenshots(id, files)));
      await this.#d.tickets.save(ticket, 0);
    } catch (error) {
      await this.#d.screenshots.deleteForTicket(id).catch(() => undefined);
      throw error;
    }
    await this.#audit('created', ticket, 'user', 'teams', { screenshots: screenshots.length, wantsPerson: ticket.wantsPerson, ...(ticket.kind ? { kind: ticket.kind } : {}) });
    return ticket;
  }

  get(id: number): Promise<Ticket | undefined> {
    return this.#d.tickets.get(id);
  }

  /** By reference, as people type it: ESR-00042, esr-42, 42. Undefined for an unknown or malformed ref. */
  async getByRef(ref: string): Promise<Ticket | undefined> {
    const id = parseRef(ref);
    return id === undefined ? undefined : this.#d.tickets.get(id);
  }

  /**
   * Adds screenshots to a ticket, e.g. ones the user sends during a live chat: checked like those of a
   * report (at most 5 at a time, and 20 on a ticket), stored, then listed on the ticket. Reference the
   * returned ids in a transcript entry's `screenshotIds`. Bumps version; adds no event. A purged ticket:
   * `invalid_transition`.
   */
  async addScreenshots(id: number, files: NewScreenshot[]): Promise<{ ticket: Ticket; screenshots: Screenshot[] }> {
    const checked = checkScreenshots(parse(z.array(newScreenshotSchema), files));
    const fits = (t: Ticket) => {
      if (t.purgedAt !== undefined) throw new TicketError('invalid_transition', { message: `${t.ref} was purged` });
      if (t.screenshots.length + checked.length > MAX_TICKET_SCREENSHOTS) {
        throw new TicketError('too_many_screenshots', { message: `A ticket holds at most ${MAX_TICKET_SCREENSHOTS} screenshots` });
      }
    };
    const current = await this.#d.tickets.get(id);
    if (!current) throw new TicketError('not_found', { message: `No ticket ${formatRef(id)}` });
    fits(current);
    const added = await this.#storeScreenshots(id, checked);
    try {
      const { ticket } = await this.#update(id, 'system', (t) => {
        fits(t);
        t.screenshots.push(...added);
        return true;
      });
      return { ticket, screenshots: added };
    } catch (error) {
      await Promise.all(added.map((s) => this.#d.screenshots.delete(id, s.id).catch(() => false)));
      throw error;
    }
  }

  /** The screenshot's bytes, when the ticket lists it and the file is there. */
  async getScreenshot(ticketId: number, screenshotId: string): Promise<{ screenshot: Screenshot; bytes: Buffer } | undefined> {
    const screenshot = (await this.#d.tickets.get(ticketId))?.screenshots.find((s) => s.id === screenshotId);
    if (!screenshot) return undefined;
    const bytes = await this.#d.screenshots.get(ticketId, screenshotId);
    return bytes ? { screenshot, bytes } : undefined;
  }

  /** The person's newest ticket that is not resolved (open or assigned), to reuse for "speak to someone". ESR admin tasks are kept apart. */
  async openTicketFor(teamsUserId: string): Promise<Ticket | undefined> {
    return (await this.#d.tickets.list({ requesterId: teamsUserId, status: ['open', 'assigned'] })).find((t) => t.kind === undefined);
  }

  /** The person's unfinished ESR admin task of this kind, so asking twice does not raise two. */
  async openTaskFor(teamsUserId: string, kind: AdminTaskKind): Promise<Ticket | undefined> {
    return (await this.#d.tickets.list({ requesterId: teamsUserId, status: ['open', 'assigned'] })).find((t) => t.kind === kind);
  }

  /** ESR admin tasks nobody has picked up (open), oldest first. */
  async waitingTasks(): Promise<Ticket[]> {
    return (await this.#d.tickets.list({ status: 'open' })).filter((t) => t.kind !== undefined).reverse();
  }

  /** The task whose automation request has this id. */
  async taskForAutomation(requestId: string): Promise<Ticket | undefined> {
    return (await this.#d.tickets.list()).find((t) => t.task?.automation?.requestId === requestId);
  }

  /** The ticket whose agent is talking live with the user in this conversation, if any. */
  async liveTicketForConversation(userConversationId: string): Promise<Ticket | undefined> {
    return (await this.#d.tickets.list({ userConversationId, live: true }))[0];
  }

  /** The ticket posted as this thread in the agents' channel. */
  async ticketForThread(threadConversationId: string): Promise<Ticket | undefined> {
    return (await this.#d.tickets.list({ threadConversationId }))[0];
  }

  /**
   * The agent takes the ticket and goes live with the user: status assigned, live, first response stamped.
   * Taking over one's own ticket again turns live back on (unchanged when it is on). Another agent's
   * ticket is refused with the holder; a resolved one is refused too (reopen it first).
   */
  async takeOver(id: number, agent: Agent, opts: ActionOptions = {}): Promise<TakeOverResult> {
    const who = parse(agentSchema, agent);
    let refusal: TakeOverResult | undefined;
    const { ticket, changed } = await this.#update(
      id,
      who,
      (t, now) => {
        refusal = undefined;
        if (t.status === 'resolved') {
          refusal = { ok: false, reason: 'resolved', ticket: t };
          return false;
        }
        if (t.assignee && t.assignee.id !== who.id) {
          refusal = { ok: false, reason: 'held_by_other', holder: t.assignee, ticket: t };
          return false;
        }
        if (t.assignee && t.live) return false;
        const resumed = t.assignee !== undefined;
        t.status = 'assigned';
        t.assignee = who;
        t.live = true;
        t.firstResponseAt ??= now;
        return resumed ? 'live_resumed' : 'taken_over';
      },
      opts.channel ?? 'teams',
    );
    return refusal ?? { ok: true, ticket, changed };
  }

  /** Back to the queue: open, no assignee, not live. Any agent may unassign. A resolved ticket: `invalid_transition`. */
  async unassign(id: number, agent: Agent, opts: ActionOptions = {}): Promise<ChangeResult> {
    const who = parse(agentSchema, agent);
    return this.#update(
      id,
      who,
      (t) => {
        if (t.status === 'resolved') throw new TicketError('invalid_transition', { message: `${t.ref} is resolved; reopen it instead` });
        if (t.status === 'open') return false;
        t.status = 'open';
        delete t.assignee;
        t.live = false;
        return 'unassigned';
      },
      opts.channel ?? 'teams',
    );
  }

  /**
   * Resolved, not live, resolvedAt stamped; the resolving agent becomes the assignee (who handled it). Any
   * agent may resolve, whether or not they hold it. Resolving a resolved ticket changes nothing.
   */
  async resolve(id: number, agent: Agent, opts: ActionOptions = {}): Promise<ChangeResult> {
    const who = parse(agentSchema, agent);
    return this.#update(
      id,
      who,
      (t, now) => {
        if (t.status === 'resolved') return false;
        t.status = 'resolved';
        t.assignee = who;
        t.live = false;
        t.resolvedAt = now;
        t.firstResponseAt ??= now;
        return 'resolved';
      },
      opts.channel ?? 'teams',
    );
  }

  /** Resolved → open (no assignee, resolvedAt cleared). An open or assigned ticket is unchanged; a purged one: `invalid_transition`. */
  async reopen(id: number, agent: Agent, opts: ActionOptions = {}): Promise<ChangeResult> {
    const who = parse(agentSchema, agent);
    return this.#update(
      id,
      who,
      (t) => {
        if (t.status !== 'resolved') return false;
        if (t.purgedAt !== undefined) throw new TicketError('invalid_transition', { message: `${t.ref} was purged; raise a new ticket` });
        t.status = 'open';
        delete t.assignee;
        delete t.resolvedAt;
        t.live = false;
        if (t.task) {
          delete t.task.outcome;
          delete t.task.reason;
        }
        return 'reopened';
      },
      opts.channel ?? 'teams',
    );
  }

  /**
   * Finishes an ESR admin task: done in ESR, or not done with a reason. The ticket is resolved with the
   * outcome; whoever finished it becomes the assignee ('system' for the automation). Of two at once, one
   * wins: the other gets `already_finished` with the ticket as the winner left it.
   */
  async completeTask(id: number, by: Agent | 'system', result: TaskOutcome, opts: ActionOptions = {}): Promise<CompleteTaskResult> {
    const who: EventActor = by === 'system' ? 'system' : parse(agentSchema, by);
    const reason = result.outcome === 'not_done' ? parse(clipped(1000).pipe(z.string().min(1, 'is required')), result.reason) : undefined;
    let refused = false;
    const { ticket, changed } = await this.#update(
      id,
      who,
      (t, now) => {
        refused = false;
        if (!t.kind || !t.task) throw new TicketError('invalid_transition', { message: `${t.ref} is not an ESR admin task` });
        if (t.status === 'resolved') {
          refused = true;
          return false;
        }
        t.status = 'resolved';
        if (who !== 'system') t.assignee = who;
        t.live = false;
        t.resolvedAt = now;
        t.firstResponseAt ??= now;
        t.task.outcome = result.outcome;
        if (reason !== undefined) t.task.reason = reason;
        else delete t.task.reason;
        return result.outcome === 'done' ? 'task_done' : 'task_not_done';
      },
      opts.channel ?? 'teams',
    );
    return refused ? { ok: false, reason: 'already_finished', ticket } : { ok: true, ticket, changed };
  }

  /** Notes that a waiting task was posted again in the agents' channel. */
  async markTaskReminded(id: number): Promise<Ticket> {
    const { ticket } = await this.#update(
      id,
      'system',
      (t, now) => {
        if (!t.task) return false;
        t.task.remindedAt = now;
        return 'reminded';
      },
      'system',
    );
    return ticket;
  }

  /** Records where the Trust's automation has got to with this task. */
  async setAutomation(id: number, automation: NonNullable<AdminTask['automation']>): Promise<Ticket> {
    const data = parse(z.object({ requestId: z.string().min(1).max(100), state: z.enum(AUTOMATION_STATES), message: optionalClipped(500) }), automation);
    const { ticket } = await this.#update(
      id,
      'system',
      (t) => {
        if (!t.task) return false;
        if (JSON.stringify(t.task.automation) === JSON.stringify(compact(data))) return false;
        t.task.automation = compact(data);
        return `automation_${data.state}`;
      },
      'system',
    );
    return ticket;
  }

  /** The live chat ends (the relay stops); status and assignee stay. Unchanged when not live. */
  async endLive(id: number, by: Agent | 'user', opts: ActionOptions = {}): Promise<ChangeResult> {
    const who: EventActor = by === 'user' ? 'user' : parse(agentSchema, by);
    return this.#update(
      id,
      who,
      (t) => {
        if (!t.live) return false;
        t.live = false;
        return 'live_ended';
      },
      opts.channel ?? 'teams',
    );
  }

  /**
   * Adds an entry to the transcript (text trimmed, cut to 4000 characters). Past 500 entries the oldest
   * after the first is dropped. Bumps version and updatedAt, but adds no event (the transcript is its own
   * record) and nothing to the audit log.
   */
  async appendTranscript(id: number, entry: NewTranscriptEntry): Promise<AppendResult> {
    const data = parse(transcriptEntrySchema, entry);
    let index = 0;
    const { ticket } = await this.#update(id, 'system', (t, now) => {
      t.transcript.push(entryOf(data, now));
      index = t.transcript.length === 1 ? 0 : t.transcript.length - 1 + (t.transcriptDropped ?? 0);
      const dropped = capTranscript(t.transcript);
      if (dropped > 0) t.transcriptDropped = (t.transcriptDropped ?? 0) + dropped;
      return true;
    });
    return { ticket, index };
  }

  /**
   * Records whether the relay delivered entry `index` (from `appendTranscript`), with a short note on
   * failure; a missing note clears an earlier one. An entry since dropped (or purged) is left alone.
   */
  async markDelivery(id: number, index: number, delivered: boolean, note?: string): Promise<ChangeResult> {
    const data = parse(z.object({ index: z.number().int().nonnegative(), delivered: z.boolean(), note: optionalClipped(300) }), { index, delivered, note });
    return this.#update(id, 'system', (t) => {
      const position = data.index === 0 ? 0 : data.index - (t.transcriptDropped ?? 0);
      const target = (data.index > 0 && position < 1) ? undefined : t.transcript[position];
      if (!target || (target.delivered === data.delivered && target.note === data.note)) return false;
      target.delivered = data.delivered;
      if (data.note === undefined) delete target.note;
      else target.note = data.note;
      return true;
    });
  }

  /** The user's rating (a later one replaces it); the comment is trimmed and cut to 1000 characters. */
  async rate(id: number, helpful: boolean, comment?: string): Promise<Ticket> {
    const data = parse(z.object({ helpful: z.boolean(), comment: optionalClipped(MAX_RATING_COMMENT_CHARS) }), { helpful, comment });
    const { ticket } = await this.#update(
      id,
      'user',
      (t, now) => {
        t.rating = { helpful: data.helpful, ...(data.comment !== undefined ? { comment: data.comment } : {}), at: now };
        return 'rated';
      },
      'teams',
      { helpful: data.helpful },
    );
    return ticket;
  }

  /** Where the ticket's card is in the agents' channel; its thread id then finds the ticket. */
  async setChannelPost(id: number, post: ChannelPost): Promise<Ticket> {
    const data = compact(parse(channelPostSchema, post));
    const { ticket } = await this.#update(id, 'system', (t) => {
      if (JSON.stringify(t.channelPost) === JSON.stringify(data)) return false;
      t.channelPost = data;
      return 'posted';
    });
    return ticket;
  }

  /** Tickets matching every given field, newest first. `from` inclusive and `to` exclusive, on createdAt. */
  async list(filter: ListFilter = {}): Promise<Ticket[]> {
    return this.#d.tickets.list(compact(parse(filterSchema, filter)));
  }

  /** Figures for the dashboard. "This week" starts on Monday at 00:00 in the service's time zone. */
  async stats({ now, filter }: { now: Date; filter?: ListFilter }): Promise<TicketStats> {
    const weekStart = startOfLocalWeek(now, this.#timeZone).toISOString();
    const until = now.toISOString();
    const thisWeek = (at: string | undefined) => at !== undefined && at >= weekStart && at <= until;
    const all = await this.#d.tickets.list(filter ? compact(parse(filterSchema, filter)) : undefined);
    const waits = all
      .filter((t) => t.firstResponseAt !== undefined && thisWeek(t.createdAt))
      .map((t) => Date.parse(t.firstResponseAt!) - Date.parse(t.createdAt));
    const median = medianOf(waits);
    const taskMedian = medianOf(
      all.filter((t) => t.kind !== undefined && t.task?.outcome === 'done' && t.status === 'resolved' && thisWeek(t.resolvedAt)).map((t) => Date.parse(t.resolvedAt!) - Date.parse(t.createdAt)),
    );
    return {
      open: all.filter((t) => t.status === 'open').length,
      assigned: all.filter((t) => t.status === 'assigned').length,
      ...(median !== undefined ? { medianFirstResponseMs: median } : {}),
      resolvedThisWeek: all.filter((t) => t.status === 'resolved' && thisWeek(t.resolvedAt)).length,
      weekStart,
      tasksWaiting: all.filter((t) => t.kind !== undefined && t.status === 'open').length,
      ...(taskMedian !== undefined ? { medianTaskDoneMs: taskMedian } : {}),
    };
  }

  /**
   * Retention: for tickets resolved before `cutoff`, deletes the screenshot files and the words (transcript,
   * description, error message, context detail) and sets purgedAt. Kept: id, ref, status, category,
   * requester, timestamps, events and rating. The ticket is saved first, then the files deleted, so a ticket
   * never points at a missing file. Safe to run again: purged tickets are skipped.
   */
  async purgeResolvedBefore(cutoff: Date): Promise<PurgeResult> {
    const before = cutoff.toISOString();
    const result: PurgeResult = { tickets: 0, screenshots: 0, transcriptEntries: 0 };
    for (const candidate of await this.#d.tickets.list({ status: 'resolved' })) {
      if (candidate.resolvedAt === undefined || candidate.resolvedAt >= before || !hasContent(candidate)) continue;
      let entries = 0;
      const { changed } = await this.#update(candidate.id, 'system', (t, now) => {
        if (t.status !== 'resolved' || t.resolvedAt === undefined || t.resolvedAt >= before || !hasContent(t)) return false;
        entries = t.transcript.length;
        t.screenshots = [];
        t.transcript = [];
        delete t.transcriptDropped;
        t.description = '';
        delete t.errorMessage;
        delete t.context.detail;
        if (t.task) {
          t.task.tried = [];
          delete t.task.reason;
        }
        t.purgedAt = now;
        return 'purged';
      });
      if (!changed) continue;
      result.tickets++;
      result.transcriptEntries += entries;
      result.screenshots += await this.#d.screenshots.deleteForTicket(candidate.id);
    }
    if (result.tickets > 0) {
      await this.#d.audit.record({
        at: this.#now(),
        action: 'ticket.purged',
        actor: { kind: 'system' },
        channel: 'system',
        outcome: 'success',
        detail: { tickets: result.tickets, screenshots: result.screenshots, transcriptEntries: result.transcriptEntries, cutoff: before },
      });
    }
    return result;
  }

  // Stores checked screenshots under new random ids; on a failure, removes the ones this call stored.
  async #storeScreenshots(ticketId: number, files: CheckedScreenshot[]): Promise<Screenshot[]> {
    const stored: Screenshot[] = [];
    try {
      for (const file of files) {
        const meta: Screenshot = { id: randomBytes(16).toString('hex'), ...file.meta };
        await this.#d.screenshots.put(ticketId, meta, file.bytes);
        stored.push(meta);
      }
    } catch (error) {
      await Promise.all(stored.map((s) => this.#d.screenshots.delete(ticketId, s.id).catch(() => false)));
      throw error;
    }
    return stored;
  }

  // Read, decide on a copy, save with the version read; on a conflict decide again on the fresh ticket.
  // With `channel`, an event is also recorded in the audit log.
  async #update(
    id: number,
    by: EventActor,
    change: (draft: Ticket, now: string) => Change,
    channel?: Channel,
    detail?: Record<string, string | number | boolean>,
  ): Promise<ChangeResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.#d.tickets.get(id);
      if (!current) throw new TicketError('not_found', { message: `No ticket ${formatRef(id)}` });
      const draft = structuredClone(current);
      const now = this.#now();
      const outcome = change(draft, now);
      if (outcome === false) return { ticket: current, changed: false };
      draft.version = current.version + 1;
      draft.updatedAt = now;
      if (typeof outcome === 'string') draft.events.push({ at: now, action: outcome, by });
      try {
        await this.#d.tickets.save(draft, current.version);
      } catch (error) {
        if (!(error instanceof TicketConflictError)) throw error;
        if (attempt < MAX_ATTEMPTS) continue;
        throw new TicketError('conflict', { message: `${current.ref} kept changing; try again` });
      }
      if (typeof outcome === 'string' && channel !== undefined) await this.#audit(outcome, draft, by, channel, detail);
      return { ticket: draft, changed: true };
    }
  }

  // Facts only: never message text, descriptions or comments.
  async #audit(action: string, ticket: Ticket, by: EventActor, channel: Channel, detail: Record<string, string | number | boolean> = {}): Promise<void> {
    const actor: Actor =
      by === 'user'
        ? { kind: 'staff', id: ticket.requester.entraObjectId ?? ticket.requester.teamsUserId }
        : by === 'system'
          ? { kind: 'system' }
          : { kind: 'agent', id: by.id, name: by.name };
    const [username, ...others] = ticket.requester.esrUsernames;
    await this.#d.audit.record({
      at: this.#now(),
      action: `ticket.${action}`,
      actor,
      channel,
      outcome: 'success',
      ...(username !== undefined && others.length === 0 ? { username } : {}),
      detail: { ticket: ticket.ref, category: ticket.category, status: ticket.status, ...(ticket.kind ? { kind: ticket.kind } : {}), ...detail },
    });
  }

  #now(): string {
    return this.#d.clock.now().toISOString();
  }
}

// ---------------------------------------------------------------------------------------------- helpers

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => ({ field: i.path.join('.') || 'input', problem: i.message }));
  throw new TicketError('invalid_input', { issues, message: issues.map((i) => `${i.field} ${i.problem}`).join('; ') });
}

/** A copy without the keys whose value is undefined (so stored JSON and memory agree). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

interface CheckedScreenshot {
  meta: Omit<Screenshot, 'id'>;
  bytes: Buffer;
}

function checkScreenshots(files: NewScreenshot[]): CheckedScreenshot[] {
  if (files.length > MAX_SCREENSHOTS) {
    throw new TicketError('too_many_screenshots', { message: `At most ${MAX_SCREENSHOTS} screenshots (got ${files.length})` });
  }
  return files.map((file, i) => {
    const fileName = displayName(file.fileName, i);
    if (file.bytes.length > MAX_SCREENSHOT_BYTES) {
      throw new TicketError('screenshot_too_large', { fileName, message: `${fileName} is over ${MAX_SCREENSHOT_BYTES / 1024 / 1024} MB` });
    }
    const contentType: ScreenshotType | undefined = sniffImageType(file.bytes);
    if (!contentType) throw new TicketError('screenshot_not_image', { fileName, message: `${fileName} is not a PNG, JPEG, GIF or WebP image` });
    const sha256 = createHash('sha256').update(file.bytes).digest('hex');
    return { meta: { fileName, contentType, bytes: file.bytes.length, sha256 }, bytes: file.bytes };
  });
}

// The last path segment, without control characters, at most 200 characters; a stand-in when blank.
function displayName(fileName: string, index: number): string {
  const base = fileName.split(/[\\/]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex
  const clean = Array.from(base.replace(/[\u0000-\u001f\u007f]/g, '').trim()).slice(-200).join('');
  return clean === '' ? `screenshot-${index + 1}` : clean;
}

function entryOf(e: z.output<typeof transcriptEntrySchema>, now: string): TranscriptEntry {
  return compact({ ...e, at: e.at ?? now });
}

// Keeps the first entry and the newest; returns how many were dropped.
function capTranscript(transcript: TranscriptEntry[]): number {
  const excess = transcript.length - MAX_TRANSCRIPT_ENTRIES;
  if (excess <= 0) return 0;
  transcript.splice(1, excess);
  return excess;
}

function hasContent(t: Ticket): boolean {
  return t.screenshots.length > 0 || t.transcript.length > 0 || t.description !== '' || t.errorMessage !== undefined || t.context.detail !== undefined;
}

function medianOf(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
