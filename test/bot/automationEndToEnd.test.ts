// The whole ESR automation chain, with nothing faked but Microsoft's cloud: the real app in
// ESR_MODE=automation, its real client talking to the reference stub (scripts/esr-automation-stub.ts)
// with a real secret, the stub's signed callback reaching the app's own callback route, and the app's own
// watchdog. A member of staff asks over the real HTTP endpoint; the capture connector stands in for Teams.
import { expect } from 'chai';
import { ManualClock, MINUTE } from '../../core/clock.js';
import { verifyBody, SIGNATURE_HEADER } from '../../esr/automation/signature.js';
import { CALLBACK_PATH } from '../../web/esrAutomationCallback.js';
import { startAutomationStub, type AutomationStub, type StubOptions } from '../../scripts/esr-automation-stub.js';
import { CaptureConnector } from '../support/captureConnector.js';
import { SECRET } from '../support/automation.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const QUEUE = '19:queue@thread.tacv2';
const choose = (value: string) => ({ action: 'choose', choice: value });

describe('ESR automation end to end: the app, the reference stub and the callback (ESR_MODE=automation)', () => {
  let connector: CaptureConnector;
  let clock: ManualClock;
  let stub: AutomationStub;
  let t: TestApp;
  let chris: TeamsUser;

  async function start(stubOptions: Omit<StubOptions, 'secret' | 'clock'>, env: Record<string, string> = {}, turnWaitMs?: number): Promise<void> {
    connector = await new CaptureConnector().start();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    let appUrl = '';
    // The app listens on a free port, so its PUBLIC_URL is not its address: the stub is told where it is.
    stub = await startAutomationStub({ secret: SECRET, clock, callbackUrl: () => `${appUrl}${CALLBACK_PATH}`, ...stubOptions });
    t = await startTestApp({
      connector,
      clock,
      sleep: () => Promise.resolve(),
      housekeeping: false,
      ...(turnWaitMs !== undefined ? { automationTurnWaitMs: turnWaitMs } : {}),
      env: { ESR_MODE: 'automation', ESR_AUTOMATION_URL: stub.url, ESR_AUTOMATION_SECRET: SECRET, ESR_LOGIN_URL: 'https://my.esr.nhs.uk', ...env },
    });
    appUrl = t.url;
    expect(await useThisChannel()).to.equal(200);
    chris = t.user(DEMO_USERS.chris);
    await chris.say('hello');
  }
  afterEach(async () => {
    await stub.close();
    await t.stop({ keepData: false });
    await connector.stop();
  });

  async function useThisChannel(): Promise<number> {
    const activity = {
      type: 'message',
      id: 'agent-1',
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: { id: '29:agent-priya', name: 'Priya Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000001' },
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: QUEUE, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { channel: { id: QUEUE }, team: { id: '19:team@thread.tacv2' }, tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      text: 'use this channel',
    };
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.arrayBuffer();
    return res.status;
  }

  /** "my account is locked", then Locked on the card: what the bot said in those two turns. */
  async function sayLocked(): Promise<string> {
    const first = await chris.say('my account is locked');
    const second = await chris.submit(choose('locked'), 'locked');
    return [...first, ...second].map(replyText).join('\n');
  }

  const saidSince = (from: number) => connector.activitiesFor(chris.conversationId).slice(from).map(replyText).join('\n');
  const taskCards = () => connector.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/v3/conversations') && JSON.stringify(c.body).includes(QUEUE));
  const waiting = async () => (await t.app.tickets.stats({ now: clock.now() })).tasksWaiting;

  it('done: the stub unlocks at once, the person is told (password unchanged, log in now) and no task waits for a person', async () => {
    await start({ mode: 'done' });
    const said = await sayLocked();
    expect(said).to.contain('ESR-00001').and.contain('unlocked').and.contain("password hasn't changed").and.contain('log in now');
    expect(stub.received).to.have.length(1);
    expect(taskCards()).to.have.length(0);
    expect(await waiting()).to.equal(0);
    const task = (await t.app.tickets.get(1))!;
    expect(task.status).to.equal('resolved');
    expect(task.task?.automation?.state).to.equal('done');
    expect(await t.app.automation!.store.get(task.task!.automation!.requestId)).to.include({ status: 'done' });
  });

  it('failed: the stub cannot do it, so a task is posted in the agents\' channel and the person is told it may take longer', async () => {
    await start({ mode: 'failed' });
    const said = await sayLocked();
    expect(said).to.contain('a person will do it').and.contain('may take a little longer').and.contain('ESR-00001');
    expect(taskCards()).to.have.length(1);
    expect(JSON.stringify(taskCards()[0]!.body)).to.contain('Unlock ESR account').and.contain('241CTEST01');
    expect(await waiting()).to.equal(1);
    expect((await t.app.tickets.get(1))!.task?.automation).to.include({ state: 'failed', message: 'The stub was told to fail (STUB_MODE=failed)' });
  });

  it('accepted: the stub answers 202, its signed callback reaches the app\'s own callback route, and the person is told it is done', async () => {
    await start({ mode: 'accepted', callbackDelayMs: 50 });
    const said = await sayLocked();
    expect(said).to.contain("It's being done now").and.contain('ESR-00001');
    const delivery = await stub.callbacks[0]!;
    expect(delivery.status).to.equal(200);
    expect(JSON.parse(delivery.answer)).to.deep.equal({ status: 'recorded' });
    const told = await connector.waitFor((c) => c.conversationId === chris.conversationId && replyText(c).includes('unlocked'));
    expect(replyText(told)).to.contain('ESR-00001').and.contain("password hasn't changed").and.contain('log in now');
    expect(taskCards()).to.have.length(0);
    expect(await waiting()).to.equal(0);
    expect((await t.app.tickets.get(1))!.status).to.equal('resolved');
  });

  it('accepted, then a failed callback: a person gets the task and the person is told it may take longer', async () => {
    await start({ mode: 'accepted', callbackOutcome: 'failed', callbackDelayMs: 50 });
    await sayLocked();
    const before = connector.activitiesFor(chris.conversationId).length;
    expect((await stub.callbacks[0]!).status).to.equal(200);
    await connector.waitFor((c) => c.method === 'POST' && c.path.endsWith('/v3/conversations') && JSON.stringify(c.body).includes(QUEUE));
    expect(saidSince(before)).to.contain('a person will do it');
    expect(await waiting()).to.equal(1);
  });

  it('slow: no answer within ESR_AUTOMATION_TIMEOUT_S, so a person gets the task and the person is told at once', async () => {
    await start({ mode: 'slow', slowMs: 5_000 }, { ESR_AUTOMATION_TIMEOUT_S: '1' });
    const started = Date.now();
    const said = await sayLocked();
    const tookMs = Date.now() - started;
    expect(tookMs).to.be.lessThan(4_000);
    expect(said).to.contain('a person will do it');
    expect(taskCards()).to.have.length(1);
    const task = (await t.app.tickets.get(1))!;
    expect(task.task?.automation).to.include({ state: 'unavailable', message: 'no answer within 1 s' });
    expect(await t.app.automation!.store.get(task.task!.automation!.requestId)).to.include({ status: 'unavailable' });
  });

  it('slow but within ESR_AUTOMATION_TIMEOUT_S: the chat turn does not wait past its limit; the person hears "being done", then "unlocked"', async () => {
    // Teams gives a reply ~15 s; here the turn waits 200 ms for a robot that takes 800 ms of its 30 s.
    await start({ mode: 'slow', slowMs: 800 }, {}, 200);
    const started = Date.now();
    expect(await sayLocked()).to.contain("It's being done now");
    expect(Date.now() - started).to.be.lessThan(800);
    const told = await connector.waitFor((c) => c.conversationId === chris.conversationId && replyText(c).includes('unlocked'));
    expect(replyText(told)).to.contain("password hasn't changed");
    await t.app.background.idle();
    expect(taskCards()).to.have.length(0);
    expect((await t.app.tickets.get(1))!.status).to.equal('resolved');
  });

  it('slow past ESR_AUTOMATION_TIMEOUT_S after the turn has answered: the person hears "being done", then a person gets the task', async () => {
    await start({ mode: 'slow', slowMs: 5_000 }, { ESR_AUTOMATION_TIMEOUT_S: '1' }, 200);
    expect(await sayLocked()).to.contain("It's being done now");
    await t.app.background.idle();
    expect(connector.activitiesFor(chris.conversationId).map(replyText).at(-1)).to.contain('a person will do it');
    expect(taskCards()).to.have.length(1);
    expect((await t.app.tickets.get(1))!.task?.automation).to.include({ state: 'unavailable', message: 'no answer within 1 s' });
  });

  it('accepted but no callback: the app\'s own watchdog, run after ESR_AUTOMATION_CALLBACK_MINUTES, gives the task to a person and tells them', async () => {
    // The callback would come only after the test has finished (the stub drops it on close).
    await start({ mode: 'accepted', callbackDelayMs: 10 * 60_000 }, { ESR_AUTOMATION_CALLBACK_MINUTES: '15' });
    expect(await sayLocked()).to.contain("It's being done now");
    const watchdog = t.app.automationWatchdog!;
    clock.advance(14 * MINUTE);
    expect(await watchdog.runOnce()).to.deep.equal([]);
    expect(taskCards()).to.have.length(0);
    const before = connector.activitiesFor(chris.conversationId).length;
    clock.advance(2 * MINUTE);
    const task = (await t.app.tickets.get(1))!;
    expect(await watchdog.runOnce()).to.deep.equal([task.task!.automation!.requestId]);
    expect(saidSince(before)).to.contain('a person will do it');
    expect(taskCards()).to.have.length(1);
    expect(await waiting()).to.equal(1);
    expect(await t.app.automation!.store.get(task.task!.automation!.requestId)).to.include({ status: 'timed_out' });
  });

  it('sends the stub no date of birth and no password, only the fields of the contract, signed with the shared secret', async () => {
    await start({ mode: 'done' });
    await sayLocked();
    const [request] = stub.received;
    expect(request!.signature).to.deep.equal({ ok: true });
    expect(verifyBody(SECRET, request!.raw, request!.headers[SIGNATURE_HEADER.toLowerCase()] as string, clock.now())).to.deep.equal({ ok: true });
    expect(verifyBody('another-secret-0123456789abcdefghijkl', request!.raw, request!.headers[SIGNATURE_HEADER.toLowerCase()] as string, clock.now())).to.deep.include({ ok: false });
    expect(Object.keys(request!.body!).sort()).to.deep.equal(['action', 'callbackUrl', 'employee', 'id', 'organisationCode', 'requestedAt', 'username']);
    expect(request!.body).to.deep.include({ action: 'unlock', username: '241CTEST01', organisationCode: '241', callbackUrl: `http://localhost:3978${CALLBACK_PATH}` });
    expect(request!.body!.employee).to.deep.equal({ firstName: 'Chris', lastName: 'Test', workEmail: 'chris.test@nhs-trust.example' });
    expect(request!.raw).not.to.match(/birth|dob|password|1978/i);
  });
});
