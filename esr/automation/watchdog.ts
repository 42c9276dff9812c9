// Gives up on callbacks that never come: a request still pending ESR_AUTOMATION_CALLBACK_MINUTES after it
// was sent is marked timed out (so a late callback is refused) and handed back through onTimeout, for a
// person to do. Also forgets finished requests after a while, so the file stays small.
import { DAY, MINUTE, type Clock } from '../../core/clock.js';
import type { JobLock } from '../../core/locks.js';
import type { AutomationLogger, AutomationRequestStore } from './ports.js';

export interface WatchdogOptions {
  store: AutomationRequestStore;
  clock: Clock;
  logger: AutomationLogger;
  /** ESR_AUTOMATION_CALLBACK_MINUTES in ms. */
  callbackWaitMs: number;
  onTimeout: (id: string) => void | Promise<void>;
  /** How often start() checks. */
  intervalMs?: number;
  /** How long finished requests are kept, to recognise a repeated callback. */
  keepFinishedMs?: number;
  /** With several instances on one database, each check runs on one of them at a time (default: always here). */
  jobs?: JobLock;
}

export class AutomationWatchdog {
  readonly #options: WatchdogOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<string[]> | undefined;

  constructor(options: WatchdogOptions) {
    this.#options = options;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.runOnce(), this.#options.intervalMs ?? MINUTE);
    // A check due is no reason to keep the process alive.
    this.#timer.unref();
  }

  /** Stops the timer and waits for a check under way. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** One check; resolves with the ids it timed out. Never rejects: failures are logged. */
  runOnce(): Promise<string[]> {
    // One check at a time: a slow disk must not let two checks time out the same request. Another instance
    // checking already: this round is skipped here.
    this.#running ??= this.#exclusive().finally(() => (this.#running = undefined));
    return this.#running;
  }

  async #exclusive(): Promise<string[]> {
    const { jobs, logger } = this.#options;
    if (!jobs) return this.#check();
    try {
      const round = await jobs.runExclusive('esr-automation-watchdog', () => this.#check());
      return round.ran ? round.value : [];
    } catch (error) {
      logger.error({ err: error }, 'ESR automation watchdog check failed; will try again');
      return [];
    }
  }

  async #check(): Promise<string[]> {
    const { store, clock, logger, callbackWaitMs, onTimeout } = this.#options;
    const timedOut: string[] = [];
    try {
      const now = clock.now();
      for (const request of await store.pendingSentBefore(new Date(now.getTime() - callbackWaitMs))) {
        // A callback may have finished it since the list was made; only the one that finishes it reports it.
        if ((await store.finish(request.id, 'timed_out', now.toISOString(), 'no callback in time')) !== 'finished') continue;
        timedOut.push(request.id);
        logger.warn({ automationId: request.id, action: request.action, sentAt: request.sentAt }, 'ESR automation sent no outcome in time; a person will do it instead');
        try {
          await onTimeout(request.id);
        } catch (error) {
          logger.error({ automationId: request.id, err: error }, 'The timed-out ESR automation request could not be handed over');
        }
      }
      await store.pruneFinished(new Date(now.getTime() - (this.#options.keepFinishedMs ?? 30 * DAY)));
    } catch (error) {
      logger.error({ err: error }, 'ESR automation watchdog check failed; will try again');
    }
    return timedOut;
  }
}
