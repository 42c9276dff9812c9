// The bot's daily tidy-up, run at start-up and then once a day: screenshots, transcripts and descriptions
// of tickets resolved longer ago than RETENTION_DAYS; expired reset tokens; rate-limit counters and
// conversation state nobody has touched for months; welcome marks over a year old; screenshots kept aside
// for reports never sent. Each run logs what it removed (counts only). Besides, every few minutes, ESR admin
// tasks nobody has picked up are posted again in the agents' channel (office hours only).
import { DAY, HOUR, MINUTE, type Clock } from '../core/clock.js';
import type { JobLock } from '../core/locks.js';
import type { TokenStore } from '../esr/ports.js';
import type { PrunableRateLimitStore } from '../esr/rateLimiter.js';
import type { VersionedStateStore } from '../state/ports.js';
import type { DeskService } from '../tickets/deskService.js';
import type { RecentTranscriptStore } from '../tickets/recentTranscript.js';
import type { TicketService } from '../tickets/ticketService.js';
import type { Logger } from './logger.js';

export interface HousekeepingDeps {
  clock: Clock;
  logger: Logger;
  tickets: TicketService;
  tokens: TokenStore;
  limits: PrunableRateLimitStore;
  state: Pick<VersionedStateStore, 'pruneIdle' | 'pruneOnceMarks'>;
  /** Conversations' recent messages (in PostgreSQL, one row each): they go with the idle state. */
  transcript?: Pick<RecentTranscriptStore, 'forgetBefore'>;
  desk: Pick<DeskService, 'remindWaitingTasks' | 'purgeUploads'>;
  retentionDays: number;
  /** Conversation and user state idle this long is dropped (the welcome-once marks have their own age). */
  stateIdleDays: number;
  /**
   * A welcome-once mark older than this goes (default 400). Without it every person who ever opened the bot
   * keeps a mark for ever; the cost of dropping one is a second welcome, more than a year after the first,
   * when that person next installs the app or writes: harmless, and cheaper than a mark per person for ever.
   */
  welcomeMarkDays?: number;
  /** With several instances on one database, each pass runs on one of them at a time (default: always here). */
  jobs?: JobLock;
}

export const WELCOME_MARK_DAYS = 400;

export interface HousekeepingReport {
  tickets: number;
  screenshots: number;
  transcriptEntries: number;
  tokens: number;
  limitKeys: number;
  stateEntries: number;
  welcomeMarks: number;
  uploads: number;
  recentMessages: number;
}

export class Housekeeping {
  readonly #d: HousekeepingDeps;
  #timer: NodeJS.Timeout | undefined;
  #reminderTimer: NodeJS.Timeout | undefined;
  #running: Promise<HousekeepingReport | undefined> | undefined;
  #reminding: Promise<number> | undefined;

  constructor(deps: HousekeepingDeps) {
    this.#d = deps;
  }

  /** One pass; concurrent calls share it. Undefined when another instance was running it (this round skipped). */
  runOnce(): Promise<HousekeepingReport | undefined> {
    this.#running ??= this.#exclusive('housekeeping', () => this.#run(), undefined).finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** Posts waiting ESR admin tasks again where due; concurrent calls share one pass. Returns how many (0 when another instance was at it). */
  remindTasks(): Promise<number> {
    this.#reminding ??= this.#exclusive('admin-task-reminders', () => this.#d.desk.remindWaitingTasks(), 0).finally(() => (this.#reminding = undefined));
    return this.#reminding;
  }

  async #exclusive<T, S>(name: string, job: () => Promise<T>, skipped: S): Promise<T | S> {
    if (!this.#d.jobs) return job();
    const round = await this.#d.jobs.runExclusive(name, job);
    if (round.ran) return round.value;
    this.#d.logger.debug({ job: name }, 'Skipped this round: another instance is running it');
    return skipped;
  }

  start(intervalMs = DAY, reminderIntervalMs = 5 * MINUTE): void {
    const tick = () => {
      this.runOnce().catch((error: unknown) => this.#d.logger.error({ err: error }, 'Housekeeping failed'));
    };
    tick();
    this.#timer = setInterval(tick, intervalMs);
    this.#timer.unref();
    this.#reminderTimer = setInterval(() => {
      this.remindTasks().catch((error: unknown) => this.#d.logger.error({ err: error }, 'Reminding agents of waiting ESR tasks failed'));
    }, reminderIntervalMs);
    this.#reminderTimer.unref();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    if (this.#reminderTimer) clearInterval(this.#reminderTimer);
    this.#timer = undefined;
    this.#reminderTimer = undefined;
    await this.#running?.catch(() => undefined);
    await this.#reminding?.catch(() => undefined);
  }

  async #run(): Promise<HousekeepingReport> {
    const now = this.#d.clock.now().getTime();
    const purged = await this.#d.tickets.purgeResolvedBefore(new Date(now - this.#d.retentionDays * DAY));
    const report: HousekeepingReport = {
      ...purged,
      // A day's grace after expiry, so "this link has expired" can still be told apart from "not valid".
      tokens: await this.#d.tokens.purgeExpired(new Date(now - DAY).toISOString()),
      limitKeys: await this.#d.limits.prune(now - 2 * DAY),
      stateEntries: await this.#d.state.pruneIdle(new Date(now - this.#d.stateIdleDays * DAY)),
      welcomeMarks: await this.#d.state.pruneOnceMarks(new Date(now - (this.#d.welcomeMarkDays ?? WELCOME_MARK_DAYS) * DAY)),
      uploads: await this.#d.desk.purgeUploads(HOUR * 24),
      recentMessages: (await this.#d.transcript?.forgetBefore(new Date(now - this.#d.stateIdleDays * DAY))) ?? 0,
    };
    // A line at info level only when something went, so a quiet day leaves a quiet log.
    const removed = Object.values(report).some((n) => n > 0);
    this.#d.logger[removed ? 'info' : 'debug']({ ...report, retentionDays: this.#d.retentionDays }, 'Housekeeping removed old data');
    return report;
  }
}
