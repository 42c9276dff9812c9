// The watchdog gives up on callbacks that never came, once each, on an injected clock.
import { expect } from 'chai';
import { DAY, ManualClock, MINUTE } from '../../../core/clock.js';
import { AutomationWatchdog } from '../../../esr/automation/watchdog.js';
import type { JobLock } from '../../../core/locks.js';
import type { LowdbAutomationRequestStore } from '../../../storage/lowdbAutomationRequests.js';
import { recordingLogger, sampleRequest, tempStore } from '../../support/automation.js';

describe('the ESR automation watchdog', () => {
  let clock: ManualClock;
  let store: LowdbAutomationRequestStore;
  let timedOut: string[];
  let logger: ReturnType<typeof recordingLogger>;
  let watchdog: AutomationWatchdog;

  beforeEach(async () => {
    clock = new ManualClock('2026-01-05T10:00:00Z');
    store = (await tempStore()).store;
    timedOut = [];
    logger = recordingLogger();
    watchdog = new AutomationWatchdog({ store, clock, logger, callbackWaitMs: 15 * MINUTE, onTimeout: (id) => void timedOut.push(id) });
  });

  async function sent(): Promise<string> {
    const r = sampleRequest();
    await store.begin({ id: r.id, action: r.action, username: r.username, requestedAt: r.requestedAt, sentAt: clock.now().toISOString() });
    return r.id;
  }

  it('times out a request still pending after the callback wait, and says so once', async () => {
    const id = await sent();
    clock.advance(15 * MINUTE);
    expect(await watchdog.runOnce()).to.deep.equal([]);
    clock.advance(1000);
    expect(await watchdog.runOnce()).to.deep.equal([id]);
    expect(await watchdog.runOnce()).to.deep.equal([]);
    expect(timedOut).to.deep.equal([id]);
    expect(await store.get(id)).to.include({ status: 'timed_out', finishedAt: '2026-01-05T10:15:01.000Z' });
    expect(logger.lines.some((l) => l.level === 'warn' && l.object.automationId === id)).to.be.true;
  });

  it('leaves younger pending requests and finished ones alone', async () => {
    const finished = await sent();
    await store.finish(finished, 'done', clock.now().toISOString());
    clock.advance(10 * MINUTE);
    const young = await sent();
    clock.advance(10 * MINUTE);
    expect(await watchdog.runOnce()).to.deep.equal([]);
    expect(timedOut).to.deep.equal([]);
    expect(await store.get(young)).to.include({ status: 'pending' });
    expect(await store.get(finished)).to.include({ status: 'done' });
  });

  it('counts the wait from the latest send when a request is sent again with the same id', async () => {
    const id = await sent();
    clock.advance(14 * MINUTE);
    const again = sampleRequest({ id });
    await store.begin({ id, action: again.action, username: again.username, requestedAt: again.requestedAt, sentAt: clock.now().toISOString() });
    clock.advance(14 * MINUTE);
    expect(await watchdog.runOnce()).to.deep.equal([]);
  });

  it('runs one check at a time, so concurrent checks report a request once', async () => {
    const id = await sent();
    clock.advance(16 * MINUTE);
    const [a, b] = await Promise.all([watchdog.runOnce(), watchdog.runOnce()]);
    expect(a).to.equal(b); // the second call joined the check under way
    expect(a).to.deep.equal([id]);
    expect(timedOut).to.deep.equal([id]);
  });

  it('skips its round while another instance runs the check, and times the request out on a later round', async () => {
    const id = await sent();
    clock.advance(16 * MINUTE);
    let elsewhere = true;
    const asked: string[] = [];
    const jobs: JobLock = {
      runExclusive: async (name, job) => {
        asked.push(name);
        return elsewhere ? { ran: false } : { ran: true, value: await job() };
      },
    };
    const shared = new AutomationWatchdog({ store, clock, logger, callbackWaitMs: 15 * MINUTE, onTimeout: (x) => void timedOut.push(x), jobs });
    expect(await shared.runOnce()).to.deep.equal([]);
    expect(await store.get(id)).to.include({ status: 'pending' });
    elsewhere = false;
    expect(await shared.runOnce()).to.deep.equal([id]);
    expect(timedOut).to.deep.equal([id]);
    expect(asked).to.deep.equal(['esr-automation-watchdog', 'esr-automation-watchdog']);
  });

  it('logs a lock that cannot be had (the database down) and tries again next round, never rejecting', async () => {
    const jobs: JobLock = { runExclusive: () => Promise.reject(new Error('connection refused')) };
    const shared = new AutomationWatchdog({ store, clock, logger, callbackWaitMs: 15 * MINUTE, onTimeout: (x) => void timedOut.push(x), jobs });
    expect(await shared.runOnce()).to.deep.equal([]);
    expect(logger.lines.some((l) => l.level === 'error' && (l.object.err as Error).message === 'connection refused')).to.equal(true);
  });

  it('keeps going when handing one request over fails, and logs it', async () => {
    const first = await sent();
    const second = await sent();
    const failing = new AutomationWatchdog({
      store,
      clock,
      logger,
      callbackWaitMs: 15 * MINUTE,
      onTimeout: (id) => {
        if (id === first) throw new Error('admin tasks unavailable');
        timedOut.push(id);
      },
    });
    clock.advance(16 * MINUTE);
    expect((await failing.runOnce()).sort()).to.deep.equal([first, second].sort());
    expect(timedOut).to.deep.equal([second]);
    expect(logger.lines.filter((l) => l.level === 'error').map((l) => l.object.automationId)).to.deep.equal([first]);
  });

  it('forgets finished requests 30 days after they finished', async () => {
    const id = await sent();
    await store.finish(id, 'done', clock.now().toISOString());
    clock.advance(30 * DAY);
    await watchdog.runOnce();
    expect(await store.get(id)).to.not.equal(undefined);
    clock.advance(1000);
    await watchdog.runOnce();
    expect(await store.get(id)).to.equal(undefined);
  });

  it('checks on its own timer once started, until stopped', async () => {
    const id = await sent();
    clock.advance(16 * MINUTE);
    const ticking = new AutomationWatchdog({ store, clock, logger, callbackWaitMs: 15 * MINUTE, intervalMs: 10, onTimeout: (x) => void timedOut.push(x) });
    ticking.start();
    for (let i = 0; i < 200 && timedOut.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await ticking.stop();
    expect(timedOut).to.deep.equal([id]);
  });
});
