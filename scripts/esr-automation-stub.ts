// `npm run esr-automation:stub`: a reference ESR automation endpoint for trying ESR_MODE=automation without
// a Trust's robot. It checks each request's signature (ESR_AUTOMATION_SECRET) and answers as STUB_MODE says:
//   done | failed  200 {"outcome":...} at once
//   accepted       202, then POSTs a signed callback {"id","outcome"} after STUB_CALLBACK_DELAY_S
//   slow           answers only after STUB_SLOW_S (by default past ESR_AUTOMATION_TIMEOUT_S)
//   error          500;  hangup  drops the connection (a network error)
// It never touches ESR. Tests import startAutomationStub and run it on port 0.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { pathToFileURL } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { systemClock, type Clock } from '../core/clock.js';
import { AutomationSignature, SIGNATURE_HEADER, type SignatureCheck } from '../esr/automation/signature.js';

export const STUB_MODES = ['done', 'failed', 'accepted', 'slow', 'error', 'hangup'] as const;
export type StubMode = (typeof STUB_MODES)[number];

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  /** The body exactly as received. */
  raw: string;
  /** The parsed body, or undefined when it was not JSON. */
  body: Record<string, unknown> | undefined;
  signature: SignatureCheck;
}

export interface CallbackDelivery {
  url: string;
  body: string;
  status: number;
  answer: string;
}

export interface StubOptions {
  secret: string;
  /** 0 for any free port. */
  port?: number;
  host?: string;
  /** How to answer; a function can vary it by request (`attempt` counts requests with the same id, from 1). */
  mode: StubMode | ((request: ReceivedRequest, attempt: number) => StubMode);
  /** The outcome the accepted mode reports in its callback. */
  callbackOutcome?: 'done' | 'failed';
  callbackDelayMs?: number;
  /** Send callbacks here instead of the request's callbackUrl (a test app whose PUBLIC_URL is not its address). */
  callbackUrl?: string | (() => string);
  slowMs?: number;
  clock?: Clock;
  log?: (line: string) => void;
}

export interface AutomationStub {
  url: string;
  port: number;
  received: ReceivedRequest[];
  /** One per callback the accepted mode sends, settling when it has been answered. */
  callbacks: Array<Promise<CallbackDelivery>>;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024;

export async function startAutomationStub(options: StubOptions): Promise<AutomationStub> {
  const signature = new AutomationSignature(options.secret, options.clock ?? systemClock);
  const log = options.log ?? (() => undefined);
  const received: ReceivedRequest[] = [];
  const callbacks: Array<Promise<CallbackDelivery>> = [];
  const attempts = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => {
      const send = (status: number, body?: unknown) => {
        const text = body === undefined ? '' : JSON.stringify(body);
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(text);
        log(`  -> ${status} ${text}`);
      };
      if (req.method !== 'POST' || size > MAX_BODY_BYTES) return send(req.method !== 'POST' ? 405 : 413, { error: 'POST a JSON request of at most 64 KB' });
      const raw = Buffer.concat(chunks).toString('utf8');
      const check = signature.verify(raw, req.headers[SIGNATURE_HEADER.toLowerCase()] as string | undefined);
      const request: ReceivedRequest = { headers: req.headers, raw, body: parseObject(raw), signature: check };
      received.push(request);
      log(`${new Date().toISOString()} received ${raw}\n  signature: ${check.ok ? 'valid' : `refused (${check.reason})`}`);
      if (!check.ok) return send(401, { error: `bad signature: ${check.reason}` });
      const id = typeof request.body?.id === 'string' ? request.body.id : '';
      const attempt = (attempts.get(id) ?? 0) + 1;
      attempts.set(id, attempt);
      const mode = typeof options.mode === 'function' ? options.mode(request, attempt) : options.mode;
      switch (mode) {
        case 'done':
        case 'failed':
          return send(200, { outcome: mode, ...(mode === 'failed' ? { message: 'The stub was told to fail (STUB_MODE=failed)' } : {}) });
        case 'error':
          return send(500, { error: 'The stub was told to fail (STUB_MODE=error)' });
        case 'hangup':
          log('  -> connection dropped');
          req.socket.destroy();
          return;
        case 'slow':
          log(`  (answering in ${options.slowMs ?? 60_000} ms)`);
          return later(options.slowMs ?? 60_000, () => send(200, { outcome: 'done' }));
        case 'accepted': {
          send(202);
          const target = typeof options.callbackUrl === 'function' ? options.callbackUrl() : (options.callbackUrl ?? (typeof request.body?.callbackUrl === 'string' ? request.body.callbackUrl : ''));
          callbacks.push(
            new Promise((resolve) => later(options.callbackDelayMs ?? 0, () => resolve(deliver(target, id)))),
          );
          return;
        }
      }
    });
  });

  async function deliver(url: string, id: string): Promise<CallbackDelivery> {
    const outcome = options.callbackOutcome ?? 'done';
    const body = JSON.stringify({ id, outcome, message: `The stub reports ${outcome}` });
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', [SIGNATURE_HEADER]: signature.sign(body) }, body });
      const answer = await res.text();
      log(`${new Date().toISOString()} callback ${body} to ${url} -> ${res.status} ${answer}`);
      return { url, body, status: res.status, answer };
    } catch (error) {
      log(`${new Date().toISOString()} callback to ${url} failed: ${(error as Error).message}`);
      return { url, body, status: 0, answer: (error as Error).message };
    }
  }

  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}/`,
    port,
    received,
    callbacks,
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
    },
  };
}

function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const env = process.env;
  const secret = env.ESR_AUTOMATION_SECRET ?? '';
  const mode = (env.STUB_MODE ?? 'done').trim().toLowerCase() as StubMode;
  const problems: string[] = [];
  if (secret.length < 32) problems.push('ESR_AUTOMATION_SECRET must be set (32+ characters, the same as the bot\'s)');
  if (!STUB_MODES.includes(mode)) problems.push(`STUB_MODE should be one of ${STUB_MODES.join(', ')} (got "${mode}")`);
  if (problems.length > 0) {
    console.error(problems.join('\n'));
    process.exit(2);
  }
  const seconds = (name: string, fallback: number) => (env[name] && Number.isFinite(Number(env[name])) ? Number(env[name]) : fallback);
  const stub = await startAutomationStub({
    secret,
    port: seconds('STUB_PORT', 4010),
    host: env.STUB_HOST ?? '127.0.0.1',
    mode,
    callbackOutcome: env.STUB_CALLBACK_OUTCOME === 'failed' ? 'failed' : 'done',
    callbackDelayMs: seconds('STUB_CALLBACK_DELAY_S', 2) * 1000,
    slowMs: seconds('STUB_SLOW_S', seconds('ESR_AUTOMATION_TIMEOUT_S', 30) + 5) * 1000,
    ...(env.STUB_CALLBACK_URL ? { callbackUrl: env.STUB_CALLBACK_URL } : {}),
    log: (line) => console.log(line),
  });
  console.log(`ESR automation stub (mode ${mode}) listening on ${stub.url}; set ESR_AUTOMATION_URL=${stub.url} and ESR_MODE=automation for the bot.`);
  const stop = () => void stub.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
