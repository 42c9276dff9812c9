// The internet-facing edge of /api/messages with authentication on, over real HTTP with real signed tokens:
// a local Bot Connector key set (test/support/botConnectorAuth.ts) and a local Entra (entraTokens.ts).
// Only the allowed tenant gets in, every authentication failure is a 401, and in production only the
// Bot Connector's own tokens count.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { startTestBotConnectorAuth, type TestBotConnectorAuth } from '../support/botConnectorAuth.js';
import { OTHER_TENANT, startTestEntra, TEST_APP_ID, TEST_TENANT, type TestEntra } from '../support/entraTokens.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';

const ALEX = { ...DEMO_USERS.alex, upn: 'alex.demo@nhs-trust.example' };
// Tokens are checked by the SDK against the real clock, so they are made from it; the app's own clock is fixed.
const realNow = () => new Date();

function tenantFields(tenantId: string | undefined): Record<string, unknown> {
  return tenantId === undefined
    ? { conversation: { id: 'a:no-tenant', conversationType: 'personal' }, channelData: {} }
    : { channelData: { tenant: { id: tenantId } } };
}

async function post(t: TestApp, user: TeamsUser, fields: Record<string, unknown>, authorization: string | undefined): Promise<{ status: number; body: string }> {
  const activity = user.activity(fields);
  if (!('conversation' in fields)) activity.conversation = { ...(activity.conversation as object), tenantId: (fields.channelData as { tenant?: { id?: string } }).tenant?.id };
  const res = await fetch(`${t.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(activity),
  });
  return { status: res.status, body: await res.text() };
}

describe('the /api/messages edge with authentication on', function () {
  this.timeout(30_000);
  let connectorAuth: TestBotConnectorAuth;
  let entra: TestEntra;

  before(async () => {
    entra = await startTestEntra({ now: realNow });
    connectorAuth = await startTestBotConnectorAuth({ appId: TEST_APP_ID, now: realNow, emulatorOpenIdMetadataUrl: entra.openIdMetadataUrl });
  });
  after(async () => {
    await connectorAuth.stop();
    await entra.stop();
  });

  async function startBot(env: Record<string, string> = {}): Promise<TestApp> {
    return startTestApp({
      clock: new ManualClock('2026-01-07T10:00:00Z'),
      housekeeping: false,
      botFramework: connectorAuth.endpoints,
      env: {
        NODE_ENV: 'production',
        PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk',
        SEED_DEMO_DATA: 'true',
        MicrosoftAppId: TEST_APP_ID,
        MicrosoftAppPassword: 'not-a-real-secret',
        MicrosoftAppTenantId: TEST_TENANT,
        ...env,
      },
    });
  }

  // Entra-signed, from another tenant, naming our app as the authorised party: what the SDK's emulator path takes.
  const emulatorToken = () =>
    entra.token({ oid: ALEX.aadObjectId, name: 'Alex Demo', upn: ALEX.upn }, { tid: OTHER_TENANT, iss: `https://login.microsoftonline.com/${OTHER_TENANT}/v2.0`, azp: TEST_APP_ID, aud: TEST_APP_ID });

  const bearer = async (t: TestApp, options: { forged?: boolean; claims?: Record<string, unknown> } = {}) =>
    `Bearer ${await connectorAuth.channelToken({ appId: TEST_APP_ID, serviceUrl: t.connector.url, ...options })}`;

  describe('in production, a SingleTenant bot', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startBot();
    });
    afterEach(() => t.stop({ keepData: false }));

    it('answers our own tenant\'s activity that carries a Bot Connector token', async () => {
      const alex = t.user(ALEX);
      t.connector.roster.set(ALEX.userId, { id: ALEX.userId, aadObjectId: ALEX.aadObjectId, userPrincipalName: ALEX.upn, email: ALEX.upn });
      const answer = await post(t, alex, { text: 'set up ESR from home', ...tenantFields(TEST_TENANT) }, await bearer(t));
      expect(answer.status, t.logs.filter((l) => l.includes('Refused')).join('\n')).to.equal(200);
      const replies = t.connector.activitiesFor(alex.conversationId).map(replyText).join('\n');
      expect(replies).to.contain('241ADEMO01');
    });

    it('refuses (403) another tenant\'s activity even with a valid token, logs it, and never runs the turn', async () => {
      const intruder = t.user({ userId: '29:intruder', aadObjectId: '0f0f0f0f-1111-4222-8333-444444444444', name: 'Alex Demo' });
      const answer = await post(t, intruder, { text: 'set up ESR from home', ...tenantFields(OTHER_TENANT) }, await bearer(t));
      expect(answer.status).to.equal(403);
      expect(JSON.parse(answer.body)).to.deep.equal({ error: 'tenant_not_allowed' });
      expect(t.connector.calls, 'no reply and no roster lookup').to.deep.equal([]);
      const refusal = t.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'Refused an activity from a tenant that is not allowed');
      expect(refusal).to.include({ tenantId: OTHER_TENANT, activityType: 'message' });
    });

    it('refuses (403) an activity whose two tenant fields disagree, and one that names no tenant', async () => {
      const user = t.user(DEMO_USERS.bea);
      const mixed = await post(t, user, { text: 'hi', conversation: { id: 'a:mixed', conversationType: 'personal', tenantId: OTHER_TENANT }, channelData: { tenant: { id: TEST_TENANT } } }, await bearer(t));
      expect(mixed.status).to.equal(403);
      const none = await post(t, user, { text: 'hi', ...tenantFields(undefined) }, await bearer(t));
      expect(none.status).to.equal(403);
      expect(t.connector.calls).to.deep.equal([]);
    });

    it('refuses (401) a token from the emulator path, the SDK\'s door for any Entra tenant', async () => {
      const alex = t.user(ALEX);
      const token = await emulatorToken();
      const answer = await post(t, alex, { text: 'hi', ...tenantFields(TEST_TENANT) }, `Bearer ${token}`);
      expect(answer.status).to.equal(401);
      expect(t.connector.calls).to.deep.equal([]);
      expect(t.logs.join('\n')).to.contain('not the Bot Connector');
    });

    const refused: Array<{ what: string; authorization: (t: TestApp) => Promise<string | undefined> }> = [
      { what: 'a bad signature under the Bot Connector\'s key id', authorization: (t) => bearer(t, { forged: true }) },
      { what: 'an expired token', authorization: (t) => bearer(t, { claims: { exp: Math.floor(Date.now() / 1000) - 3600, nbf: Math.floor(Date.now() / 1000) - 7200 } }) },
      { what: 'a token for another bot', authorization: (t) => bearer(t, { claims: { aud: '99999999-8888-4777-8666-555555555555' } }) },
      { what: 'a token for another service URL', authorization: (t) => bearer(t, { claims: { serviceurl: 'https://smba.trafficmanager.net/emea/' } }) },
      { what: 'no Authorization header', authorization: () => Promise.resolve(undefined) },
      { what: 'a header that is not a bearer token', authorization: () => Promise.resolve('Basic c2FtOnNlY3JldA==') },
    ];
    for (const { what, authorization } of refused) {
      it(`answers 401, never 500, to ${what}`, async () => {
        const alex = t.user(ALEX);
        const answer = await post(t, alex, { text: 'hi', ...tenantFields(TEST_TENANT) }, await authorization(t));
        expect(answer.status).to.equal(401);
        expect(t.connector.calls).to.deep.equal([]);
      });
    }
  });

  describe('the Alex attack: someone whose Teams roster email is alex.demo@nhs-trust.example', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startBot();
    });
    afterEach(() => t.stop({ keepData: false }));
    const intruder = { userId: '29:mallory', aadObjectId: '0f0f0f0f-1111-4222-8333-444444444444', name: 'Alex Demo' };

    for (const { where, tenantId, status } of [
      { where: 'in another tenant', tenantId: OTHER_TENANT, status: 403 },
      { where: 'in our own tenant', tenantId: TEST_TENANT, status: 200 },
    ]) {
      it(`${where} is never shown Alex's username nor sets his password`, async () => {
        t.connector.roster.set(intruder.userId, { id: intruder.userId, aadObjectId: intruder.aadObjectId, userPrincipalName: 'mallory@evil.example', email: ALEX.upn, givenName: 'Alex' });
        const mallory = t.user(intruder);
        const answer = await post(t, mallory, { text: 'set up ESR from home', ...tenantFields(tenantId) }, await bearer(t));
        expect(answer.status).to.equal(status);
        const replies = t.connector.activitiesFor(mallory.conversationId).map(replyText).join('\n');
        expect(replies).to.not.contain('241ADEMO01');
        expect((await t.app.esr.getAccount('241ADEMO01'))?.status).to.equal('not_registered');
        if (status === 403) {
          expect(t.connector.calls, 'the turn never ran').to.deep.equal([]);
        } else {
          // Production runs the guided flows: the intruder is treated as someone not in the directory.
          expect(replies).to.contain("I couldn't find your ESR record");
          const [refusal] = await t.app.audit.list({ action: 'identity.match_refused' });
          expect(refusal).to.deep.include({ username: '241ADEMO01', actor: { kind: 'staff', id: intruder.aadObjectId } });
        }
      });
    }
  });

  it('lets the same emulator token through authentication outside production, so production\'s 401 is the issuer rule', async () => {
    const t = await startBot({ NODE_ENV: 'test', PUBLIC_URL: 'http://localhost:3978' });
    try {
      const alex = t.user(ALEX);
      const token = await emulatorToken();
      const answer = await post(t, alex, { text: 'hi', ...tenantFields(TEST_TENANT) }, `Bearer ${token}`);
      expect(answer.status, t.logs.filter((l) => l.includes('Refused')).join('\n')).to.equal(200);
    } finally {
      await t.stop({ keepData: false });
    }
  });

  describe('a MultiTenant bot', () => {
    let t: TestApp;
    beforeEach(async () => {
      t = await startBot({ MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '', ALLOWED_TENANT_IDS: OTHER_TENANT });
    });
    afterEach(() => t.stop({ keepData: false }));

    it('admits only the tenants in ALLOWED_TENANT_IDS', async () => {
      const user = t.user(DEMO_USERS.stranger);
      expect((await post(t, user, { text: 'hi', ...tenantFields(OTHER_TENANT) }, await bearer(t))).status).to.equal(200);
      expect((await post(t, user, { text: 'hi', ...tenantFields(TEST_TENANT) }, await bearer(t))).status).to.equal(403);
    });
  });
});
