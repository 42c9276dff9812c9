// How many statements a chat turn sends to PostgreSQL: each is a round trip, and on a busy server their cost
// is most of a turn's. A plain turn in a conversation already under way needs three when its conversation's
// lock is still parked here from its last turn (read its state and the person's in one statement, check for a
// live chat with an agent, write the turn's transcript), and as many when it takes the lock (the statement that
// lets go of the lock parked on that connection and takes the turn's also reads both states); plus a state
// write when the dialog moved.
import { expect } from 'chai';
import pg from 'pg';
import { recordStatements, type StatementRecorder } from '../support/pgStatements.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

// Work the app does on its own timers (mail queue, shared settings), not part of any turn.
const BACKGROUND = /mail_queue|content_overrides|app_secrets|queue_channels|esr_automation|schema_version/;

describe('statements per chat turn on PostgreSQL', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let t: TestApp | undefined;
  let recorder: StatementRecorder | undefined;
  let sent: string[] = [];
  let alex: ReturnType<TestApp['user']>;

  before(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
    // Parked for a minute, so what each turn sends does not depend on how quickly the test runs.
    t = await startTestApp({ env: { DATABASE_URL: database.url }, housekeeping: false, turnLockParkMs: 60_000 });
    alex = t.user(DEMO_USERS.alex); // one conversation throughout
    recorder = recordStatements((text) => !BACKGROUND.test(text));
    sent = recorder.sent;
  });
  after(async () => {
    recorder?.stop();
    await t?.stop({ keepData: false });
    await database?.drop();
  });

  /** A turn, to its very end: its transcript is written after it has answered (see the last test). */
  async function say(user: ReturnType<TestApp['user']>, text: string): Promise<void> {
    await user.say(text);
    await t!.app.background.idle();
  }

  async function statementsFor(text: string): Promise<string[]> {
    sent.length = 0;
    await say(alex, text);
    return [...sent];
  }

  it('sends three statements for a turn that answers without moving the dialog, and one more when it does', async () => {
    await statementsFor('hello'); // the welcome, once
    await statementsFor('menu'); // the conversation's state is made
    const help = await statementsFor('help');
    expect(help, help.join('\n')).to.have.length(3);
    expect(help.filter((s) => /advisory/.test(s)), "the conversation's lock is still held here from its last turn").to.have.length(0);
    expect(help.filter((s) => /FROM bot_state/.test(s)), 'one read for both states').to.have.length(1);
    expect(help.filter((s) => /bot_once_marks/.test(s)), 'the welcome mark is remembered').to.have.length(0);
    expect(help.filter((s) => /recent_transcript/.test(s)), 'the transcript in one write').to.have.length(1);

    const startsFlow = await statementsFor('how do I get the app');
    expect(startsFlow.filter((s) => /^(INSERT INTO|UPDATE) bot_state/.test(s))).to.have.length(1);
    expect(startsFlow.filter((s) => !/usage_events/.test(s)), startsFlow.join('\n')).to.have.length(4);
  });

  it('asks whether an agent holds the chat while the state is being read, so both cost one round trip', async () => {
    await statementsFor('help');
    recorder!.events.length = 0;
    await statementsFor('help');
    const at = (prefix: string, pattern: RegExp) => recorder!.events.findIndex((e) => e.startsWith(prefix) && pattern.test(e));
    const liveSent = at('sent ', /FROM tickets/);
    const stateDone = at('done ', /FROM bot_state/);
    expect(liveSent, recorder!.events.join('\n')).to.be.at.least(0);
    expect(stateDone, recorder!.events.join('\n')).to.be.above(liveSent);
  });

  it("takes another conversation's lock in one statement that also lets go of the lock parked on the connection and reads the turn's state", async () => {
    const bea = t!.user(DEMO_USERS.bea);
    await say(bea, 'hello');
    sent.length = 0;
    await say(bea, 'help');
    const locks = sent.filter((s) => /advisory/.test(s));
    expect(locks, 'parked with her own lock from her last turn').to.have.length(0);
    sent.length = 0;
    await say(alex, 'help');
    expect(sent.filter((s) => /advisory|turn_lock_and_read|bot_state/.test(s))).to.deep.equal(['SELECT got, state_key, state_value, state_etag, state_at FROM turn_lock_and_read($1, $2, $3::text[], $4)']);
    const turnStatements = sent.filter((s) => !/usage_events/.test(s)); // the usage batch goes out every 100 ms, whichever turn it falls in
    expect(turnStatements, sent.join('\n')).to.have.length(3);
  });

  it("answers before the turn's transcript is written, and the conversation's next turn waits for that write", async () => {
    await say(alex, 'help');
    // Another session holds the transcript table, so the next append waits for it.
    const blocker = new pg.Client({ connectionString: database!.url });
    await blocker.connect();
    try {
      await blocker.query('BEGIN');
      await blocker.query('LOCK TABLE recent_transcript IN EXCLUSIVE MODE');
      const replies = await alex.say('password rules');
      expect(replies.length, 'the person has the answer while the transcript write waits').to.be.above(0);
      let second = false;
      const next = alex.say('thanks').then(() => (second = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(second, "the conversation's next turn waits for the last one's transcript").to.equal(false);
      await blocker.query('COMMIT');
      await next;
      await t!.app.background.idle();
      const { rows } = await blocker.query<{ text: string }>(`SELECT entry ->> 'text' AS text FROM recent_transcript WHERE conversation_id = $1 AND entry ->> 'from' = 'user' ORDER BY id`, [alex.conversationId]);
      expect(rows.map((r) => r.text).slice(-3), 'both turns are in the transcript, in the order said').to.deep.equal(['help', 'password rules', 'thanks']);
    } finally {
      await blocker.end();
    }
  });
});
