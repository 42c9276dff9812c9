// POST /api/esr-automation/callback: the Trust's ESR automation reports the outcome of a request it
// accepted with a 202. Signed like our requests (HMAC over the raw body), so it must see the body's exact
// bytes: it runs as a pre-routing handler, before any body parser, and reads the body itself.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Next, Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Clock } from '../core/clock.js';
import { MAX_MESSAGE_LENGTH } from '../esr/automation/automationClient.js';
import type { AutomationLogger, AutomationRequestStore } from '../esr/automation/ports.js';
import { SIGNATURE_HEADER, type AutomationSignature } from '../esr/automation/signature.js';
import type { AutomationOutcome } from '../esr/automation/types.js';

export const CALLBACK_PATH = '/api/esr-automation/callback';
export const MAX_CALLBACK_BYTES = 16 * 1024;

const callbackSchema = z.strictObject({
  id: z.uuid(),
  outcome: z.enum(['done', 'failed']),
  message: z.string().max(MAX_MESSAGE_LENGTH).optional(),
});

export interface CallbackDeps {
  signature: AutomationSignature;
  store: AutomationRequestStore;
  clock: Clock;
  logger: AutomationLogger;
  /** Told each outcome once, after it is recorded. */
  onOutcome: (outcome: AutomationOutcome) => void | Promise<void>;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export function esrAutomationCallback(deps: CallbackDeps) {
  return (server: Server): void => {
    server.pre((req: Request, res: Response, next: Next) => {
      if (req.method !== 'POST' || req.path() !== CALLBACK_PATH) {
        next();
        return;
      }
      handle(deps, req, res)
        .catch((error: unknown) => {
          deps.logger.error({ err: error }, 'ESR automation callback failed');
          if (!res.headersSent) answer(res, 500, { error: 'The callback could not be processed; send it again.' });
        })
        .finally(() => next(false));
    });
  };
}

async function handle(deps: CallbackDeps, req: Request, res: Response): Promise<void> {
  let automationId: string | undefined;
  try {
    const raw = await readRawBody(req, MAX_CALLBACK_BYTES);
    const check = deps.signature.verify(raw, req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined);
    if (!check.ok) throw new Refusal(401, `signature ${check.reason}`, 'The signature is missing, wrong or too old.');
    // Only a signed body is parsed.
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw new Refusal(400, 'not JSON', 'The body is not JSON.');
    }
    const parsed = callbackSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new Refusal(400, 'bad shape', `Expected {"id","outcome":"done"|"failed","message"?}: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}`);
    }
    const outcome: AutomationOutcome = parsed.data;
    automationId = outcome.id;
    const finished = await deps.store.finish(outcome.id, outcome.outcome, deps.clock.now().toISOString(), outcome.message);
    if (finished === 'unknown') throw new Refusal(409, 'unknown id', 'No request with this id is waiting for an outcome.');
    if (finished === 'already_finished') throw new Refusal(409, 'already finished', 'This request already has an outcome, or timed out and went to a person.');
    deps.logger.info({ automationId, outcome: outcome.outcome }, 'ESR automation callback recorded');
    try {
      await deps.onOutcome(outcome);
    } catch (error) {
      // Recorded and answered all the same: a resend would only be refused as a second outcome.
      deps.logger.error({ automationId, err: error }, 'The ESR automation outcome was recorded but could not be handed over');
    }
    answer(res, 200, { status: 'recorded' });
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    deps.logger.warn({ status: error.status, reason: error.reason, automationId, from: req.socket.remoteAddress }, 'Refused an ESR automation callback');
    answer(res, error.status, { error: error.message }, error.status === 413 || error.status === 415);
  }
}

/** The body's bytes as sent, refused past `limit`. Only identity encoding: the signature covers these bytes. */
function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity') return Promise.reject(new Refusal(415, 'content encoding', 'Send the callback without Content-Encoding.'));
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(tooLarge(limit));
  // Something read the body before us: that is a wiring mistake, not the sender's.
  if (req.readableEnded || req.readableFlowing !== null) return Promise.reject(new Error('The callback body was already read; the callback route must run before any body parser'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error?: Error) => {
      if (settled) return;
      settled = true;
      if (error) {
        req.pause();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    req.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) settle(tooLarge(limit));
      else chunks.push(chunk);
    });
    req.on('end', () => settle());
    req.on('error', (error) => settle(error));
    req.on('close', () => {
      if (!req.complete) settle(new Error('The client closed the connection mid-body'));
    });
  });
}

function tooLarge(limit: number): Refusal {
  return new Refusal(413, 'too large', `The body is larger than ${limit} bytes.`);
}

function answer(res: ServerResponse, status: number, body: Record<string, string>, close = false): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store', ...(close ? { Connection: 'close' } : {}) });
  res.end(text);
}
