// Fuzzes the internet-facing edge of the real server: thousands of seeded, random and mutated activities,
// forms and JSON bodies, with odd encodings and lying headers, to /api/messages, /reset, /unlock and the
// dashboard API. Loopback only, bounded in count and time, the same inputs on every run.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { createTicket } from '../support/dashboardFixtures.js';
import { AGENTS_SETTING, PEOPLE, startTestEntra, TEST_APP_ID, TEST_TENANT, type TestEntra } from '../support/entraTokens.js';
import { encode, mutatedActivity, pickEncoding, Prng, randomString, randomValue, withHeaders, type FuzzRequest } from '../support/fuzzInputs.js';
import { rawRequest } from '../support/rawHttp.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const SEED = 0x8e5a;
const REQUESTS = 3000;
const IN_FLIGHT = 6;
const TIME_BUDGET_MS = 30_000;

interface Tally {
  requests: number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  /** Closed without an answer where the request made that legitimate (a Content-Length promising more). */
  dropped: number;
  /** Closed without an answer when an answer was due, or no answer in time. */
  unanswered: number;
  crashes: number;
}

describe('the internet-facing edge under fuzzing', function () {
  this.timeout(90_000);
  let bot: TestApp;
  let desk: TestApp;
  let entra: TestEntra;
  let agentToken: string;
  let strangerToken: string;

  before(async () => {
    const clock = new ManualClock('2026-01-05T10:00:00Z');
    entra = await startTestEntra(clock);
    const quiet = { LOG_LEVEL: 'fatal', ATTACHMENT_HOSTS: '127.0.0.1' };
    // The chat endpoint with Bot Framework auth off, so fuzzed activities reach the dialogs; attachments may
    // only come from loopback.
    bot = await startTestApp({ clock, housekeeping: false, env: quiet });
    bot.connector.roster.set(DEMO_USERS.alex.userId, { id: DEMO_USERS.alex.userId, name: 'Alex Demo', givenName: 'Alex', aadObjectId: DEMO_USERS.alex.aadObjectId, email: 'alex.demo@nhs-trust.example' });
    // A second app set up as production is (app id, tenant, agents), so bodies signed in as an agent reach
    // the dashboard's action code, and /api/messages there checks tokens.
    desk = await startTestApp({
      clock,
      housekeeping: false,
      env: { ...quiet, MicrosoftAppId: TEST_APP_ID, MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppTenantId: TEST_TENANT, DASHBOARD_AGENTS: AGENTS_SETTING, ENTRA_JWKS_URL: entra.jwksUrl },
    });
    for (let i = 0; i < 3; i++) await createTicket(desk, { userId: `29:fuzz-${i}` });
    agentToken = `Bearer ${await entra.token(PEOPLE.sam)}`;
    strangerToken = `Bearer ${await entra.token(PEOPLE.gus)}`;
  });
  after(async () => {
    await bot?.stop({ keepData: false });
    await desk?.stop({ keepData: false });
    await entra?.stop();
  });

  it('answers 3,000 hostile requests with no 5xx and no crash, then still serves a normal turn', async () => {
    const r = new Prng(SEED);
    const users = [DEMO_USERS.alex, DEMO_USERS.bea, DEMO_USERS.chris, DEMO_USERS.stranger].map((u) => bot.user(u));
    const next = (): FuzzRequest & { app: TestApp } => {
      const route = r.int(100);
      if (route < 60) {
        const authenticated = r.chance(0.05);
        const activity = mutatedActivity(r, r.pick(users).activity({ text: r.pick(['hello', 'menu', 'I forgot my password', 'what are the password rules?', randomString(r)]) }), bot.connector.url);
        const text = r.chance(0.05) ? JSON.stringify(activity).slice(0, r.int(200)) : JSON.stringify(activity);
        return { app: authenticated ? desk : bot, ...withHeaders(r, '/api/messages', 'POST', 'application/json', encode(r, pickEncoding(r), Buffer.from(text))) };
      }
      if (route < 80) {
        const path = r.pick(['/reset', '/unlock']);
        const fields: Record<string, string> = { token: randomString(r), username: randomString(r), password: randomString(r), confirm: randomString(r) };
        const form = r.chance(0.8) ? new URLSearchParams(fields).toString() : r.pick([randomString(r), '%%%', '&&&==&', 'token[__proto__][x]=1', JSON.stringify(fields)]);
        return { app: bot, ...withHeaders(r, path, 'POST', 'application/x-www-form-urlencoded', encode(r, pickEncoding(r), Buffer.from(form))) };
      }
      const auth = r.chance(0.85) ? agentToken : r.pick([strangerToken, '']);
      if (route < 95) {
        const id = r.pick(['1', '2', '3', '999', '0', '-1', 'abc', '1e3', '%2e%2e']);
        const body = r.chance(0.7) ? { verb: r.pick(['takeOver', 'resolve', 'reopen', 'release', 'delete', '__proto__']), ...(r.chance(0.3) ? { extra: randomValue(r) } : {}) } : randomValue(r);
        return { app: desk, ...withHeaders(r, `/api/dashboard/tickets/${id}/actions`, 'POST', 'application/json', encode(r, pickEncoding(r), Buffer.from(JSON.stringify(body) ?? 'null')), auth) };
      }
      const status = encodeURIComponent(randomString(r).slice(0, 50).replace(/[\uD800-\uDFFF]/g, '?'));
      const path = r.pick(['/api/dashboard/summary', `/api/dashboard/tickets?status=${status}&mine=${r.pick(['true', 'x', ''])}`, '/api/dashboard/tickets/1']);
      const body = Buffer.from(r.chance(0.5) ? '' : (JSON.stringify(randomValue(r)) ?? ''));
      return { app: desk, ...withHeaders(r, path, r.pick(['GET', 'GET', 'POST', 'DELETE']), 'application/json', encode(r, pickEncoding(r), body), auth) };
    };

    const tally: Tally = { requests: 0, '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0, dropped: 0, unanswered: 0, crashes: 0 };
    const fiveHundreds: string[] = [];
    const byRoute: Record<string, number> = {};
    const unanswered: string[] = [];
    const crashes: unknown[] = [];
    const onCrash = (error: unknown) => crashes.push(error);
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    // CloudAdapter writes every refused token to console.error with a stack; counted, not printed.
    const consoleError = console.error;
    let sdkErrors = 0;
    console.error = (...args: unknown[]) => {
      if (args[0] instanceof Error && args[0].constructor.name === 'AuthenticationError') sdkErrors++;
      else consoleError(...args);
    };
    // Inputs are made in order, so the run is the same whatever order the answers come back in.
    const planned = Array.from({ length: REQUESTS }, next);
    const started = performance.now();
    let cursor = 0;
    try {
      await Promise.all(
        Array.from({ length: IN_FLIGHT }, async () => {
          while (cursor < planned.length && performance.now() - started < TIME_BUDGET_MS) {
            const { app, request, mayDrop } = planned[cursor++]!;
            const answer = await rawRequest(app.url, request);
            const key = `${request.method} ${request.path.split('?')[0]!.replace(/\/tickets\/[^/]+/, '/tickets/:id')} ${answer.status ?? 'none'}`;
            byRoute[key] = (byRoute[key] ?? 0) + 1;
            if (answer.status === undefined && (!mayDrop || answer.timedOut)) unanswered.push(`${request.method} ${request.path} ${JSON.stringify(request.headers)} ${String(request.body).slice(0, 300)}`);
            tally.requests++;
            if (answer.status === undefined) {
              if (mayDrop && !answer.timedOut) tally.dropped++;
              else tally.unanswered++;
            } else {
              const status = answer.status;
              const kind = `${Math.floor(status / 100)}xx` as '2xx' | '3xx' | '4xx' | '5xx';
              if (kind in tally) tally[kind]++;
              if (status >= 500) fiveHundreds.push(`${status} ${request.method} ${request.path} ${answer.body.slice(0, 200)} <- ${String(request.body).slice(0, 600)}`);
            }
          }
        }),
      );
    } finally {
      process.off('uncaughtException', onCrash);
      process.off('unhandledRejection', onCrash);
      console.error = consoleError;
    }
    tally.crashes = crashes.length;
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    console.log(`      fuzz (seed ${SEED}): ${JSON.stringify(tally)} in ${seconds} s`);
    console.log(`      by route and status: ${JSON.stringify(Object.fromEntries(Object.entries(byRoute).sort()))}`);
    console.log(`      refused Bot Framework sign-ins the SDK wrote to console.error: ${sdkErrors}`);
    if (fiveHundreds.length) console.log(fiveHundreds.slice(0, 10).join('\n'));
    if (crashes.length) console.log(crashes.slice(0, 5));

    expect(tally.requests, 'all requests sent within the time budget').to.equal(REQUESTS);
    expect(tally.crashes, 'uncaught errors').to.equal(0);
    expect(tally['5xx'], fiveHundreds.slice(0, 5).join('\n')).to.equal(0);
    expect(tally.unanswered, unanswered.slice(0, 5).join('\n')).to.equal(0);
    expect(tally['4xx']).to.be.greaterThan(0);
    expect(tally['2xx']).to.be.greaterThan(0);

    for (const app of [bot, desk]) expect((await fetch(`${app.url}/healthz`)).status).to.equal(200);
    const alex = bot.user(DEMO_USERS.alex);
    const replies = await alex.say('what are the password rules?');
    expect(replies.map(replyText).join('\n')).to.contain('At least 12 characters');
  });
});
