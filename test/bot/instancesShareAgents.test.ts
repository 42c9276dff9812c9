// The agents' side of two instances of the real app on one PostgreSQL database: two agents pressing Take over
// on the same ticket card, their clicks reaching different instances at the same moment, and both instances'
// reminder timers firing in the same minute. Skipped without a PostgreSQL server (failed under CI=true).
import { expect } from 'chai';
import { ManualClock, MINUTE } from '../../core/clock.js';
import { CaptureConnector } from '../support/captureConnector.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const QUEUE = '19:queue@thread.tacv2';
const TEAM = '19:team@thread.tacv2';
const PRIYA = { id: '29:agent-priya', name: 'Priya Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000001' };
const SAM = { id: '29:agent-sam', name: 'Sam Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000002' };
type Agent = typeof PRIYA;
let activityCount = 0;

describe("two instances of the app on one PostgreSQL database, on the agents' side", function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let connector: CaptureConnector;
  let clock: ManualClock;
  let apps: TestApp[] = [];

  // A fresh database for each test, so each starts from ticket 1.
  beforeEach(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
    connector = await new CaptureConnector().start();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    // One after the other: the second finds the database migrated and the demo staff there.
    for (let i = 0; i < 2; i++) {
      apps.push(await startTestApp({ connector, clock, housekeeping: false, sleep: () => Promise.resolve(), env: { DATABASE_URL: database.url, ESR_MODE: 'guided' } }));
    }
    // The agents' channel, registered through the first instance: the second knows it from the database.
    expect(await channelPost(apps[0]!, PRIYA, 'use this channel')).to.equal(200);
  });
  afterEach(async () => {
    for (const t of apps) await t.stop({ keepData: false });
    apps = [];
    await connector?.stop();
    await database?.drop();
    database = undefined;
  });

  function channelActivity(from: Agent, fields: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'message',
      id: `agent-${++activityCount}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from,
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: QUEUE, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { channel: { id: QUEUE }, team: { id: TEAM }, tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      ...fields,
    };
  }

  async function channelPost(t: TestApp, from: Agent, text: string): Promise<number> {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(channelActivity(from, { text })) });
    await res.arrayBuffer();
    return res.status;
  }

  /** An agent presses a button on ticket 1's card, the click reaching instance `t`. */
  async function press(t: TestApp, from: Agent, verb: string): Promise<{ status: number; body: { type: string; value: unknown } }> {
    const activity = channelActivity(from, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data: { ticketId: '1' } }, trigger: 'manual' } });
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    return { status: res.status, body: (await res.json()) as { type: string; value: unknown } };
  }

  const queueCards = () => connector.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/v3/conversations') && JSON.stringify(c.body).includes(QUEUE));

  it('of two Take over clicks reaching the two instances at the same moment, exactly one wins and the other is told who has it', async () => {
    const [one, two] = apps as [TestApp, TestApp];
    const alex = one.user(DEMO_USERS.alex);
    expect((await alex.say('speak to someone')).map(replyText).join('\n')).to.contain('ESR-00001');
    const sentBefore = connector.activitiesFor(alex.conversationId).length;

    const answers = await Promise.all([press(one, PRIYA, 'takeOver'), press(two, SAM, 'takeOver')]);

    expect(answers.map((a) => a.status)).to.deep.equal([200, 200]);
    const cards = answers.filter((a) => a.body.type === 'application/vnd.microsoft.card.adaptive');
    const messages = answers.filter((a) => a.body.type === 'application/vnd.microsoft.activity.message');
    expect(cards, 'winners').to.have.length(1);
    expect(messages, 'losers').to.have.length(1);
    // Both instances read the same ticket: one holder, one takeover, one message to the person.
    const [onOne, onTwo] = await Promise.all([one.app.tickets.get(1), two.app.tickets.get(1)]);
    expect(onOne).to.deep.equal(onTwo);
    const winner = onOne!.assignee!.name;
    expect(messages[0]!.body.value).to.equal(`${winner} has already taken this ticket.`);
    expect(onOne!.events.filter((e) => e.action === 'taken_over')).to.have.length(1);
    const told = connector.activitiesFor(alex.conversationId).slice(sentBefore).map(replyText);
    expect(told).to.deep.equal([`**${winner}** from the Workforce Information team has picked up ESR-00001 and can see your messages now. Type **end chat** when you're done.`]);
  });

  it('posts a waiting task again once, not twice, when both instances remind in the same minute', async () => {
    const [one, two] = apps as [TestApp, TestApp];
    const chris = one.user(DEMO_USERS.chris);
    await chris.say('hello');
    await chris.say('my account is locked');
    await chris.submit({ action: 'choose', choice: 'locked' }, 'locked');
    expect((await one.app.tickets.get(1))!.kind).to.equal('unlock');
    const posted = queueCards().length;

    // ADMIN_TASK_REMIND_MINUTES (60) later, both instances' timers fire at once, and then again a moment later.
    clock.advance(60 * MINUTE);
    const atOnce = await Promise.all([one.app.housekeeping.remindTasks(), two.app.housekeeping.remindTasks()]);
    clock.advance(1000);
    const later = await Promise.all([two.app.housekeeping.remindTasks(), one.app.housekeeping.remindTasks()]);

    expect([...atOnce, ...later].reduce((a, b) => a + b, 0), 'reminders sent, by either instance').to.equal(1);
    expect(queueCards().length, 'cards posted to the channel').to.equal(posted + 1);
    expect((await two.app.tickets.get(1))!.events.filter((e) => e.action === 'reminded')).to.have.length(1);
  });
});
