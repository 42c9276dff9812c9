// Request bodies at the real HTTP edge: every route that reads a body decodes it through bot/requestBody.ts,
// so a bad encoding, a compression bomb or a client that hangs up is a 4xx, never the end of the process.
import { expect } from 'chai';
import { brotliCompressSync, createGzip, deflateSync, gzipSync } from 'node:zlib';
import { ManualClock } from '../../core/clock.js';
import type { AccountHelpKind } from '../../esr/types.js';
import { BODY_LIMITS } from '../../bot/server.js';
import { createTicket } from '../support/dashboardFixtures.js';
import { rawRequest } from '../support/rawHttp.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';
import { KeepingTransport } from '../support/keepingTransport.js';


const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const ALEX = { username: '241ADEMO01', email: 'alex.demo@nhs-trust.example', dateOfBirth: '1985-03-14' };
const CHRIS = { username: '241CTEST01', email: 'chris.test@nhs-trust.example', dateOfBirth: '1978-11-30' };

/** Gzip of `size` zero bytes, made in 1 MB steps so the test itself never holds the inflated size. */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const step = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += step.length) {
    if (!gzip.write(step.subarray(0, Math.min(step.length, size - written)))) await new Promise((r) => gzip.once('drain', r));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

interface Harness {
  t: TestApp;
  mail: KeepingTransport;
}

async function start(): Promise<Harness> {
  const mail = new KeepingTransport();
  const t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), mailTransport: mail, housekeeping: false, env: { DASHBOARD_DEV_LOGIN: 'true' } });
  t.connector.roster.set(DEMO_USERS.alex.userId, { id: DEMO_USERS.alex.userId, name: 'Alex Demo', givenName: 'Alex', aadObjectId: DEMO_USERS.alex.aadObjectId, email: ALEX.email });
  // Links are only sent for a username set up for use from home.
  await t.setUpAtWork({ aadObjectId: DEMO_USERS.alex.aadObjectId }, ALEX.username);
  return { t, mail };
}

/** The link an email would give, asked for as the chat would. */
async function emailedToken(h: Harness, kind: Exclude<AccountHelpKind, 'username'>, who: typeof ALEX): Promise<string> {
  const before = h.mail.sent.length;
  h.t.app.esr.requestAccountHelp({ kind, email: who.email, dateOfBirth: who.dateOfBirth, username: who.username, actor: { kind: 'staff', id: `asker-${kind}-${who.username}` }, channel: 'teams' });
  await h.t.app.background.idle();
  await h.t.app.mail.deliverDue();
  const token = /token=([\w-]+)/.exec(h.mail.sent.slice(before).map((m) => m.text).join('\n'))?.[1];
  if (!token) throw new Error('no link was emailed');
  return token;
}

interface RouteCase {
  name: string;
  path: string;
  contentType: string;
  limit: number;
  /** A request the route handles normally, sent as usual; asserts it was. */
  normal(h: Harness): Promise<void>;
}

const ROUTES: RouteCase[] = [
  {
    name: '/api/messages',
    path: '/api/messages',
    contentType: JSON_TYPE,
    limit: BODY_LIMITS.messages,
    async normal(h) {
      const replies = await h.t.user(DEMO_USERS.alex).say('what are the password rules?');
      expect(replies.map(replyText).join('\n')).to.contain('At least 12 characters');
    },
  },
  {
    name: '/reset',
    path: '/reset',
    contentType: FORM,
    limit: BODY_LIMITS.form,
    async normal(h) {
      const token = await emailedToken(h, 'password', ALEX);
      const password = 'copper meadow violin tide';
      const res = await fetch(`${h.t.url}/reset`, { method: 'POST', body: new URLSearchParams({ token, username: ALEX.username, password, confirm: password }) });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.contain(ALEX.username);
    },
  },
  {
    name: '/unlock',
    path: '/unlock',
    contentType: FORM,
    limit: BODY_LIMITS.form,
    async normal(h) {
      const token = await emailedToken(h, 'unlock', CHRIS);
      const res = await fetch(`${h.t.url}/unlock`, { method: 'POST', body: new URLSearchParams({ token }) });
      expect(res.status).to.equal(200);
      expect(await res.text()).to.contain(CHRIS.username);
    },
  },
  {
    name: '/api/dashboard/tickets/:id/actions',
    path: '/api/dashboard/tickets/1/actions',
    contentType: JSON_TYPE,
    limit: BODY_LIMITS.dashboard,
    async normal(h) {
      const ticket = await createTicket(h.t);
      const res = await fetch(`${h.t.url}/api/dashboard/tickets/${ticket.id}/actions`, { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: JSON.stringify({ verb: 'takeOver' }) });
      expect(res.status).to.equal(200);
      expect(await res.json()).to.include({ ok: true });
    },
  },
];

describe('request bodies at the real HTTP edge', () => {
  let h: Harness;
  let bomb: Buffer;
  before(async () => {
    bomb = await gzipBomb(50 * 1024 * 1024);
  });
  beforeEach(async () => {
    h = await start();
  });
  afterEach(() => h.t.stop({ keepData: false }));

  for (const route of ROUTES) {
    describe(route.name, () => {
      const send = (body: Buffer | string, headers: Array<[string, string]>, extra: { chunked?: boolean; cutAfter?: number; headersOnly?: boolean } = {}) =>
        rawRequest(h.t.url, { path: route.path, headers: [['Content-Type', route.contentType], ...headers, ...(extra.chunked ? [] : ([['Content-Length', String(Buffer.byteLength(body))]] as Array<[string, string]>))], body, ...extra });

      it('answers 400 to a body that claims to be gzip but is not, and then serves a normal request', async () => {
        const answer = await send('token=abc&verb=x', [['Content-Encoding', 'gzip']]);
        expect(answer.status).to.equal(400);
        expect(JSON.parse(answer.body)).to.deep.equal({ error: 'The body is not valid gzip data.' });
        const truncated = gzipSync(Buffer.from('{"verb":"takeOver","token":"abc"}')).subarray(0, 15);
        expect((await send(truncated, [['Content-Encoding', 'gzip']])).status).to.equal(400);
        await route.normal(h);
      });

      it('keeps serving after clients hang up mid-body, plain and gzip', async () => {
        const plain = await rawRequest(h.t.url, { path: route.path, headers: [['Content-Type', route.contentType], ['Content-Length', '5000']], body: 'x'.repeat(5000), cutAfter: 100 });
        expect(plain.status).to.equal(undefined);
        const zipped = gzipSync(Buffer.from('y'.repeat(200_000)));
        const cut = await rawRequest(h.t.url, { path: route.path, headers: [['Content-Type', route.contentType], ['Content-Encoding', 'gzip'], ['Content-Length', String(zipped.length)]], body: zipped, cutAfter: 20 });
        expect(cut.status).to.equal(undefined);
        await route.normal(h);
      });

      it(`refuses with 413 a gzip body that inflates past its limit of ${route.limit} bytes, though it arrives far smaller`, async () => {
        const zipped = gzipSync(Buffer.alloc(route.limit + 1, 0x20));
        expect(zipped.length).to.be.below(route.limit / 10);
        const answer = await send(zipped, [['Content-Encoding', 'gzip']]);
        expect(answer.status).to.equal(413);
        expect(answer.head.toLowerCase()).to.contain('connection: close');
        await route.normal(h);
      });

      it('refuses with 413 a declared Content-Length over the limit before any of the body is sent', async () => {
        const answer = await rawRequest(h.t.url, { path: route.path, headers: [['Content-Type', route.contentType], ['Content-Length', String(route.limit + 1)]], headersOnly: true, timeoutMs: 5000 });
        expect(answer.timedOut).to.equal(false);
        expect(answer.status).to.equal(413);
      });

      it('refuses with 413 a chunked body (no Content-Length) that grows past the limit', async () => {
        const answer = await send(Buffer.alloc(route.limit + 1, 0x20), [], { chunked: true });
        expect(answer.status).to.equal(413);
      });

      it('refuses a 50 MB gzip bomb with 413 within 2 seconds while memory rises under 20 MB, sent with or without Content-Length', async () => {
        for (const chunked of [false, true]) {
          const before = process.memoryUsage().rss;
          let peak = before;
          const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 2);
          const started = performance.now();
          const answer = await send(bomb, [['Content-Encoding', 'gzip']], { chunked });
          const took = performance.now() - started;
          clearInterval(sampler);
          peak = Math.max(peak, process.memoryUsage().rss);
          expect(answer.status, `chunked: ${chunked}`).to.equal(413);
          expect(took).to.be.below(2000);
          expect((peak - before) / 2 ** 20, 'RSS rise in MB').to.be.below(20);
        }
        await route.normal(h);
      });
    });
  }

  describe('on /api/messages', () => {
    const activity = () => Buffer.from(JSON.stringify(h.t.user(DEMO_USERS.alex).activity({ text: 'what are the password rules?' })));
    const post = (body: Buffer | string, headers: Record<string, string>) => fetch(`${h.t.url}/api/messages`, { method: 'POST', headers: { 'content-type': JSON_TYPE, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });

    for (const [encoding, encode] of [
      ['gzip', gzipSync],
      ['deflate', deflateSync],
      ['br', brotliCompressSync],
      ['identity', (b: Buffer) => b],
    ] as const) {
      it(`takes an activity sent with Content-Encoding: ${encoding} and replies to it`, async () => {
        const user = h.t.user(DEMO_USERS.alex);
        const body = Buffer.from(JSON.stringify(user.activity({ text: 'what are the password rules?' })));
        const res = await post(encode(body), { 'content-encoding': encoding });
        expect(res.status).to.equal(200);
        expect(h.t.connector.activitiesFor(user.conversationId).map(replyText).join('\n')).to.contain('At least 12 characters');
      });
    }

    it('refuses an unknown or stacked Content-Encoding with 415', async () => {
      for (const encoding of ['compress', 'zstd', 'gzip, gzip']) {
        const res = await post(activity(), { 'content-encoding': encoding });
        expect(res.status, encoding).to.equal(415);
        expect(((await res.json()) as { error: string }).error).to.match(/Unsupported Content-Encoding/);
      }
    });

    it('answers malformed JSON with 400 and says it is malformed JSON', async () => {
      const res = await post('{"type": "message",', {});
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.match(/^Malformed JSON: /);
    });

    it('refuses JSON nested deeper than 64 levels with 400', async () => {
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const res = await post(deep, {});
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.contain('nested deeper than 64 levels');
    });

    it('still refuses a body not sent as JSON with 415, after reading it', async () => {
      const res = await post(gzipSync(Buffer.from('hello')), { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      expect(res.status).to.equal(415);
    });
  });

  describe('on the dashboard API', () => {
    it('answers malformed JSON with 400 and says it is malformed JSON', async () => {
      const ticket = await createTicket(h.t);
      const res = await fetch(`${h.t.url}/api/dashboard/tickets/${ticket.id}/actions`, { method: 'POST', headers: { 'content-type': JSON_TYPE }, body: '{"verb":' });
      expect(res.status).to.equal(400);
      expect(((await res.json()) as { error: string }).error).to.match(/^Malformed JSON: /);
    });
  });

  it('reads a form with repeated fields as its first value, and never as an object with a prototype', async () => {
    const token = await emailedToken(h, 'password', ALEX);
    const password = 'copper meadow violin tide';
    const body = `token=${token}&token=other&username=${ALEX.username}&password=${encodeURIComponent(password)}&confirm=${encodeURIComponent(password)}&__proto__=x&constructor=y`;
    const res = await fetch(`${h.t.url}/reset`, { method: 'POST', headers: { 'content-type': FORM }, body });
    expect(res.status).to.equal(200);
  });
});
