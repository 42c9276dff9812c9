// The client against a real local endpoint (the reference stub on port 0), which checks every signature.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { ManualClock } from '../../../core/clock.js';
import { EsrAutomationClient } from '../../../esr/automation/automationClient.js';
import { verifyBody } from '../../../esr/automation/signature.js';
import type { AutomationRequest } from '../../../esr/automation/types.js';
import type { LowdbAutomationRequestStore } from '../../../storage/lowdbAutomationRequests.js';
import { startAutomationStub, type AutomationStub, type StubOptions } from '../../../scripts/esr-automation-stub.js';
import { SECRET, recordingLogger, sampleRequest, tempStore } from '../../support/automation.js';

const CALLBACK_URL = 'https://esr-helpdesk.example.nhs.uk/api/esr-automation/callback';

describe('the ESR automation client', () => {
  let clock: ManualClock;
  let store: LowdbAutomationRequestStore;
  let stub: AutomationStub | undefined;
  let logger: ReturnType<typeof recordingLogger>;

  beforeEach(async () => {
    clock = new ManualClock('2026-01-05T10:00:00Z');
    store = (await tempStore()).store;
    logger = recordingLogger();
  });
  afterEach(async () => {
    await stub?.close();
    stub = undefined;
  });

  async function clientFor(mode: StubOptions['mode'], extra: Partial<StubOptions> = {}, timeoutMs = 5_000): Promise<EsrAutomationClient> {
    stub = await startAutomationStub({ secret: SECRET, mode, clock, slowMs: 10_000, ...extra });
    return clientAt(stub.url, timeoutMs);
  }
  function clientAt(url: string, timeoutMs = 5_000): EsrAutomationClient {
    return new EsrAutomationClient({ url, secret: SECRET, callbackUrl: CALLBACK_URL, timeoutMs, store, clock, logger, retryDelayMs: 0 });
  }

  it('reports done when the endpoint answers 200 done, and records it as done', async () => {
    const request = sampleRequest();
    expect(await (await clientFor('done')).request(request)).to.deep.equal({ kind: 'done' });
    expect(stub!.received[0]!.signature).to.deep.equal({ ok: true });
    expect(await store.get(request.id)).to.include({ status: 'done', username: 'alex.demo', action: 'unlock' });
  });

  it('reports failed, with the endpoint\'s message, when it answers 200 failed', async () => {
    const request = sampleRequest({ action: 'reactivate' });
    const result = await (await clientFor('failed')).request(request);
    expect(result).to.deep.equal({ kind: 'failed', message: 'The stub was told to fail (STUB_MODE=failed)' });
    expect(await store.get(request.id)).to.include({ status: 'failed', action: 'reactivate' });
  });

  it('reports pending on a 202 and keeps the request pending for the callback', async () => {
    const request = sampleRequest();
    expect(await (await clientFor('accepted', { callbackUrl: 'http://127.0.0.1:9/' })).request(request)).to.deep.equal({ kind: 'pending' });
    expect(await store.get(request.id)).to.include({ status: 'pending', sentAt: '2026-01-05T10:00:00.000Z' });
  });

  it('sends the documented fields and callbackUrl, and never a date of birth or a password', async () => {
    const client = await clientFor('done');
    // Whatever else a caller's object carries stays behind.
    const request = { ...sampleRequest(), dateOfBirth: '1990-01-01', password: 'hunter2hunter2', employee: { ...sampleRequest().employee, dateOfBirth: '1990-01-01' } } as AutomationRequest;
    await client.request(request);
    const sent = stub!.received[0]!;
    expect(sent.headers['content-type']).to.equal('application/json');
    expect(Object.keys(sent.body!).sort()).to.deep.equal(['action', 'callbackUrl', 'employee', 'id', 'organisationCode', 'requestedAt', 'username']);
    expect(sent.body).to.deep.equal({
      id: request.id,
      action: 'unlock',
      username: 'alex.demo',
      organisationCode: '241',
      employee: { firstName: 'Alex', lastName: 'Demo', workEmail: 'alex.demo@nhs-trust.example' },
      requestedAt: '2026-01-05T10:00:00.000Z',
      callbackUrl: CALLBACK_URL,
    });
    expect(sent.raw).not.to.match(/dateOfBirth|date_of_birth|password|1990-01-01|hunter2/i);
  });

  it('signs the exact bytes it sends, verifiable with the shared secret at the send time', async () => {
    await (await clientFor('done')).request(sampleRequest());
    const sent = stub!.received[0]!;
    const header = sent.headers['x-esr-helpdesk-signature'] as string;
    expect(header).to.match(/^t=1767607200,v1=[0-9a-f]{64}$/);
    expect(verifyBody(SECRET, Buffer.from(sent.raw), header, clock.now())).to.deep.equal({ ok: true });
    expect(verifyBody('another-secret-of-thirty-two-characters!', Buffer.from(sent.raw), header, clock.now()).ok).to.be.false;
  });

  it('falls back to unavailable when the endpoint does not answer within the timeout', async () => {
    const request = sampleRequest();
    const started = Date.now();
    const result = await (await clientFor('slow', {}, 300)).request(request);
    expect(result.kind).to.equal('unavailable');
    expect(Date.now() - started).to.be.below(5_000);
    expect(await store.get(request.id)).to.include({ status: 'unavailable' });
    expect(stub!.received).to.have.length(1);
  });

  it('falls back to unavailable on a 500, without retrying', async () => {
    const request = sampleRequest();
    expect(await (await clientFor('error')).request(request)).to.deep.equal({ kind: 'unavailable', reason: 'the endpoint answered HTTP 500' });
    expect(stub!.received).to.have.length(1);
    expect(logger.lines.some((l) => l.level === 'warn' && l.object.automationId === request.id)).to.be.true;
  });

  it('retries a network error once with the same id, then falls back to unavailable', async () => {
    const request = sampleRequest();
    const result = await (await clientFor('hangup')).request(request);
    expect(result.kind).to.equal('unavailable');
    expect(stub!.received.map((r) => r.body?.id)).to.deep.equal([request.id, request.id]);
    expect(stub!.received[1]!.raw).to.equal(stub!.received[0]!.raw);
  });

  it('gets through on the quick retry when only the first attempt hit a network error', async () => {
    const request = sampleRequest();
    expect(await (await clientFor((_r, attempt) => (attempt === 1 ? 'hangup' : 'done'))).request(request)).to.deep.equal({ kind: 'done' });
    expect(stub!.received.map((r) => r.body?.id)).to.deep.equal([request.id, request.id]);
    expect(await store.get(request.id)).to.include({ status: 'done' });
  });

  it('falls back to unavailable when nothing listens at the address', async () => {
    const closed = await freePort();
    const result = await clientAt(`http://127.0.0.1:${closed}/`).request(sampleRequest());
    expect(result.kind).to.equal('unavailable');
    expect((result as { reason: string }).reason).to.match(/^network error/);
  });

  for (const [what, status, answer] of [
    ['an answer that is not JSON', 200, 'OK'],
    ['an outcome it does not know', 200, '{"outcome":"maybe"}'],
    ['a status the contract does not use', 204, ''],
    ['a refusal of the request (the endpoint\'s 401)', 401, '{"error":"bad signature"}'],
  ] as const) {
    it(`falls back to unavailable on ${what}`, async () => {
      const server = await answering(status, answer);
      try {
        expect((await clientAt(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`).request(sampleRequest())).kind).to.equal('unavailable');
      } finally {
        await new Promise((r) => server.close(r));
      }
    });
  }

  it('sends nothing and falls back to unavailable when the request cannot be recorded', async () => {
    await clientFor('done');
    const broken = Object.assign(Object.create(store) as LowdbAutomationRequestStore, { begin: () => Promise.reject(new Error('disk full')) });
    const client = new EsrAutomationClient({ url: stub!.url, secret: SECRET, callbackUrl: CALLBACK_URL, timeoutMs: 5_000, store: broken, clock, logger });
    expect(await client.request(sampleRequest())).to.deep.equal({ kind: 'unavailable', reason: 'the request could not be recorded' });
    expect(stub!.received).to.have.length(0);
  });

  it('refuses to send a request whose id is not a UUID', async () => {
    const client = await clientFor('done');
    expect((await client.request(sampleRequest({ id: '__proto__' }))).kind).to.equal('unavailable');
    expect(stub!.received).to.have.length(0);
  });
});

function answering(status: number, body: string): Promise<Server> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(body);
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** A port that was free a moment ago and has nothing listening on it now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}
