// POST /api/esr-automation/callback on the bot's real HTTP server (createServer, with its body parsing in
// place), with the automation built by the same factory the app uses.
import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { expect } from 'chai';
import type { Server } from 'restify';
import type { CloudAdapter } from 'botbuilder';
import type { ActivityHandlerBase } from 'botbuilder-core';
import { createEsrAutomation, type EsrAutomation } from '../../bot/esrAutomation.js';
import { createLogger } from '../../bot/logger.js';
import { createServer } from '../../bot/server.js';
import { ManualClock, MINUTE } from '../../core/clock.js';
import { signBody } from '../../esr/automation/signature.js';
import type { AutomationOutcome } from '../../esr/automation/types.js';
import { startAutomationStub, type AutomationStub } from '../../scripts/esr-automation-stub.js';
import { SECRET, recordingLogger, sampleRequest, tempStore } from '../support/automation.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const PATH = '/api/esr-automation/callback';

describe('the ESR automation callback', () => {
  let clock: ManualClock;
  let logger: ReturnType<typeof recordingLogger>;
  let automation: EsrAutomation;
  let server: Server;
  let url: string;
  let stub: AutomationStub;
  let outcomes: AutomationOutcome[];

  beforeEach(async () => {
    clock = new ManualClock('2026-01-05T10:00:00Z');
    logger = recordingLogger();
    outcomes = [];
    stub = await startAutomationStub({ secret: SECRET, mode: 'accepted', clock, callbackUrl: () => `${url}${PATH}` });
    const config = {
      PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk',
      ESR_AUTOMATION_URL: stub.url,
      ESR_AUTOMATION_SECRET: SECRET,
      ESR_AUTOMATION_TIMEOUT_S: 5,
      ESR_AUTOMATION_CALLBACK_MINUTES: 15,
    };
    automation = createEsrAutomation(config, { clock, logger, store: (await tempStore()).store });
    server = createServer({
      adapter: {} as CloudAdapter,
      bot: {} as ActivityHandlerBase,
      logger: createLogger('silent'),
      health: () => Promise.resolve({}),
      routes: [automation.callbackRoute((outcome) => void outcomes.push(outcome))],
    });
    await new Promise<void>((resolve) => {
      server.listen(0, '127.0.0.1', resolve);
    });
    url = `http://127.0.0.1:${server.address().port}`;
  });
  afterEach(async () => {
    await stub.close();
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
    });
  });

  /** A request the automation accepted with a 202, so the bot waits for its callback. */
  async function pendingRequest(): Promise<string> {
    const request = sampleRequest();
    expect(await automation.client.request(request)).to.deep.equal({ kind: 'pending' });
    return request.id;
  }

  function post(body: string, headers: Record<string, string>): Promise<{ status: number; json: Record<string, unknown> }> {
    return fetch(`${url}${PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body }).then(async (res) => ({
      status: res.status,
      json: (await res.json()) as Record<string, unknown>,
    }));
  }
  const signed = (body: string, at = clock.now()) => post(body, { 'X-ESR-Helpdesk-Signature': signBody(SECRET, body, at) });
  const outcome = (id: string, result = 'done') => JSON.stringify({ id, outcome: result, message: 'Unlocked in ESR' });
  const refusals = () => logger.lines.filter((l) => l.message === 'Refused an ESR automation callback');

  it('completes a pending request when the stub calls back after its 202, and passes the outcome on once', async () => {
    const id = await pendingRequest();
    const delivery = await stub.callbacks[0]!;
    expect(delivery.status).to.equal(200);
    expect(JSON.parse(delivery.answer)).to.deep.equal({ status: 'recorded' });
    expect(outcomes).to.deep.equal([{ id, outcome: 'done', message: 'The stub reports done' }]);
    expect(await automation.store.get(id)).to.include({ status: 'done', finishedAt: '2026-01-05T10:00:00.000Z' });
  });

  it('passes a failed outcome on as failed', async () => {
    const id = await pendingRequestWithoutCallback();
    expect((await signed(outcome(id, 'failed'))).status).to.equal(200);
    expect(outcomes).to.deep.equal([{ id, outcome: 'failed', message: 'Unlocked in ESR' }]);
    expect(await automation.store.get(id)).to.include({ status: 'failed', message: 'Unlocked in ESR' });
  });

  it('refuses a replayed callback (a second outcome for the same id) with 409', async () => {
    const id = await pendingRequest();
    await stub.callbacks[0];
    const replay = await signed(outcome(id));
    expect(replay.status).to.equal(409);
    expect(outcomes).to.have.length(1);
    expect(refusals().map((l) => l.object)).to.deep.include({ status: 409, reason: 'already finished', automationId: id, from: '127.0.0.1' });
  });

  it('lets exactly one of two concurrent callbacks for the same id through: one 200, one 409', async () => {
    const id = await pendingRequestWithoutCallback();
    const answers = await Promise.all([signed(outcome(id)), signed(outcome(id, 'failed'))]);
    expect(answers.map((a) => a.status).sort()).to.deep.equal([200, 409]);
    expect(outcomes).to.have.length(1);
    expect((await automation.store.get(id))?.status).to.equal(outcomes[0]!.outcome);
  });

  it('refuses a forged callback (a bad signature) with 401, changing nothing', async () => {
    const id = await pendingRequestWithoutCallback();
    const body = outcome(id);
    const forged = await post(body, { 'X-ESR-Helpdesk-Signature': signBody('a-different-secret-of-more-than-32-chars', body, clock.now()) });
    expect(forged.status).to.equal(401);
    const tampered = await post(body.replace('done', 'failed'), { 'X-ESR-Helpdesk-Signature': signBody(SECRET, body, clock.now()) });
    expect(tampered.status).to.equal(401);
    expect(await automation.store.get(id)).to.include({ status: 'pending' });
    expect(outcomes).to.deep.equal([]);
    expect(refusals().map((l) => l.object.reason)).to.deep.equal(['signature mismatch', 'signature mismatch']);
  });

  it('refuses a callback without a signature with 401', async () => {
    const id = await pendingRequestWithoutCallback();
    expect((await post(outcome(id), {})).status).to.equal(401);
    expect(refusals()[0]!.object).to.include({ status: 401, reason: 'signature missing' });
  });

  it('refuses a correctly signed callback whose timestamp is more than five minutes old with 401', async () => {
    const id = await pendingRequestWithoutCallback();
    const stale = await signed(outcome(id), new Date(clock.now().getTime() - 5 * MINUTE - 1000));
    expect(stale.status).to.equal(401);
    expect(refusals()[0]!.object).to.include({ reason: 'signature stale' });
    expect(await automation.store.get(id)).to.include({ status: 'pending' });
  });

  it('refuses a correctly signed callback for an id it never sent with 409', async () => {
    const stranger = randomUUID();
    expect((await signed(outcome(stranger))).status).to.equal(409);
    expect(refusals()[0]!.object).to.include({ status: 409, reason: 'unknown id', automationId: stranger });
  });

  it('refuses a late callback, after the watchdog timed the request out, with 409', async () => {
    const id = await pendingRequestWithoutCallback();
    const timedOut: string[] = [];
    clock.advance(15 * MINUTE + 1000);
    expect(await automation.watchdog((x) => void timedOut.push(x)).runOnce()).to.deep.equal([id]);
    expect(timedOut).to.deep.equal([id]);
    expect((await signed(outcome(id))).status).to.equal(409);
    expect(await automation.store.get(id)).to.include({ status: 'timed_out' });
    expect(outcomes).to.deep.equal([]);
  });

  for (const [what, body] of [
    ['is not JSON', 'outcome=done'],
    ['has no id', '{"outcome":"done"}'],
    ['has an outcome the contract does not know', `{"id":"${randomUUID()}","outcome":"maybe"}`],
    ['carries fields the contract does not have', `{"id":"${randomUUID()}","outcome":"done","password":"x"}`],
  ] as const) {
    it(`answers 400 to a signed callback that ${what}`, async () => {
      const answer = await signed(body);
      expect(answer.status).to.equal(400);
      expect(answer.json.error).to.be.a('string');
    });
  }

  it('refuses a body larger than 16 KB with 413', async () => {
    const body = JSON.stringify({ id: randomUUID(), outcome: 'done', message: 'x'.repeat(17 * 1024) });
    expect((await signed(body)).status).to.equal(413);
  });

  it('refuses the same body sent without a declared length, once past 16 KB, with 413', async () => {
    const body = JSON.stringify({ id: randomUUID(), outcome: 'done', message: 'x'.repeat(17 * 1024) });
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${url}${PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-ESR-Helpdesk-Signature': signBody(SECRET, body, clock.now()) } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(body); // chunked: no Content-Length
    });
    expect(status).to.equal(413);
  });

  it('logs each refusal without the secret or the signature', async () => {
    const id = await pendingRequestWithoutCallback();
    const header = signBody('a-different-secret-of-more-than-32-chars', outcome(id), clock.now());
    await post(outcome(id), { 'X-ESR-Helpdesk-Signature': header });
    await signed(outcome(randomUUID()));
    const text = JSON.stringify(logger.lines);
    expect(refusals()).to.have.length(2);
    expect(text).not.to.contain(SECRET).and.not.to.contain(header.split('v1=')[1]!);
  });

  it('leaves every other route to the server as before', async () => {
    const health = await fetch(`${url}/healthz`);
    expect(health.status).to.equal(200);
    expect((await fetch(`${url}${PATH}`)).status).to.be.oneOf([404, 405]);
  });

  /** A pending request whose stub callback is not sent (so the test sends its own). */
  async function pendingRequestWithoutCallback(): Promise<string> {
    const request = sampleRequest();
    await automation.store.begin({ id: request.id, action: request.action, username: request.username, requestedAt: request.requestedAt, sentAt: clock.now().toISOString() });
    return request.id;
  }
});

describe('the ESR automation in the running app (ESR_MODE=automation)', () => {
  let t: TestApp;
  let stub: AutomationStub;
  let appUrl = '';

  before(async () => {
    stub = await startAutomationStub({ secret: SECRET, mode: 'accepted', callbackUrl: () => `${appUrl}${PATH}` });
    t = await startTestApp({ env: { ESR_MODE: 'automation', ESR_AUTOMATION_URL: stub.url, ESR_AUTOMATION_SECRET: SECRET } });
    appUrl = t.url;
  });
  after(async () => {
    await stub.close();
    await t.stop({ keepData: false });
  });

  it('sends the request with the app\'s callback URL and completes it when the callback reaches the app\'s server', async () => {
    const automation = t.app.automation!;
    const request = sampleRequest({ requestedAt: new Date().toISOString() });
    expect(await automation.client.request(request)).to.deep.equal({ kind: 'pending' });
    expect(stub.received[0]!.body).to.include({ callbackUrl: `http://localhost:3978${PATH}` });
    const delivery = await stub.callbacks[0]!;
    expect(delivery.status).to.equal(200);
    expect(await automation.store.get(request.id)).to.include({ status: 'done', message: 'The stub reports done' });
    expect(t.logs.join('')).to.contain('ESR automation callback recorded').and.not.to.contain(SECRET);
  });

  it('has no callback route and no client when ESR_MODE is not automation', async () => {
    const plain = await startTestApp({ env: { ESR_MODE: 'guided' } });
    try {
      expect(plain.app.automation).to.equal(undefined);
      const res = await fetch(`${plain.url}${PATH}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
      expect(res.status).to.equal(404);
    } finally {
      await plain.stop({ keepData: false });
    }
  });
});
