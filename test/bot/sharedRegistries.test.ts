// Two instances of the real app on one PostgreSQL database, as behind a load balancer: what one learns about
// a visitor or a conversation, the other knows. (The stores' own promises are in test/contracts/.)
import { randomBytes } from 'node:crypto';
import { expect } from 'chai';
import { ManualClock, MINUTE } from '../../core/clock.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('two instances of the app on one PostgreSQL database', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let clock: ManualClock;
  let one: TestApp | undefined;
  let two: TestApp | undefined;

  before(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
  });
  beforeEach(async () => {
    clock = new ManualClock('2026-01-05T10:00:00Z');
    const env = { DATABASE_URL: database!.url };
    // One after the other, as the second finds the schema already migrated.
    one = await startTestApp({ clock, housekeeping: false, env });
    two = await startTestApp({ clock, housekeeping: false, env, connector: one.connector });
  });
  afterEach(async () => {
    await two?.stop({ keepData: false });
    await one?.stop({ keepData: false });
  });
  after(() => database?.drop());

  it('holds the reset page\'s guessing limit across both: guesses on one count on the other', async () => {
    const guess = (app: TestApp) => fetch(`${app.url}/reset?token=${randomBytes(32).toString('base64url')}`).then((res) => res.status);
    expect(await guess(two!), 'the second instance before any guessing').to.equal(400);
    for (let i = 0; i < 9; i++) expect(await guess(one!), `guess ${i + 2}`).to.equal(400);
    expect(await guess(one!)).to.equal(429);
    expect(await guess(two!), 'the second instance, after ten guesses in all').to.equal(429);
    clock.advance(15 * MINUTE);
    expect(await guess(two!)).to.equal(400);
  });

  it('gives a ticket raised on one the conversation so far, said on the other, and never a password typed there', async () => {
    const onOne = one!.user(DEMO_USERS.alex);
    await onOne.say('password rules');
    await onOne.say('Winter!2026secure');
    // The same conversation's next turn reaches the other instance.
    await two!.user({ ...DEMO_USERS.alex, conversationId: onOne.conversationId }).say('speak to someone');
    const [ticket] = await two!.app.tickets.list({});
    const said = ticket!.transcript.filter((e) => e.from === 'user').map((e) => e.text);
    expect(said).to.include('password rules').and.to.include('speak to someone');
    expect(JSON.stringify(ticket!.transcript)).to.not.contain('Winter!2026');
    expect(ticket!.transcript.some((e) => e.from === 'bot' && e.text.startsWith('ESR password rules')), 'the first instance\'s reply too').to.equal(true);
  });
});
