// Sends unlock and reactivate requests to the Trust's ESR automation endpoint, signed, and turns whatever
// comes back (or does not) into an AutomationResult. Anything but a clear answer is `unavailable`, so the
// caller hands the job to a person rather than leaving someone waiting on a robot that is down.
import { z } from 'zod';
import type { Clock } from '../../core/clock.js';
import type { AutomationLogger, AutomationRequestStore } from './ports.js';
import { AutomationSignature, SIGNATURE_HEADER } from './signature.js';
import type { AccountAutomation, AutomationRequest, AutomationResult } from './types.js';

/** The most the bot reads of the endpoint's answer; a real answer is a few dozen bytes. */
export const MAX_ANSWER_BYTES = 16 * 1024;
export const MAX_MESSAGE_LENGTH = 1000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const finishedAnswerSchema = z.object({
  outcome: z.enum(['done', 'failed']),
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
});

export interface AutomationClientOptions {
  /** ESR_AUTOMATION_URL. */
  url: string;
  /** ESR_AUTOMATION_SECRET. */
  secret: string;
  /** Where the endpoint POSTs a later outcome: <PUBLIC_URL>/api/esr-automation/callback. */
  callbackUrl: string;
  /** How long one request (every attempt, answer included) may take: ESR_AUTOMATION_TIMEOUT_S in ms. */
  timeoutMs: number;
  store: AutomationRequestStore;
  clock: Clock;
  logger: AutomationLogger;
  /** Pause before the one quick retry after a network error. */
  retryDelayMs?: number;
  fetch?: typeof fetch;
}

export class EsrAutomationClient implements AccountAutomation {
  readonly #options: AutomationClientOptions;
  readonly #signature: AutomationSignature;
  readonly #fetch: typeof fetch;

  constructor(options: AutomationClientOptions) {
    this.#options = options;
    this.#signature = new AutomationSignature(options.secret, options.clock);
    this.#fetch = options.fetch ?? fetch;
  }

  async request(request: AutomationRequest): Promise<AutomationResult> {
    const { store, clock, logger } = this.#options;
    if (!UUID.test(request.id)) {
      logger.error({ automationId: request.id }, 'ESR automation request not sent: its id is not a UUID');
      return { kind: 'unavailable', reason: 'the request id is not a UUID' };
    }
    // Recorded before sending: the callback may arrive before the 202 does. Unrecorded, a callback could
    // not be matched, so nothing is sent and a person does it.
    try {
      await store.begin({ id: request.id, action: request.action, username: request.username, requestedAt: request.requestedAt, sentAt: clock.now().toISOString() });
    } catch (error) {
      logger.error({ automationId: request.id, err: error }, 'ESR automation request not sent: it could not be recorded');
      return { kind: 'unavailable', reason: 'the request could not be recorded' };
    }
    const result = await this.#send(request);
    const log = { automationId: request.id, action: request.action, result: result.kind };
    if (result.kind === 'pending') {
      logger.info(log, 'ESR automation accepted the request; waiting for its callback');
      return result;
    }
    if (result.kind === 'unavailable') logger.warn({ ...log, reason: result.reason }, 'ESR automation unavailable; a person will do it instead');
    else logger.info(log, 'ESR automation answered');
    // The caller acts on the result whether or not the record is updated; a record left pending times out.
    await store.finish(request.id, result.kind, clock.now().toISOString(), result.kind === 'unavailable' ? result.reason : result.message).catch((error: unknown) => {
      logger.error({ automationId: request.id, err: error }, 'The ESR automation result could not be recorded');
    });
    return result;
  }

  /** One POST, and one quick retry (same id, same body, fresh signature) if the network failed before any answer. */
  async #send(request: AutomationRequest): Promise<AutomationResult> {
    // Fields picked one by one: whatever else the caller's object holds is never sent.
    const body = JSON.stringify({
      id: request.id,
      action: request.action,
      username: request.username,
      organisationCode: request.organisationCode,
      employee: { firstName: request.employee.firstName, lastName: request.employee.lastName, workEmail: request.employee.workEmail },
      requestedAt: request.requestedAt,
      callbackUrl: this.#options.callbackUrl,
    });
    const deadline = AbortSignal.timeout(this.#options.timeoutMs);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.#post(body, deadline);
      } catch (error) {
        if (deadline.aborted) return { kind: 'unavailable', reason: `no answer within ${Math.round(this.#options.timeoutMs / 1000)} s` };
        if (attempt >= 2) return { kind: 'unavailable', reason: `network error: ${describe(error)}` };
        this.#options.logger.warn({ automationId: request.id, error: describe(error) }, 'ESR automation request failed on the network; retrying once with the same id');
        await pause(this.#options.retryDelayMs ?? 250, deadline);
      }
    }
  }

  async #post(body: string, signal: AbortSignal): Promise<AutomationResult> {
    const response = await this.#fetch(this.#options.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: this.#signature.sign(body) },
      body,
      signal,
      // A redirect would re-send a signed body somewhere not configured.
      redirect: 'manual',
    });
    const text = await readLimited(response, MAX_ANSWER_BYTES);
    if (response.status === 202) return { kind: 'pending' };
    if (response.status !== 200) return { kind: 'unavailable', reason: `the endpoint answered HTTP ${response.status}` };
    if (text === undefined) return { kind: 'unavailable', reason: `the answer is larger than ${MAX_ANSWER_BYTES} bytes` };
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return { kind: 'unavailable', reason: 'the answer is not JSON' };
    }
    const parsed = finishedAnswerSchema.safeParse(json);
    if (!parsed.success) return { kind: 'unavailable', reason: 'the answer is not {"outcome":"done"|"failed"}' };
    return parsed.data.message === undefined ? { kind: parsed.data.outcome } : { kind: parsed.data.outcome, message: parsed.data.message };
  }
}

/** The body as text, or undefined when it is longer than `limit` bytes (the rest is not read). */
async function readLimited(response: Response, limit: number): Promise<string | undefined> {
  if (!response.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > limit) {
      await response.body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message ?? String(error);
}
