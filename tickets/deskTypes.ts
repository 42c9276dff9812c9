// What the desk is given and answers, as plain data: the Teams runtime (bot/teamsHelpDesk.ts) turns a turn
// into these, and the dialogs see the same shapes through dialogs/deps.ts.
import type { Params } from '../content/content.js';
import type { Language } from '../content/language.js';
import type { StaffRecord, TeamsIdentity } from '../esr/types.js';
import type { OfficeHours } from './officeHours.js';
import type { AdminTaskKind, Ticket, TicketCategory, TranscriptEntry } from './types.js';

export type ReportCategory = TicketCategory;

/** A screenshot the user has sent during a report, kept aside by the desk (never in dialog state). */
export interface PendingScreenshot {
  id: string;
  name: string;
  bytes: number;
  contentType: string;
}

export interface ReportInput {
  category: ReportCategory;
  description: string;
  errorMessage?: string;
  screenshots: PendingScreenshot[];
  /** Where the user was when things went wrong, if the bot knows. */
  context: { flow?: string; step?: string; detail?: string };
  /** "Speak to someone": they want a person, not just a ticket. */
  wantsPerson: boolean;
}

export interface ReportOutcome {
  ref: string;
  /** An open ticket of theirs was reused rather than a new one started. */
  reused: boolean;
  team: 'workforce' | 'leadEmployer';
  teamIsIn: boolean;
  /** "Monday at 9am", when the team is out. */
  nextOpening: string;
}

/** An ESR admin task the person asks for: who they are comes from Teams, never from what they type. */
export interface AdminTaskRequest {
  kind: AdminTaskKind;
  /** What they tried, in the bot's words. */
  tried: string[];
  /** What ESR said, as they chose or typed it (their words: kept apart from the bot's). */
  esrSaid?: string;
  screenshots: PendingScreenshot[];
  context: { flow?: string; step?: string };
}

export interface AdminTaskOutcome {
  ref: string;
  /** They already had this task open; no second one was raised. */
  reused: boolean;
  /** queued: waiting for a person; done: the automation did it; pending: the automation is doing it. */
  state: 'queued' | 'done' | 'pending';
  /** The automation was tried and could not do it, so a person will. */
  automationFellBack: boolean;
  teamIsIn: boolean;
  nextOpening: string;
}

/** Who is asking, as Teams identified them. */
export interface StaffProfile extends TeamsIdentity {
  teamsUserId: string;
  displayName?: string;
}

/** A member of staff raising something: who, where to reach them later, in which language, and what was said so far. */
export interface StaffAsking {
  profile: StaffProfile;
  /** Their conversation with the bot (opaque to the desk), for messages about the ticket later. */
  conversation: Record<string, unknown>;
  /** The language they are using now; what the desk later sends them about it is in it. */
  language?: Language;
  /** The conversation so far (bot and user). */
  transcript: TranscriptEntry[];
}

/** A file someone sent, fetched only when the desk has room for it. */
export interface ScreenshotSource {
  name: string;
  fetch(): Promise<{ ok: true; name: string; contentType: string; bytes: Buffer } | { ok: false; name: string; reason: string }>;
}

export interface CollectedScreenshots {
  accepted: PendingScreenshot[];
  refused: Array<{ name: string; reason: string }>;
}

/** The buttons on a ticket's card (and the dashboard's actions). */
export const AGENT_VERBS = ['takeOver', 'unassign', 'resolve', 'reopen', 'taskDone', 'taskFailed'] as const;
export type AgentVerb = (typeof AGENT_VERBS)[number];

/** What an agent's action came to: the ticket as it is now, and a word for the agent (the loser of a race is told who won). */
export interface ActOutcome {
  ok: boolean;
  ticket?: Ticket;
  message?: string;
}

/** What the desk needs of one organisation (bot/organisations.ts has the whole of it). */
export interface DeskOrganisation {
  code: string;
  trustName: string;
  officeHours: OfficeHours;
  timeZone: string;
  workforceEmail: string;
  leadEmployerEmail: string;
  defaultLanguage: Language;
}

/** The organisations served. */
export interface DeskOrganisations {
  forRecord(record: StaffRecord | undefined): DeskOrganisation;
  /** The organisation of a code, or the default one when the code is unknown or missing. */
  forCode(code: string | undefined): DeskOrganisation;
  all(): DeskOrganisation[];
  /** Its {placeholder} values: name, contacts, hours (described in `language`, default the desk's). */
  values(org: DeskOrganisation, language?: Language): Params;
}
