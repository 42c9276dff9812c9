// What the dialogs are given by the composition root. Dialogs talk to the ESR service and the content
// layer only through these; they never see storage, mail or HTTP.
import type { TurnContext } from 'botbuilder-core';
import type { Content } from '../content/content.js';
import type { Faq } from '../content/faq.js';
import type { AdminTaskOutcome, AdminTaskRequest, PendingScreenshot, ReportInput, ReportOutcome } from '../tickets/deskTypes.js';
import type { UsageLog } from '../tickets/usage.js';
import type { Clock } from '../core/clock.js';
import type { EsrService } from '../esr/esrService.js';
import type { TeamsIdentity } from '../esr/types.js';
import type { LiveUnderstanding } from '../understanding/live.js';
import type { MissedLog } from '../understanding/missed.js';

/** Who is on the other end of this turn, as far as Teams tells us. */
export interface UserProfile extends TeamsIdentity {
  /** The Teams user id (29:...), for replies and state keys. */
  teamsUserId: string;
  displayName?: string;
  givenName?: string;
}

export interface ProfileResolver {
  resolve(context: TurnContext): Promise<UserProfile>;
}

/** How the bot works with ESR: guided (ESR's own screens explained), automation (guided, plus the Trust's
 * robot for unlocks), or simulated (a training copy of ESR inside the bot). */
export type EsrMode = 'guided' | 'automation' | 'simulated';

export interface DialogSettings {
  /** How long emailed reset and unlock links work, for telling people. */
  resetLinkHours: number;
  /** The simulated ESR: every card that changes an account says it is a training copy. */
  trainingCopy?: boolean;
  /** Default simulated. */
  esrMode?: EsrMode;
}

/** Guided and automation modes meet the real ESR: no password box, no reset link, ESR's own rules. */
export function againstRealEsr(settings: Pick<DialogSettings, 'esrMode'>): boolean {
  return (settings.esrMode ?? 'simulated') !== 'simulated';
}

// What the desk is given and answers (tickets/deskTypes.ts), as the dialogs know them.
export type { AdminTaskOutcome, AdminTaskRequest, PendingScreenshot, ReportCategory, ReportInput, ReportOutcome } from '../tickets/deskTypes.js';

/** The helpdesk side of reporting: screenshots, tickets, email and the agents' channel. */
export interface HelpDesk {
  readonly maxScreenshots: number;
  readonly maxScreenshotMb: number;
  /** Downloads and checks the images in the current message; keeps the good ones aside. */
  collectScreenshots(context: TurnContext, alreadyHave: number): Promise<{ accepted: PendingScreenshot[]; refused: Array<{ name: string; reason: string }> }>;
  submit(context: TurnContext, input: ReportInput): Promise<ReportOutcome>;
  /** Drops screenshots kept aside for a report that was cancelled. */
  discard(ids: string[]): Promise<void>;
  /** Raises an ESR admin task for the person in this conversation (through the automation first, where there is one). */
  raiseAdminTask(context: TurnContext, request: AdminTaskRequest): Promise<AdminTaskOutcome>;
}

export interface DialogDeps {
  esr: EsrService;
  /** The words in this turn's person's language (see dialogs/turnLanguage.ts). */
  content: (context: TurnContext) => Content;
  /** What free text asks for (commands, diagnosis, ranked retrieval), in this turn's language. */
  intents: (context: TurnContext) => LiveUnderstanding;
  profiles: ProfileResolver;
  clock: Clock;
  settings: DialogSettings;
  /** The common questions in this turn's language. */
  faq: (context: TurnContext) => Faq;
  desk: HelpDesk;
  usage: UsageLog;
  /** What was not understood, and which "did you mean" choices were made. */
  missed: MissedLog;
}
