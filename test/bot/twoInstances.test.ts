// Two instances of the real app on one PostgreSQL database, as behind a load balancer: two turns of one
// conversation that reach the two at the same moment run one after the other (or, waiting too long, the
// person is asked to send it again), and the daily tidy-up runs on whichever instance holds its lock. The order
// shows twice: in the replies at the connector, and in the conversation state both instances share.
import { expect } from 'chai';
import pg from 'pg';
import { CaptureConnector } from '../support/captureConnector.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('two instances of the app on one PostgreSQL database', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let connector: CaptureConnector | undefined;
  const apps: TestApp[] = [];

  before(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
    connector = await new CaptureConnector().start();
    // One after the other: the second finds the database migrated and the demo staff there.
    for (let i = 0; i < 2; i++) apps.push(await startTestApp({ connector, housekeeping: false, env: { DATABASE_URL: database.url } }));
  });
  after(async () => {
    for (const t of apps) await t.stop({ keepData: false });
    await connector?.stop();
    await database?.drop();
  });

  it('runs two turns of one conversation, sent to the two instances at the same moment, one after the other', async () => {
    const [one, two] = apps as [TestApp, TestApp];
    const beaOnOne = one.user(DEMO_USERS.bea);
    const beaOnTwo = two.user({ ...DEMO_USERS.bea, conversationId: beaOnOne.conversationId });
    // The first turn's first reply is held at the connector, so that turn stays under way (holding the
    // conversation) until the test lets it go.
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    connector!.hold = (call) => (call.activityId === 'turn-1' ? held : undefined);
    try {
      const firstReplying = connector!.waitFor((call) => call.activityId === 'turn-1');
      // The first asks which kind of phone; the second answers that, so it can only be understood after the first.
      const first = beaOnOne.post({ id: 'turn-1', text: 'My ESR app' });
      await firstReplying;
      const second = beaOnTwo.post({ id: 'turn-2', text: 'Samsung' });
      // The other instance finds the conversation busy and waits for it, sending nothing meanwhile.
      const overtook = connector!.waitFor((call) => call.activityId === 'turn-2', 10_000).then(() => {
        throw new Error('the second turn replied while the first was still under way');
      });
      await Promise.race([two.waitForLog("Waiting for this conversation's previous turn to finish on another instance", 10_000), overtook]);
      overtook.catch(() => undefined);
      expect(connector!.activitiesFor(beaOnOne.conversationId).filter((c) => c.activityId === 'turn-2')).to.have.length(0);
      letGo();
      expect(await Promise.all([first, second])).to.deep.equal([200, 200]);
    } finally {
      connector!.hold = undefined;
      letGo();
    }

    const replies = connector!.activitiesFor(beaOnOne.conversationId);
    const order = replies.map((c) => c.activityId);
    expect(order.lastIndexOf('turn-1'), 'every reply of the first turn came before any of the second').to.be.lessThan(order.indexOf('turn-2'));
    const said = (turn: string) => replies.filter((c) => c.activityId === turn).map(replyText).join('\n');
    expect(said('turn-1')).to.contain("I'm the ESR Helpdesk").and.contain('Which kind of phone');
    // The second turn saw the state the first one saved: the phone question answered, and no second welcome.
    expect(said('turn-2'), 'the phone question answered on the other instance').to.contain('Google Play').and.contain('241BSAMPLE01');
    expect(said('turn-2')).not.to.contain("I'm the ESR Helpdesk");
    for (const t of [one, two]) {
      const logs = t.logs.join('\n');
      expect(logs).not.to.contain('Unhandled error in a turn');
      expect(logs).not.to.contain('lost a state race');
      expect(logs).not.to.contain('and was dropped');
    }
  });

  it('tells the person to send it again when a turn waits too long for the other instance, and logs why', async () => {
    const [one] = apps as [TestApp, TestApp];
    // A third instance that gives up sooner than the default 20 s.
    const impatient = await startTestApp({ connector, housekeeping: false, turnLockWaitMs: 300, env: { DATABASE_URL: database!.url } });
    apps.push(impatient);
    const alexOnOne = one.user(DEMO_USERS.alex);
    const alexElsewhere = impatient.user({ ...DEMO_USERS.alex, conversationId: alexOnOne.conversationId });
    let letGo!: () => void;
    const held = new Promise<void>((resolve) => (letGo = resolve));
    connector!.hold = (call) => (call.activityId === 'slow-turn' ? held : undefined);
    try {
      const firstReplying = connector!.waitFor((call) => call.activityId === 'slow-turn');
      const slow = alexOnOne.post({ id: 'slow-turn', text: 'hello' });
      await firstReplying;
      const replies = await alexElsewhere.say('password rules');
      expect(replies.map(replyText)).to.deep.equal(['I was still working on your last message. Please wait a moment, then send that again.']);
      const line = await impatient.waitForLog('and was dropped');
      expect(line).to.contain("for this conversation's previous turn (on another instance)");
      expect(line).to.contain(alexOnOne.conversationId);
      letGo();
      expect(await slow).to.equal(200);
    } finally {
      connector!.hold = undefined;
      letGo();
    }
  });

  it("skips the daily tidy-up on an instance while another holds its lock, and runs it once that is released", async () => {
    const [one] = apps as [TestApp, TestApp];
    // Another instance in the middle of its tidy-up: its session holds the job's advisory lock.
    const other = new pg.Client({ connectionString: database!.url });
    await other.connect();
    try {
      await other.query("SELECT pg_advisory_lock(hashtextextended('job:housekeeping', 0))");
      expect(await one.app.housekeeping.runOnce()).to.equal(undefined);
      expect(await one.waitForLog('Skipped this round: another instance is running it')).to.contain('"job":"housekeeping"');
      await other.query("SELECT pg_advisory_unlock(hashtextextended('job:housekeeping', 0))");
      expect(await one.app.housekeeping.runOnce()).to.include({ tickets: 0 });
    } finally {
      await other.end();
    }
  });
});
