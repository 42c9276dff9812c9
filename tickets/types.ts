// Domain types of the helpdesk tickets module. Nothing here knows about Teams, botbuilder or storage engines.
import type { StaffGroup } from '../esr/types.js';

export const TICKET_STATUSES = ['open', 'assigned', 'resolved'] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const TICKET_CATEGORIES = ['login', 'app', 'payslip', 'training', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

/** ESR admin tasks: things only the Trust's ESR user administrators or the workforce team can do in ESR. */
export const ADMIN_TASK_KINDS = ['unlock', 'reactivate', 'correct_email', 'correct_date_of_birth', 'internet_access', 'other'] as const;
export type AdminTaskKind = (typeof ADMIN_TASK_KINDS)[number];

export const AUTOMATION_STATES = ['pending', 'done', 'failed', 'unavailable'] as const;

/** What an admin task carries besides the ticket: who it is for (as verified from Teams) and how it ended. */
export interface AdminTask {
  /** The organisation code of the person's ESR username(s). */
  organisationCode?: string;
  /** The username the task is about, when the person has several and chose one. */
  username?: string;
  /** The Teams sign-in the identity was matched from. */
  teams: { upn?: string; email?: string; displayName?: string };
  /** What the person tried before asking, in the bot's words (steps shown, answers chosen). */
  tried: string[];
  /** How it ended: done in ESR, or an agent could not do it. */
  outcome?: 'done' | 'not_done';
  /** The agent's reason when it could not be done; shown to the person. */
  reason?: string;
  /** When the task was last posted again in the agents' channel because nobody had picked it up. */
  remindedAt?: string;
  /** The Trust's automation, when it was asked first (ESR_MODE=automation). */
  automation?: { requestId: string; state: (typeof AUTOMATION_STATES)[number]; message?: string };
}

export const SCREENSHOT_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type ScreenshotType = (typeof SCREENSHOT_TYPES)[number];

/** The member of staff who raised the ticket. */
export interface Requester {
  /** The Teams (Bot Framework) user id, `activity.from.id`. */
  teamsUserId: string;
  /** Microsoft Entra object id, lower case, when Teams gave it. */
  entraObjectId?: string;
  name: string;
  email?: string;
  /** The person's ESR usernames, when the directory knows them (several assignments are several usernames). */
  esrUsernames: string[];
  staffGroup?: StaffGroup;
  /**
   * The language the person used with the bot when they raised it: what the desk sends them about it (an
   * agent's actions, relayed messages, the rating card, emails) is in it. Absent on older tickets: their
   * organisation's default language.
   */
  language?: RequesterLanguage;
}

/** The languages a requester can have (the same as content/language.ts's; the domain does not import content). */
export const REQUESTER_LANGUAGES = ['en-GB', 'cy-GB'] as const;
export type RequesterLanguage = (typeof REQUESTER_LANGUAGES)[number];

/** A helpdesk agent, as the agents' Teams channel or the dashboard identifies them. */
export interface Agent {
  id: string;
  name: string;
}

export interface Screenshot {
  /** Random, URL- and file-name-safe; the stored file is named by it, never by `fileName`. */
  id: string;
  /** The name the user's file had: for display only. */
  fileName: string;
  /** Sniffed from the bytes, never taken from the name or the sender. */
  contentType: ScreenshotType;
  bytes: number;
  /** SHA-256 of the bytes, hex. */
  sha256: string;
}

export interface TranscriptEntry {
  at: string;
  from: 'user' | 'bot' | 'agent' | 'system';
  /** Who spoke, for agents (and the user's name when the relay shows it). */
  name?: string;
  text: string;
  screenshotIds?: string[];
  /** Whether the relay delivered the message to the other side (absent: not relayed, or not known yet). */
  delivered?: boolean;
  /** Why delivery failed, in a few words (e.g. "the user blocked the bot"); never message text. */
  note?: string;
}

export type EventActor = Agent | 'user' | 'system';

export interface TicketEvent {
  at: string;
  /** created, taken_over, unassigned, resolved, reopened, live_ended, rated, posted, purged. */
  action: string;
  by?: EventActor;
}

export interface ChannelPost {
  /** Which agents' channel (queue) the ticket was posted to. */
  queueId: string;
  /** The id of the ticket's card in the channel, for updating it. */
  activityId?: string;
  /** The conversation id of the card's reply thread, where agents talk about and relay the ticket. */
  threadConversationId?: string;
}

export interface TicketRating {
  helpful: boolean;
  comment?: string;
  at: string;
}

export interface Ticket {
  /** 1, 2, 3, … in order of creation. */
  id: number;
  /** `ESR-` and the id padded to five digits: ESR-00042 (ESR-123456 past 99999). */
  ref: string;
  status: TicketStatus;
  category: TicketCategory;
  /** The requester's ESR organisation; absent on tickets from before organisations (the first one's). */
  organisationCode?: string;
  /** Set on ESR admin tasks (unlock, reactivate, correct an email…); absent on ordinary tickets. */
  kind?: AdminTaskKind;
  task?: AdminTask;
  description: string;
  errorMessage?: string;
  requester: Requester;
  /** Where in the bot's flows the user was when they asked for help. */
  context: { flow?: string; step?: string; detail?: string };
  screenshots: Screenshot[];
  /** While assigned: the agent who holds it. Once resolved: the agent who resolved it. Absent while open. */
  assignee?: Agent;
  /** True while the assignee talks with the user through the bot (the relay is on). */
  live: boolean;
  wantsPerson: boolean;
  createdAt: string;
  updatedAt: string;
  firstResponseAt?: string;
  resolvedAt?: string;
  /** At most 500 entries: the first, then the newest 499. */
  transcript: TranscriptEntry[];
  /**
   * How many entries after the first were dropped to keep the transcript at 500. An entry number that
   * `appendTranscript` returned stays valid: its position in `transcript` is `number - transcriptDropped`.
   */
  transcriptDropped?: number;
  rating?: TicketRating;
  /** Bumped by every change; the store refuses a save based on an older version. */
  version: number;
  /** An opaque conversation reference for proactive messages; only `conversation.id` is ever read. */
  userConversation: Record<string, unknown>;
  channelPost?: ChannelPost;
  events: TicketEvent[];
  /** When screenshots and text were deleted under the retention policy. */
  purgedAt?: string;
}
