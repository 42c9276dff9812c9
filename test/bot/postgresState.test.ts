// The real app with DATABASE_URL set keeps conversation state and the welcome marks in PostgreSQL: a flow begun
// on one instance continues on another instance on the same database, or after a restart with a new DATA_DIR,
// and a person is welcomed once whichever instance they reach. Each test has its own fresh database.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import type { CapturedCall } from '../support/captureConnector.js';
import { replyText } from '../support/teamsUser.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const all = (replies: CapturedCall[]) => replies.map(replyText).join('\n');
const WELCOME = "I'm the ESR Helpdesk";

describe('conversation state on PostgreSQL, shared by instances', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let apps: TestApp[] = [];

  beforeEach(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
  });
  afterEach(async () => {
    for (const t of apps) await t.stop({ keepData: false });
    apps = [];
    await database?.drop();
  });

  /** Another instance of the bot: the same database, its own DATA_DIR. */
  const instance = async () => {
    const t = await startTestApp({ env: { DATABASE_URL: database!.url } });
    apps.push(t);
    return t;
  };

  async function rows(sql: string): Promise<string[]> {
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      return (await client.query<{ key: string }>(sql)).rows.map((r) => r.key);
    } finally {
      await client.end();
    }
  }

  it('continues a flow begun on one instance when the next message reaches another, and welcomes the person once', async () => {
    const a = await instance();
    const b = await instance();
    const onA = a.user(DEMO_USERS.bea);
    const first = all(await onA.say('My ESR app'));
    expect(first).to.contain(WELCOME).and.contain('Which kind of phone');

    const onB = b.user({ ...DEMO_USERS.bea, conversationId: onA.conversationId });
    const second = all(await onB.say('Apple'));
    expect(second, 'the phone question answered on the other instance').to.contain('App Store').and.contain('241BSAMPLE01');
    expect(second).not.to.contain(WELCOME);

    // The same word where no flow waits for it shows the steps nowhere: it was the shared state that did. ("Apple"
    // alone means nothing to the bot, whereas "Samsung" alone is read as a question about the app.)
    const elsewhere = all(await b.user(DEMO_USERS.bea).say('Apple'));
    expect(elsewhere).not.to.contain('App Store');
    expect(await rows('SELECT key FROM bot_state ORDER BY key')).to.include(`msteams/conversations/${onA.conversationId}`);
    expect(await rows('SELECT key FROM bot_once_marks')).to.have.length(1);
  });

  it('keeps a flow half-way through across a restart with a new DATA_DIR, and keeps no state in DATA_DIR', async () => {
    const before = await instance();
    const bea = before.user(DEMO_USERS.bea);
    expect(all(await bea.say('My ESR app'))).to.contain('Which kind of phone');
    expect(await access(join(before.dataDir, 'state')).then(() => 'there', () => 'absent'), 'DATA_DIR/state').to.equal('absent');
    await before.stop({ keepData: false });
    apps = apps.filter((t) => t !== before);

    const after = await instance();
    const steps = all(await after.user({ ...DEMO_USERS.bea, conversationId: bea.conversationId }).say('Samsung'));
    expect(steps).to.contain('Google Play').and.contain('241BSAMPLE01').and.not.contain(WELCOME);
  });
});
