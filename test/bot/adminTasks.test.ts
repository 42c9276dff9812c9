// ESR admin tasks end to end: a locked account becomes a task in the agents' channel; Done in ESR and
// Couldn't do it (with a reason) reach the person in Teams (or by email when Teams cannot); one agent
// wins a double click; waiting tasks are posted again in office hours; and in automation mode the
// Trust's automation is tried first (a fake one here).
import { expect } from 'chai';
import { ManualClock, MINUTE } from '../../core/clock.js';
import type { AccountAutomation, AutomationRequest, AutomationResult } from '../../esr/automation/types.js';
import type { MailTransport, OutgoingMail } from '../../mail/transport.js';
import { ticketsToCsv } from '../../tickets/exportCsv.js';
import { CaptureConnector } from '../support/captureConnector.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const QUEUE = '19:queue@thread.tacv2';
const TASKS = '19:tasks@thread.tacv2';
const TEAM = '19:team@thread.tacv2';
const PRIYA = { id: '29:agent-priya', name: 'Priya Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000001' };
const SAM = { id: '29:agent-sam', name: 'Sam Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000002' };
const choose = (value: string) => ({ action: 'choose', choice: value });
let activityCount = 0;

class RecordingTransport implements MailTransport {
  readonly description = 'recorder';
  readonly sent: OutgoingMail[] = [];
  send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    return Promise.resolve();
  }
  close(): void {}
}

class FakeAutomation implements AccountAutomation {
  readonly requests: AutomationRequest[] = [];
  /** Runs before the answer is given (a callback that beats the first answer). */
  before: ((request: AutomationRequest) => Promise<unknown>) | undefined;
  constructor(public answer: AutomationResult) {}
  async request(request: AutomationRequest): Promise<AutomationResult> {
    this.requests.push(request);
    await this.before?.(request);
    return this.answer;
  }
}

const AUTOMATION_ENV = { ESR_MODE: 'automation', ESR_AUTOMATION_URL: 'http://127.0.0.1:9/automation', ESR_AUTOMATION_SECRET: 'x'.repeat(40) };

describe('ESR admin tasks over HTTP', () => {
  let connector: CaptureConnector;
  let clock: ManualClock;
  let mail: RecordingTransport;
  let t: TestApp;
  let chris: TeamsUser;

  async function start(env: Record<string, string>, automation?: AccountAutomation): Promise<void> {
    connector = await new CaptureConnector().start();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    mail = new RecordingTransport();
    t = await startTestApp({ connector, clock, mailTransport: mail, sleep: () => Promise.resolve(), housekeeping: false, env: { ESR_MODE: 'guided', ...env }, ...(automation ? { automation } : {}) });
    expect(await channelPost(PRIYA, QUEUE, 'use this channel')).to.equal(200);
    chris = t.user(DEMO_USERS.chris);
    await chris.say('hello');
  }
  afterEach(async () => {
    await t.stop({ keepData: false });
    await connector.stop();
  });

  function channelActivity(from: typeof PRIYA, conversationId: string, channelId: string, fields: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'message',
      id: `agent-${++activityCount}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from,
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { channel: { id: channelId }, team: { id: TEAM }, tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      ...fields,
    };
  }

  async function channelPost(from: typeof PRIYA, channelId: string, text: string): Promise<number> {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(channelActivity(from, channelId, channelId, { text })) });
    await res.arrayBuffer();
    return res.status;
  }

  async function press(from: typeof PRIYA, verb: string, data: Record<string, unknown> = {}): Promise<{ type: string; value: unknown }> {
    const activity = channelActivity(from, QUEUE, QUEUE, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data: { ticketId: '1', ...data } }, trigger: 'manual' } });
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    return ((await res.json()) as { type: string; value: unknown });
  }

  async function askToUnlock(): Promise<string> {
    await chris.say('my account is locked');
    return (await chris.submit(choose('locked'), 'locked')).map(replyText).join('\n');
  }

  const toChris = (from = 0) => connector.activitiesFor(chris.conversationId).slice(from).map(replyText);
  const channelCards = (channel = QUEUE) => connector.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/v3/conversations') && JSON.stringify(c.body).includes(channel));

  describe('in guided mode', () => {
    beforeEach(() => start({}));

    it('posts a locked account as a task in the agents\' channel, with Done in ESR, Couldn\'t do it and a labelled reason box', async () => {
      await askToUnlock();
      const task = (await t.app.tickets.get(1))!;
      expect(task.channelPost?.queueId).to.be.a('string');
      const card = JSON.stringify(channelCards().at(-1)!.body);
      expect(card).to.contain('Unlock ESR account').and.contain('Done in ESR').and.contain("Couldn't do it").and.contain('241CTEST01').and.contain('"label"');
    });

    it('tells the person in Teams when an agent presses Done in ESR: unlocked, password unchanged, log in now', async () => {
      await askToUnlock();
      const before = connector.activitiesFor(chris.conversationId).length;
      const answer = await press(PRIYA, 'taskDone');
      expect(answer.type).to.equal('application/vnd.microsoft.card.adaptive');
      const told = toChris(before).join('\n');
      expect(told).to.contain('ESR-00001').and.contain('unlocked').and.contain("password hasn't changed").and.contain('log in now');
      const task = (await t.app.tickets.get(1))!;
      expect(task).to.deep.include({ status: 'resolved' });
      expect(task.task?.outcome).to.equal('done');
      expect(task.events.map((e) => e.action)).to.include('task_done');
      const audit = await t.app.audit.list();
      expect(JSON.stringify(audit)).to.contain('ticket.task_done');
      // The export (npm run tickets:export) says what kind of task it was and how it ended.
      expect(ticketsToCsv([task])).to.contain('ESR-00001,resolved,login,unlock,done,');
    });

    it('tells the person the reason when an agent presses Couldn\'t do it, with a way to reply; without a reason it asks for one', async () => {
      await askToUnlock();
      const refused = await press(PRIYA, 'taskFailed', { reason: '  ' });
      expect(String(refused.value)).to.contain('Type why');
      expect((await t.app.tickets.get(1))!.status).to.equal('open');
      const before = connector.activitiesFor(chris.conversationId).length;
      await press(PRIYA, 'taskFailed', { reason: 'Your assignment ended in December; ask your manager to extend it.' });
      const told = toChris(before).join('\n');
      expect(told).to.contain("couldn't unlock your ESR account").and.contain('Your assignment ended in December').and.contain('Speak to someone');
      expect((await t.app.tickets.get(1))!.task).to.deep.include({ outcome: 'not_done', reason: 'Your assignment ended in December; ask your manager to extend it.' });
    });

    it('lets one of two agents pressing Done at the same moment win; the other is told who did it', async () => {
      await askToUnlock();
      const before = connector.activitiesFor(chris.conversationId).length;
      const [a, b] = await Promise.all([press(PRIYA, 'taskDone'), press(SAM, 'taskDone')]);
      const losers = [a, b].filter((x) => x.type === 'application/vnd.microsoft.activity.message');
      expect(losers).to.have.length(1);
      expect(String(losers[0]!.value)).to.match(/(Priya|Sam) Agent has already finished this task/);
      expect(toChris(before).filter((m) => m.includes('unlocked'))).to.have.length(1);
      expect((await t.app.tickets.get(1))!.events.filter((e) => e.action === 'task_done')).to.have.length(1);
    });

    it('lets one winner through when the dashboard and the channel card finish the same task at once (store version check)', async () => {
      await askToUnlock();
      const priya = { id: PRIYA.aadObjectId, name: PRIYA.name };
      const sam = { id: SAM.aadObjectId, name: SAM.name };
      const results = await Promise.all([t.app.desk.act('taskDone', 1, priya, 'dashboard'), t.app.desk.act('taskFailed', 1, sam, 'teams', { reason: 'No such account' })]);
      expect(results.filter((r) => r.ok)).to.have.length(1);
      expect(results.find((r) => !r.ok)!.message).to.match(/has already finished this task/);
      const task = (await t.app.tickets.get(1))!;
      expect(task.events.filter((e) => e.action.startsWith('task_'))).to.have.length(1);
    });

    it('emails the person when Teams cannot reach them', async () => {
      await askToUnlock();
      connector.respond = (call) => (call.conversationId === chris.conversationId ? { status: 403, body: { error: { code: 'BotDisabledByAdmin', message: 'blocked' } } } : undefined);
      await press(PRIYA, 'taskDone');
      connector.respond = undefined;
      await t.app.mail.deliverDue();
      const toPerson = mail.sent.filter((m) => m.to === 'chris.test@nhs-trust.example');
      expect(toPerson).to.have.length(1);
      expect(toPerson[0]!.text).to.contain('unlocked').and.contain("password hasn't changed");
    });

    it('posts a task nobody has picked up again after ADMIN_TASK_REMIND_MINUTES, in office hours only', async () => {
      await askToUnlock();
      const posted = () => channelCards().length;
      const first = posted();
      clock.advance(59 * MINUTE);
      expect(await t.app.housekeeping.remindTasks()).to.equal(0);
      clock.advance(1 * MINUTE);
      expect(await t.app.housekeeping.remindTasks()).to.equal(1);
      expect(posted()).to.equal(first + 1);
      // Once reminded, the interval starts again.
      clock.advance(30 * MINUTE);
      expect(await t.app.housekeeping.remindTasks()).to.equal(0);
      // Out of hours: Monday 18:00 onwards, nothing is posted however long it has waited.
      clock.set('2026-01-05T18:30:00Z');
      expect(await t.app.housekeeping.remindTasks()).to.equal(0);
      clock.set('2026-01-06T09:05:00Z');
      expect(await t.app.housekeeping.remindTasks()).to.equal(1);
      const task = (await t.app.tickets.get(1))!;
      expect(task.events.filter((e) => e.action === 'reminded')).to.have.length(2);
    });

    it('does not remind of a task someone has taken', async () => {
      await askToUnlock();
      await press(PRIYA, 'takeOver');
      clock.advance(120 * MINUTE);
      expect(await t.app.housekeeping.remindTasks()).to.equal(0);
    });

    it('posts tasks in the channel chosen with "use this channel for admin tasks"', async () => {
      expect(await channelPost(SAM, TASKS, 'use this channel for admin tasks')).to.equal(200);
      await askToUnlock();
      expect(channelCards(TASKS)).to.have.length(1);
    });

    it('shows the tasks waiting and the median time to done this week in the dashboard figures', async () => {
      await askToUnlock();
      let stats = await t.app.tickets.stats({ now: clock.now() });
      expect(stats.tasksWaiting).to.equal(1);
      clock.advance(30 * MINUTE);
      await press(PRIYA, 'taskDone');
      stats = await t.app.tickets.stats({ now: clock.now() });
      expect(stats).to.deep.include({ tasksWaiting: 0, medianTaskDoneMs: 30 * MINUTE });
    });
  });

  // Issue 12: what an agent's action sends a member of staff is in the language they raised it in.
  describe('in the person\'s own language', () => {
    /** A locked account, asked from a Teams client in `locale`. */
    async function askToUnlockIn(locale: string, text: string): Promise<string> {
      await chris.submitText(text, locale);
      // The button's messageBack: its value and its text, from the same client.
      const before = connector.activitiesFor(chris.conversationId).length;
      await chris.post({ value: choose('locked'), text: 'locked', locale });
      return toChris(before).join('\n');
    }

    describe('with an English organisation', () => {
      beforeEach(() => start({}));

      it('records the language on the ticket and tells a Welsh speaker in Welsh when an agent presses Done in ESR', async () => {
        await askToUnlockIn('cy-GB', "mae fy nghyfrif wedi'i gloi");
        const task = (await t.app.tickets.get(1))!;
        expect(task.requester.language).to.equal('cy-GB');
        // The agents' card stays in the organisation's language.
        expect(JSON.stringify(channelCards().at(-1)!.body)).to.contain('Done in ESR');
        const before = connector.activitiesFor(chris.conversationId).length;
        await press(PRIYA, 'taskDone');
        const told = toChris(before).join('\n');
        expect(told).to.contain("ESR-00001: mae eich cyfrif ESR wedi'i ddatgloi").and.not.contain('unlocked');
      });

      it('tells a Welsh speaker in Welsh, with the agent\'s reason, when an agent presses Couldn\'t do it', async () => {
        await askToUnlockIn('cy-GB', "mae fy nghyfrif wedi'i gloi");
        const before = connector.activitiesFor(chris.conversationId).length;
        await press(PRIYA, 'taskFailed', { reason: 'Mae eich aseiniad wedi dod i ben.' });
        const told = connector.activitiesFor(chris.conversationId).slice(before).map((c) => `${replyText(c)} ${JSON.stringify(c.body)}`).join('\n');
        expect(told).to.contain("doedd dim modd i'r tîm").and.contain('Mae eich aseiniad wedi dod i ben.').and.contain('Siarad â rhywun').and.not.contain("couldn't");
      });

      it('emails a Welsh speaker in Welsh when Teams cannot reach them', async () => {
        await askToUnlockIn('cy-GB', "mae fy nghyfrif wedi'i gloi");
        connector.respond = (call) => (call.conversationId === chris.conversationId ? { status: 403, body: { error: { code: 'BotDisabledByAdmin', message: 'blocked' } } } : undefined);
        await press(PRIYA, 'taskDone');
        connector.respond = undefined;
        await t.app.mail.deliverDue();
        const [email] = mail.sent.filter((m) => m.to === 'chris.test@nhs-trust.example');
        expect(email!.subject).to.equal('ESR-00001: eich cais ESR');
        expect(email!.text).to.contain("mae eich cyfrif ESR wedi'i ddatgloi");
        expect(email!.html).to.contain('<html lang="cy">');
      });

      it('still tells an English speaker in English', async () => {
        await askToUnlock();
        expect((await t.app.tickets.get(1))!.requester.language).to.equal('en-GB');
        const before = connector.activitiesFor(chris.conversationId).length;
        await press(PRIYA, 'taskDone');
        expect(toChris(before).join('\n')).to.contain('ESR-00001: your ESR account has been unlocked');
      });
    });

    describe('with a Welsh organisation (LOCALE=cy-GB)', () => {
      beforeEach(() => start({ LOCALE: 'cy-GB' }));

      it('tells someone who chose English in English, and a ticket without a stored language in the organisation\'s default', async () => {
        await chris.say('English');
        await chris.say('my account is locked');
        await chris.submit(choose('locked'), 'locked');
        const first = (await t.app.tickets.get(1))!;
        expect(first.requester.language).to.equal('en-GB');
        let before = connector.activitiesFor(chris.conversationId).length;
        await press(PRIYA, 'taskDone');
        expect(toChris(before).join('\n')).to.contain('ESR-00001: your ESR account has been unlocked');

        // A ticket from before languages were recorded: the organisation's default language.
        const { language: _, ...requester } = first.requester;
        const old = await t.app.tickets.create({ requester, category: 'login', kind: 'unlock', task: { teams: {}, tried: [] }, description: 'Unlock', context: {}, screenshots: [], transcript: [], userConversation: first.userConversation });
        expect(old.requester.language).to.equal(undefined);
        before = connector.activitiesFor(chris.conversationId).length;
        const result = await t.app.desk.act('taskDone', old.id, { id: PRIYA.aadObjectId, name: PRIYA.name }, 'dashboard');
        expect(result.ok).to.equal(true);
        expect(toChris(before).join('\n')).to.contain(`${old.ref}: mae eich cyfrif ESR wedi'i ddatgloi`);
      });
    });
  });

  describe('in automation mode', () => {
    it('done: tells the person it is done straight away, and no one is asked', async () => {
      const automation = new FakeAutomation({ kind: 'done' });
      await start(AUTOMATION_ENV, automation);
      const said = await askToUnlock();
      expect(said).to.contain('unlocked').and.contain("password hasn't changed");
      expect(automation.requests).to.have.length(1);
      expect(automation.requests[0]).to.deep.include({ action: 'unlock', username: '241CTEST01', organisationCode: '241' });
      expect(JSON.stringify(automation.requests[0])).not.to.match(/dateOfBirth|password/i);
      expect(channelCards()).to.have.length(0);
      const task = (await t.app.tickets.get(1))!;
      expect(task.status).to.equal('resolved');
      expect(task.task?.automation?.state).to.equal('done');
    });

    for (const answer of [{ kind: 'failed', message: 'account not found' }, { kind: 'unavailable', reason: 'HTTP 503' }] as const) {
      it(`${answer.kind}: gives the task to a person and tells them it may take longer`, async () => {
        await start(AUTOMATION_ENV, new FakeAutomation(answer));
        const said = await askToUnlock();
        expect(said).to.contain('a person will do it').and.contain('ESR-00001');
        expect(channelCards()).to.have.length(1);
        const task = (await t.app.tickets.get(1))!;
        expect(task.status).to.equal('open');
        expect(task.task?.automation?.state).to.equal(answer.kind);
      });
    }

    it('pending: says it is under way, then completeAutomation(done) tells the person', async () => {
      const automation = new FakeAutomation({ kind: 'pending' });
      await start(AUTOMATION_ENV, automation);
      expect(await askToUnlock()).to.contain("It's being done now");
      expect(channelCards()).to.have.length(0);
      const before = connector.activitiesFor(chris.conversationId).length;
      expect(await t.app.desk.completeAutomation({ id: automation.requests[0]!.id, outcome: 'done' })).to.equal(true);
      expect(toChris(before).join('\n')).to.contain('unlocked');
      expect((await t.app.tickets.get(1))!.status).to.equal('resolved');
      // A repeated callback changes nothing.
      expect(await t.app.desk.completeAutomation({ id: automation.requests[0]!.id, outcome: 'done' })).to.equal(false);
    });

    it('posts one card, not two, when a failed callback arrives before the first answer', async () => {
      const automation = new FakeAutomation({ kind: 'pending' });
      await start(AUTOMATION_ENV, automation);
      automation.before = (request) => t.app.desk.completeAutomation({ id: request.id, outcome: 'failed' });
      expect(await askToUnlock()).to.contain('a person will do it');
      expect(channelCards()).to.have.length(1);
      expect(mail.sent.filter((m) => m.to !== 'chris.test@nhs-trust.example')).to.have.length(1);
    });

    it('pending then timed out: a person gets the task and the person is told it may take longer', async () => {
      const automation = new FakeAutomation({ kind: 'pending' });
      await start(AUTOMATION_ENV, automation);
      await askToUnlock();
      const before = connector.activitiesFor(chris.conversationId).length;
      expect(await t.app.desk.automationTimedOut(automation.requests[0]!.id)).to.equal(true);
      expect(toChris(before).join('\n')).to.contain('a person will do it');
      expect(channelCards()).to.have.length(1);
      expect((await t.app.tickets.get(1))!.task?.automation?.state).to.equal('failed');
    });
  });
});
