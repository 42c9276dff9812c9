// Builds the ESR automation parts (ESR_MODE=automation) from the config: the client that sends requests,
// the callback route that receives later outcomes, and the watchdog that gives up on missing callbacks.
import { MINUTE, type Clock } from '../core/clock.js';
import { EsrAutomationClient } from '../esr/automation/automationClient.js';
import type { AutomationLogger, AutomationRequestStore } from '../esr/automation/ports.js';
import { AutomationSignature } from '../esr/automation/signature.js';
import type { AutomationOutcome } from '../esr/automation/types.js';
import type { JobLock } from '../core/locks.js';
import { AutomationWatchdog } from '../esr/automation/watchdog.js';
import { CALLBACK_PATH, esrAutomationCallback } from '../web/esrAutomationCallback.js';
import type { Config } from './config.js';
import type { RouteModule } from './server.js';

export interface EsrAutomation {
  client: EsrAutomationClient;
  store: AutomationRequestStore;
  /** The route module for POST /api/esr-automation/callback; `onOutcome` hears each outcome once. */
  callbackRoute(onOutcome: (outcome: AutomationOutcome) => void | Promise<void>): RouteModule;
  /** A watchdog (not started) that calls `onTimeout` once for each request whose callback never came. */
  watchdog(onTimeout: (id: string) => void | Promise<void>): AutomationWatchdog;
}

type AutomationConfig = Pick<Config, 'PUBLIC_URL' | 'ESR_AUTOMATION_URL' | 'ESR_AUTOMATION_SECRET' | 'ESR_AUTOMATION_TIMEOUT_S' | 'ESR_AUTOMATION_CALLBACK_MINUTES'>;

/** `store` keeps the request records: from openStores, a file in DATA_DIR or PostgreSQL shared by every instance. */
export function createEsrAutomation(
  config: AutomationConfig,
  deps: { clock: Clock; logger: AutomationLogger; store: AutomationRequestStore; fetch?: typeof fetch; timeoutMs?: number; retryDelayMs?: number; jobs?: JobLock },
): EsrAutomation {
  // loadConfig already refuses automation mode without these; checked again for callers that skip it.
  if (!config.ESR_AUTOMATION_URL || !config.ESR_AUTOMATION_SECRET) throw new Error('ESR automation needs ESR_AUTOMATION_URL and ESR_AUTOMATION_SECRET');
  const { clock, logger, store } = deps;
  const signature = new AutomationSignature(config.ESR_AUTOMATION_SECRET, clock);
  const client = new EsrAutomationClient({
    url: config.ESR_AUTOMATION_URL,
    secret: config.ESR_AUTOMATION_SECRET,
    callbackUrl: `${config.PUBLIC_URL}${CALLBACK_PATH}`,
    timeoutMs: deps.timeoutMs ?? config.ESR_AUTOMATION_TIMEOUT_S * 1000,
    store,
    clock,
    logger,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.retryDelayMs !== undefined ? { retryDelayMs: deps.retryDelayMs } : {}),
  });
  return {
    client,
    store,
    callbackRoute: (onOutcome) => esrAutomationCallback({ signature, store, clock, logger, onOutcome }),
    watchdog: (onTimeout) => new AutomationWatchdog({ store, clock, logger, callbackWaitMs: config.ESR_AUTOMATION_CALLBACK_MINUTES * MINUTE, onTimeout, ...(deps.jobs ? { jobs: deps.jobs } : {}) }),
  };
}
