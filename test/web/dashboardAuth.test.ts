// The dashboard's JSON API over real HTTP, with Teams SSO tokens signed by a key pair made in the test and
// published as the key set (ENTRA_JWKS_URL) on 127.0.0.1. Every kind of bad token gets 401 (a good token of
// someone who is not an agent: 403) and no data from any route; a good agent token gets the queue, and its
// actions are done and audited as the agent the token names, whatever the request body says.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadConfig } from '../../bot/config.js';
import { ManualClock } from '../../core/clock.js';
import type { Ticket } from '../../tickets/types.js';
import { createTicket } from '../support/dashboardFixtures.js';
import { AGENTS_GROUP, AGENTS_SETTING, OTHER_TENANT, PEOPLE, startTestEntra, TEST_APP_ID, TEST_TENANT, type TestEntra } from '../support/entraTokens.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

function dashboardEnv(entra: TestEntra, extra: Record<string, string> = {}): Record<string, string> {
  return {
    MicrosoftAppId: TEST_APP_ID,
    MicrosoftAppPassword: 'not-a-real-secret',
    MicrosoftAppTenantId: TEST_TENANT,
    DASHBOARD_AGENTS: AGENTS_SETTING,
    DASHBOARD_AGENT_GROUP: AGENTS_GROUP,
    ENTRA_JWKS_URL: entra.jwksUrl,
    ...extra,
  };
}

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown>;
}

async function call(t: TestApp, path: string, options: { token?: string; authorization?: string; method?: string; body?: unknown } = {}): Promise<Answer> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${t.url}${path}`, { method: options.method ?? 'GET', headers, ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}) });
  const text = await res.text();
  let json: Record<string, unknown> = {};
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON
  }
  return { status: res.status, headers: res.headers, text, json };
}

describe('the dashboard API: who may use it (Teams SSO tokens)', function () {
  this.timeout(30_000);
  let clock: ManualClock;
  let entra: TestEntra;
  let t: TestApp;
  let ticket: Ticket;

  before(async () => {
    clock = new ManualClock('2026-01-07T10:00:00Z');
    entra = await startTestEntra(clock);
    t = await startTestApp({ clock, env: dashboardEnv(entra), housekeeping: false });
    ticket = await createTicket(t, { screenshot: true });
  });

  after(async () => {
    await t?.stop({ keepData: false });
    await entra?.stop();
  });

  // Every route, each with a way to see whether it leaked anything or changed anything.
  const routes = () => [
    { name: 'GET summary', path: '/api/dashboard/summary' },
    { name: 'GET tickets', path: '/api/dashboard/tickets?status=all' },
    { name: 'GET a ticket', path: `/api/dashboard/tickets/${ticket.id}` },
    { name: 'POST an action', path: `/api/dashboard/tickets/${ticket.id}/actions`, method: 'POST', body: { verb: 'resolve' } },
  ];

  async function expectRefused(options: { token?: string; authorization?: string }, status: number, error: string): Promise<void> {
    for (const route of routes()) {
      const answer = await call(t, route.path, { ...options, ...(route.method ? { method: route.method, body: route.body } : {}) });
      expect(answer.status, `${route.name}: ${answer.text}`).to.equal(status);
      expect(answer.json.error, route.name).to.equal(error);
      expect(Object.keys(answer.json).sort(), route.name).to.deep.equal(['error', 'message']);
      expect(answer.text, route.name).to.not.contain(ticket.ref).and.not.contain('Aisha').and.not.contain('locked');
      expect(answer.headers.get('cache-control'), route.name).to.contain('no-store');
      if (status === 401) expect(answer.headers.get('www-authenticate'), route.name).to.match(/^Bearer/);
    }
    const after = await t.app.tickets.get(ticket.id);
    expect(after?.status, 'nothing was changed').to.equal('open');
    expect(after?.version).to.equal(ticket.version);
  }

  describe('refuses, with no data from any route', () => {
    it('no token: 401', async () => {
      await expectRefused({}, 401, 'missing_token');
    });

    it('an Authorization header that is not a bearer JWT: 401', async () => {
      await expectRefused({ authorization: 'Basic c2FtOnNlY3JldA==' }, 401, 'invalid_token');
      await expectRefused({ authorization: 'Bearer not-a-jwt' }, 401, 'invalid_token');
    });

    it('an expired token: 401 (beyond the one minute of clock skew)', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, {}, { expiresIn: -120 }) }, 401, 'invalid_token');
    });

    it('a token not valid yet: 401', async () => {
      const future = Math.floor(clock.now().getTime() / 1000) + 600;
      await expectRefused({ token: await entra.token(PEOPLE.sam, { nbf: future, iat: future }) }, 401, 'invalid_token');
    });

    it('a forged token (signed by a key that is not in the key set, under its key id): 401', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, {}, { forged: true }) }, 401, 'invalid_token');
    });

    it('a token signed by a key id the key set does not have: 401', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, {}, { forged: true, kid: 'unknown-key' }) }, 401, 'invalid_token');
    });

    it('a token whose payload was changed after signing (another oid): 401', async () => {
      const [header, , signature] = (await entra.token(PEOPLE.nina)).split('.');
      const payload = Buffer.from(JSON.stringify({ aud: `api://localhost:3978/${TEST_APP_ID}`, iss: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0`, tid: TEST_TENANT, oid: PEOPLE.sam.oid, scp: 'access_as_user', exp: 4102444800 })).toString('base64url');
      await expectRefused({ token: `${header}.${payload}.${signature}` }, 401, 'invalid_token');
    });

    it('an unsigned token (alg none): 401', async () => {
      const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ aud: TEST_APP_ID, iss: `https://login.microsoftonline.com/${TEST_TENANT}/v2.0`, tid: TEST_TENANT, oid: PEOPLE.sam.oid, scp: 'access_as_user', exp: 4102444800 })).toString('base64url');
      await expectRefused({ authorization: `Bearer ${header}.${payload}.` }, 401, 'invalid_token');
    });

    it('a token signed with another algorithm than RS256, even by a published key: 401', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, {}, { alg: 'RS384' }) }, 401, 'invalid_token');
    });

    it('a token for another app (wrong audience): 401', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, { aud: 'api://localhost:3978/00000000-0000-4000-8000-000000000000' }) }, 401, 'invalid_token');
      await expectRefused({ token: await entra.token(PEOPLE.sam, { aud: 'https://graph.microsoft.com' }) }, 401, 'invalid_token');
    });

    it('a token from another issuer or tenant: 401', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, { iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0` }) }, 401, 'invalid_token');
      await expectRefused({ token: await entra.token(PEOPLE.sam, { iss: 'https://evil.example/v2.0' }) }, 401, 'invalid_token');
      await expectRefused({ token: await entra.token(PEOPLE.sam, { tid: OTHER_TENANT }) }, 401, 'invalid_token');
    });

    it('an app-only token (no delegated scope, so no signed-in person): 401', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.sam, { scp: undefined, roles: ['Tickets.Read'] }) }, 401, 'invalid_token');
    });

    it('a good token of someone who is not an agent: 403', async () => {
      await expectRefused({ token: await entra.token(PEOPLE.nina) }, 403, 'not_an_agent');
      // In another group, or only claiming an agent's name: still not an agent.
      await expectRefused({ token: await entra.token(PEOPLE.nina, { groups: ['99999999-9999-4999-8999-999999999999'], name: PEOPLE.sam.name }) }, 403, 'not_an_agent');
    });

    it('and logs why, without the token', async () => {
      const token = await entra.token(PEOPLE.sam, {}, { expiresIn: -3600 });
      await call(t, '/api/dashboard/summary', { token });
      const lines = t.logs.filter((l) => l.includes('invalid sign-in token'));
      expect(lines.at(-1)).to.contain('expired');
      expect(t.logs.join('\n')).to.not.contain(token.split('.')[2]);
    });
  });

  describe('lets agents in', () => {
    it('an agent listed by object id gets the queue and the figures', async () => {
      const token = await entra.token(PEOPLE.sam);
      const queue = await call(t, '/api/dashboard/tickets', { token });
      expect(queue.status, queue.text).to.equal(200);
      expect(queue.headers.get('cache-control')).to.contain('no-store');
      expect(queue.headers.get('referrer-policy')).to.equal('no-referrer');
      const rows = queue.json.tickets as Array<{ ref: string; status: string; requester: string; holder: string | null }>;
      expect(rows.map((r) => r.ref)).to.include(ticket.ref);
      expect(rows.find((r) => r.ref === ticket.ref)).to.include({ status: 'open', requester: 'Aisha Shah', holder: null });
      const summary = await call(t, '/api/dashboard/summary', { token });
      expect(summary.status).to.equal(200);
      expect(summary.json.agent).to.deep.equal({ name: PEOPLE.sam.name, dev: false });
      expect(summary.json.figures).to.include({ open: 1, ticketsThisWeek: 1 });
    });

    it('an agent listed by sign-in name (any case), and a member of the agents\' group', async () => {
      expect((await call(t, '/api/dashboard/tickets', { token: await entra.token(PEOPLE.ria) })).status).to.equal(200);
      expect((await call(t, '/api/dashboard/tickets', { token: await entra.token(PEOPLE.gus, { groups: ['11111111-2222-4333-8444-555555555555', AGENTS_GROUP.toUpperCase()] }) })).status).to.equal(200);
      expect((await call(t, '/api/dashboard/tickets', { token: await entra.token(PEOPLE.gus) })).status, 'Gus without the group claim').to.equal(403);
    });

    it('accepts v1 tokens (sts.windows.net issuer) and the bare app id as audience', async () => {
      const v1 = await entra.token(PEOPLE.sam, { iss: `https://sts.windows.net/${TEST_TENANT}/`, ver: '1.0', upn: PEOPLE.sam.upn, preferred_username: undefined });
      expect((await call(t, '/api/dashboard/summary', { token: v1 })).status).to.equal(200);
      expect((await call(t, '/api/dashboard/summary', { token: await entra.token(PEOPLE.sam, { aud: TEST_APP_ID }) })).status).to.equal(200);
    });

    it('allows a small clock skew: a token that expired 30 seconds ago still works', async () => {
      expect((await call(t, '/api/dashboard/summary', { token: await entra.token(PEOPLE.sam, {}, { expiresIn: -30 }) })).status).to.equal(200);
    });

    it('shows a ticket with its context, transcript and signed screenshot links', async () => {
      const answer = await call(t, `/api/dashboard/tickets/${ticket.id}`, { token: await entra.token(PEOPLE.sam) });
      expect(answer.status).to.equal(200);
      const detail = answer.json.ticket as {
        ref: string;
        context: Record<string, string>;
        requesterDetails: { email: string; esrUsernames: string[]; staffGroup: string };
        transcript: Array<{ text: string }>;
        screenshots: Array<{ fileName: string; url: string }>;
        verbs: string[];
      };
      expect(detail.ref).to.equal(ticket.ref);
      expect(detail.context).to.deep.equal({ flow: 'forgotPassword', step: 'dateOfBirth' });
      expect(answer.json.ticket).to.include({ flowLabel: 'Resetting your password', errorMessage: 'Your account has been locked' });
      expect(detail.requesterDetails).to.deep.equal({ name: 'Aisha Shah', email: 'aisha.shah@nhs-trust.example', esrUsernames: ['241ASHAH01'], staffGroup: 'Substantive' });
      expect(detail.transcript.map((e) => e.text)).to.deep.equal(['I cannot log in', 'What is your date of birth?']);
      expect(detail.verbs).to.deep.equal(['takeOver', 'resolve']);
      // The desk's signed, expiring link, made relative to this server.
      expect(detail.screenshots).to.have.length(1);
      expect(detail.screenshots[0]!.url).to.match(new RegExp(`^/screenshots/${ticket.id}/[0-9a-f]{32}\\?exp=\\d+&sig=[\\w-]+$`));
      const image = await fetch(`${t.url}${detail.screenshots[0]!.url}`);
      expect(image.status).to.equal(200);
      expect(image.headers.get('content-type')).to.equal('image/png');
      expect((await fetch(`${t.url}${detail.screenshots[0]!.url.replace(/sig=[\w-]+/, 'sig=forged')}`)).status).to.equal(403);
      expect((await call(t, '/api/dashboard/tickets/99999', { token: await entra.token(PEOPLE.sam) })).status).to.equal(404);
    });
  });

  describe('actions', () => {
    it('are done as the agent the token names (not whoever the body claims), audited with that name', async () => {
      const mine = await createTicket(t, { description: 'The My ESR app will not open', category: 'app' });
      const answer = await call(t, `/api/dashboard/tickets/${mine.id}/actions`, {
        token: await entra.token(PEOPLE.sam),
        method: 'POST',
        body: { verb: 'takeOver', agent: { id: PEOPLE.nina.oid, name: 'Mallory' }, name: 'Mallory' },
      });
      expect(answer.status, answer.text).to.equal(200);
      expect((answer.json.ticket as { holder: string; mine: boolean }).holder).to.equal(PEOPLE.sam.name);
      const stored = await t.app.tickets.get(mine.id);
      expect(stored?.assignee).to.deep.equal({ id: PEOPLE.sam.oid, name: PEOPLE.sam.name });
      const audit = (await readFile(join(t.dataDir, 'audit.jsonl'), 'utf8'))
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { action: string; channel: string; actor: { kind: string; id?: string; name?: string }; detail?: { ticket?: string } });
      const taken = audit.filter((e) => e.action === 'ticket.taken_over' && e.detail?.ticket === mine.ref);
      expect(taken).to.have.length(1);
      expect(taken[0]).to.deep.include({ channel: 'dashboard', actor: { kind: 'agent', id: PEOPLE.sam.oid, name: PEOPLE.sam.name } });
      expect(JSON.stringify(audit)).to.not.contain('Mallory');
    });

    it('finish an ESR admin task: Couldn\'t do it needs a reason, and of two agents pressing Done at once one wins', async () => {
      const newTask = () =>
        t.app.tickets.create({
          requester: { teamsUserId: '29:chris', name: 'Chris Test', esrUsernames: ['241CTEST01'] },
          category: 'login',
          kind: 'unlock',
          task: { organisationCode: '241', teams: { upn: 'chris.test@nhs-trust.example' }, tried: ['Asked to unlock their ESR account.'] },
          description: 'Unlock ESR account',
          userConversation: { conversation: { id: 'a:chris' } },
        });
      const task = await newTask();
      const summary = await call(t, '/api/dashboard/summary', { token: await entra.token(PEOPLE.sam) });
      expect((summary.json.figures as { tasksWaiting: number }).tasksWaiting).to.be.at.least(1);
      const detail = await call(t, `/api/dashboard/tickets/${task.id}`, { token: await entra.token(PEOPLE.sam) });
      expect((detail.json.ticket as { verbs: string[] }).verbs).to.deep.equal(['takeOver', 'taskDone', 'taskFailed']);
      const noReason = await call(t, `/api/dashboard/tickets/${task.id}/actions`, { token: await entra.token(PEOPLE.sam), method: 'POST', body: { verb: 'taskFailed' } });
      expect(noReason.status).to.equal(409);
      expect((await t.app.tickets.get(task.id))?.status).to.equal('open');
      const failed = await call(t, `/api/dashboard/tickets/${task.id}/actions`, { token: await entra.token(PEOPLE.sam), method: 'POST', body: { verb: 'taskFailed', reason: 'No ESR account under that name.' } });
      expect(failed.status, failed.text).to.equal(200);
      expect((await t.app.tickets.get(task.id))?.task).to.deep.include({ outcome: 'not_done', reason: 'No ESR account under that name.' });
      const race = await newTask();
      const answers = await Promise.all(
        [PEOPLE.sam, PEOPLE.ria].map(async (p) => call(t, `/api/dashboard/tickets/${race.id}/actions`, { token: await entra.token(p), method: 'POST', body: { verb: 'taskDone' } })),
      );
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409]);
      expect(String(answers.find((a) => a.status === 409)!.json.message)).to.match(/has already finished this task/);
    });

    it('of two agents taking over, the second is told who holds it (409) and nothing changes', async () => {
      const contested = await createTicket(t, { description: 'Payslip missing', category: 'payslip' });
      const first = await call(t, `/api/dashboard/tickets/${contested.id}/actions`, { token: await entra.token(PEOPLE.ria), method: 'POST', body: { verb: 'takeOver' } });
      expect(first.status).to.equal(200);
      const second = await call(t, `/api/dashboard/tickets/${contested.id}/actions`, { token: await entra.token(PEOPLE.gus, { groups: [AGENTS_GROUP] }), method: 'POST', body: { verb: 'takeOver' } });
      expect(second.status).to.equal(409);
      expect(second.json.message).to.equal(`${PEOPLE.ria.name} has already taken this ticket.`);
      expect((await t.app.tickets.get(contested.id))?.assignee?.name).to.equal(PEOPLE.ria.name);
      // Both at once: exactly one wins.
      const race = await createTicket(t, { description: 'Training module will not load', category: 'training' });
      const answers = await Promise.all(
        [PEOPLE.sam, PEOPLE.ria].map(async (p) => call(t, `/api/dashboard/tickets/${race.id}/actions`, { token: await entra.token(p), method: 'POST', body: { verb: 'takeOver' } })),
      );
      expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409]);
    });

    it('resolve then reopen; "mine" lists what the agent holds', async () => {
      const token = await entra.token(PEOPLE.sam);
      const mine = await call(t, '/api/dashboard/tickets?mine=true', { token });
      expect((mine.json.tickets as Array<{ mine: boolean }>).every((r) => r.mine)).to.equal(true);
      expect(mine.json.tickets).to.have.length.greaterThan(0);
      const resolved = await call(t, `/api/dashboard/tickets/${ticket.id}/actions`, { token, method: 'POST', body: { verb: 'resolve' } });
      expect(resolved.status).to.equal(200);
      expect((resolved.json.ticket as { status: string; verbs: string[] }).verbs).to.deep.equal(['reopen']);
      const again = await call(t, `/api/dashboard/tickets/${ticket.id}/actions`, { token, method: 'POST', body: { verb: 'takeOver' } });
      expect(again.status).to.equal(409);
      expect(again.json.message).to.contain('Reopen it first');
      const reopened = await call(t, `/api/dashboard/tickets/${ticket.id}/actions`, { token, method: 'POST', body: { verb: 'reopen' } });
      expect((reopened.json.ticket as { status: string }).status).to.equal('open');
    });

    it('refuses a form post (not JSON) and an unknown verb', async () => {
      const token = await entra.token(PEOPLE.sam);
      const form = await fetch(`${t.url}/api/dashboard/tickets/${ticket.id}/actions`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' }, body: 'verb=resolve' });
      expect(form.status).to.equal(415);
      expect((await call(t, `/api/dashboard/tickets/${ticket.id}/actions`, { token, method: 'POST', body: { verb: 'delete' } })).status).to.equal(400);
      expect((await call(t, '/api/dashboard/tickets?status=everything', { token })).status).to.equal(400);
    });
  });

  describe('the pages', () => {
    it('hold no data and load no inline code: a strict CSP that lets Teams frame them', async () => {
      for (const path of ['/dashboard', '/dashboard/configure']) {
        const res = await fetch(`${t.url}${path}`);
        const html = await res.text();
        expect(res.status).to.equal(200);
        const csp = res.headers.get('content-security-policy') ?? '';
        expect(csp).to.contain("script-src 'self'").and.contain("style-src 'self'").and.contain("default-src 'none'").and.not.contain('unsafe');
        expect(csp).to.match(/frame-ancestors [^;]*https:\/\/teams\.microsoft\.com/);
        expect(res.headers.get('referrer-policy')).to.equal('no-referrer');
        expect(res.headers.get('cache-control')).to.contain('no-store');
        expect(html).to.not.contain(ticket.ref);
        expect(html).to.not.match(/<script(?![^>]*(src=|type="application\/json"))/);
        expect(html).to.not.match(/\sstyle=/);
      }
      const configure = await (await fetch(`${t.url}/dashboard/configure`)).text();
      expect(configure).to.contain('data-tab-url="http://localhost:3978/dashboard"');
      const teamsJs = await fetch(`${t.url}/static/teams-js.js`);
      expect(teamsJs.status).to.equal(200);
      expect(await teamsJs.text()).to.contain('microsoftTeams');
    });
  });
});

describe('the dashboard API when it cannot check tokens', function () {
  this.timeout(30_000);

  it('refuses (503, no data) without MicrosoftAppTenantId and says why in the log; the bot still runs', async () => {
    const clock = new ManualClock('2026-01-07T10:00:00Z');
    const entra = await startTestEntra(clock);
    const t = await startTestApp({ clock, env: dashboardEnv(entra, { MicrosoftAppTenantId: '', MicrosoftAppType: 'MultiTenant', ALLOWED_TENANT_IDS: TEST_TENANT }), housekeeping: false });
    try {
      await createTicket(t);
      const answer = await call(t, '/api/dashboard/tickets', { token: await entra.token(PEOPLE.sam) });
      expect(answer.status).to.equal(503);
      expect(answer.json).to.have.keys('error', 'message');
      expect(answer.json.error).to.equal('not_configured');
      expect(t.logs.join('\n')).to.contain('MicrosoftAppTenantId is not set');
      expect(entra.fetches(), 'no keys fetched').to.equal(0);
      expect((await fetch(`${t.url}/healthz`)).status).to.equal(200);
    } finally {
      await t.stop({ keepData: false });
      await entra.stop();
    }
  });

  it('answers 503 (not 401, and no data) when the key set cannot be fetched', async () => {
    const clock = new ManualClock('2026-01-07T10:00:00Z');
    const entra = await startTestEntra(clock);
    const t = await startTestApp({ clock, env: dashboardEnv(entra, { ENTRA_JWKS_URL: 'http://127.0.0.1:9/keys' }), housekeeping: false });
    try {
      const answer = await call(t, '/api/dashboard/tickets', { token: await entra.token(PEOPLE.sam) });
      expect(answer.status).to.equal(503);
      expect(answer.json.error).to.equal('keys_unavailable');
    } finally {
      await t.stop({ keepData: false });
      await entra.stop();
    }
  });
});

describe('the dashboard\'s development login', function () {
  this.timeout(30_000);

  it('is refused in production configuration, naming the setting', () => {
    const production = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk',
      MicrosoftAppId: TEST_APP_ID,
      MicrosoftAppPassword: 'client-secret',
      MicrosoftAppTenantId: TEST_TENANT,
    };
    expect(loadConfig(production).DASHBOARD_DEV_LOGIN).to.equal(false);
    try {
      loadConfig({ ...production, DASHBOARD_DEV_LOGIN: 'true' });
      expect.fail('expected a ConfigError');
    } catch (error) {
      expect(error).to.be.instanceOf(ConfigError);
      expect((error as ConfigError).problems.map((p) => p.setting)).to.deep.equal(['DASHBOARD_DEV_LOGIN']);
    }
  });

  it('refuses bad dashboard settings by name', () => {
    const settingOf = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (error) {
        return (error as ConfigError).problems.map((p) => p.setting);
      }
      return [];
    };
    expect(settingOf({ DASHBOARD_AGENT_GROUP: 'agents' })).to.deep.equal(['DASHBOARD_AGENT_GROUP']);
    expect(settingOf({ DASHBOARD_AGENTS: 'sam.agent@nhs-trust.example, bob' })).to.deep.equal(['DASHBOARD_AGENTS']);
    expect(settingOf({ ENTRA_JWKS_URL: 'keys.json' })).to.deep.equal(['ENTRA_JWKS_URL']);
    expect(settingOf({ DASHBOARD_DEV_LOGIN: 'sometimes' })).to.deep.equal(['DASHBOARD_DEV_LOGIN']);
    expect(loadConfig({ DASHBOARD_AGENTS: ` ${PEOPLE.sam.oid.toUpperCase()} ,Sam.Agent@NHS-Trust.example,` }).DASHBOARD_AGENTS).to.deep.equal([PEOPLE.sam.oid, 'sam.agent@nhs-trust.example']);
  });

  it('in development, lets a request without a token in as the fictional local agent, but still refuses bad tokens', async () => {
    const clock = new ManualClock('2026-01-07T10:00:00Z');
    const entra = await startTestEntra(clock);
    const t = await startTestApp({ clock, env: dashboardEnv(entra, { NODE_ENV: 'development', DASHBOARD_DEV_LOGIN: 'true' }), housekeeping: false });
    try {
      const summary = await call(t, '/api/dashboard/summary');
      expect(summary.status).to.equal(200);
      expect(summary.json.agent).to.deep.equal({ name: 'Dev Agent (local)', dev: true });
      expect((await call(t, '/api/dashboard/summary', { token: await entra.token(PEOPLE.sam, {}, { forged: true }) })).status).to.equal(401);
      expect(t.logs.join('\n')).to.contain('DASHBOARD_DEV_LOGIN is on');
      expect(await (await fetch(`${t.url}/dashboard`)).text()).to.contain('data-dev-login="true"');
    } finally {
      await t.stop({ keepData: false });
      await entra.stop();
    }
  });
});
