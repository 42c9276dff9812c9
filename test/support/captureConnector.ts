// A stand-in for the Bot Connector service (Microsoft's cloud, which cannot run here): the bot's replies,
// card updates and roster lookups go to this local HTTP server, which records them. Tests and the
// benchmark point activities' serviceUrl at it.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CapturedCall {
  method: string;
  path: string;
  conversationId: string;
  activityId?: string;
  body: Record<string, unknown>;
}

export interface RosterMember {
  id: string;
  name?: string;
  aadObjectId?: string;
  email?: string;
  userPrincipalName?: string;
  givenName?: string;
  surname?: string;
}

type Respond = (call: CapturedCall) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

export class CaptureConnector {
  readonly calls: CapturedCall[] = [];
  readonly roster = new Map<string, RosterMember>();
  /** Lets a test answer a call differently (403 blocked, 429 with Retry-After). */
  respond: Respond | undefined;
  /** Lets a test hold a call (recorded, unanswered) until the promise it returns settles: a turn kept under way. */
  hold: ((call: CapturedCall) => Promise<void> | undefined) | undefined;
  #server: Server | undefined;
  #nextId = 1;
  #waiters: Array<{ predicate: (c: CapturedCall) => boolean; resolve: (c: CapturedCall) => void }> = [];
  /** When false, calls are recorded but bodies are not kept (for the benchmark). */
  keepBodies = true;
  count = 0;

  get url(): string {
    const address = this.#server?.address() as AddressInfo | undefined;
    if (!address) throw new Error('capture connector not started');
    return `http://127.0.0.1:${address.port}`;
  }

  async start(): Promise<this> {
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.#server!.listen(0, '127.0.0.1', resolve));
    return this;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  /** Messages (and updates) sent to one conversation, in order. */
  activitiesFor(conversationId: string): CapturedCall[] {
    return this.calls.filter((c) => c.conversationId === conversationId && c.path.includes('/activities'));
  }

  /** Resolves with the first call (already made or yet to come) that matches. */
  waitFor(predicate: (c: CapturedCall) => boolean, timeoutMs = 5000): Promise<CapturedCall> {
    const found = this.calls.find(predicate);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out waiting for a connector call')), timeoutMs);
      this.#waiters.push({
        predicate,
        resolve: (c) => {
          clearTimeout(timer);
          resolve(c);
        },
      });
    });
  }

  clear(): void {
    this.calls.length = 0;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = decodeURIComponent((req.url ?? '').split('?')[0]!);
    const m = /\/v3\/conversations\/([^/]+)(?:\/(activities|members)(?:\/([^/]+))?)?/.exec(path);
    const call: CapturedCall = {
      method: req.method ?? 'GET',
      path,
      conversationId: m?.[1] ?? '',
      ...(m?.[3] ? { activityId: m[3] } : {}),
      body: this.keepBodies && text ? (JSON.parse(text) as Record<string, unknown>) : {},
    };
    this.count++;
    if (this.keepBodies) this.calls.push(call);
    this.#waiters = this.#waiters.filter((w) => (w.predicate(call) ? (w.resolve(call), false) : true));
    await this.hold?.(call);
    const custom = this.respond?.(call);
    if (custom) {
      res.writeHead(custom.status, { 'content-type': 'application/json', ...custom.headers });
      res.end(custom.body === undefined ? '' : JSON.stringify(custom.body));
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (m?.[2] === 'members' && m[3]) {
      const member = this.roster.get(m[3]);
      res.statusCode = member ? 200 : 404;
      res.end(JSON.stringify(member ?? { error: { code: 'MemberNotFound' } }));
      return;
    }
    if (path === '/v3/conversations' && call.method === 'POST') {
      // As Teams does: a new channel thread is "<channel id>;messageid=<first message id>".
      const channelId = (call.body.channelData as { channel?: { id?: string } } | undefined)?.channel?.id;
      const messageId = String(Date.now() * 1000 + this.#nextId++);
      res.end(JSON.stringify(channelId ? { id: `${channelId};messageid=${messageId}`, activityId: messageId } : { id: `conv-${this.#nextId++}`, activityId: messageId }));
      return;
    }
    res.end(JSON.stringify({ id: call.activityId && call.method === 'PUT' ? call.activityId : `act-${this.#nextId++}` }));
  }
}
