// Two instances of the real app on one PostgreSQL database, with nothing on a shared disk: the key that signs
// screenshot links and the Trust's content overrides live in the database, so a link signed by one instance
// opens on the other, and a phrasing added on one instance's dashboard is understood by the other.
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { ManualClock } from '../../core/clock.js';
import { createTicket } from '../support/dashboardFixtures.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

/** Short, so a change on one instance reaches the other quickly; the tests wait for it with a deadline. */
const SYNC_MS = 50;

describe('two instances of the app on one PostgreSQL database share the signing key and the content overrides', function () {
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
    clock = new ManualClock('2026-01-07T10:00:00Z');
    // The dashboard in its development sign-in (as test/understanding/unanswered.test.ts does).
    const env = { DATABASE_URL: database!.url, DASHBOARD_DEV_LOGIN: 'true' };
    one = await startTestApp({ clock, housekeeping: false, env, contentSyncMs: SYNC_MS });
    two = await startTestApp({ clock, housekeeping: false, env, contentSyncMs: SYNC_MS, connector: one.connector });
  });
  afterEach(async () => {
    await two?.stop({ keepData: false });
    await one?.stop({ keepData: false });
    await withDatabase((client) => client.query('TRUNCATE app_secrets, content_overrides'));
  });
  after(() => database?.drop());

  async function withDatabase<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.end();
    }
  }

  const api = async (app: TestApp, path: string, body?: unknown) => {
    const res = await fetch(`${app.url}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };

  it('opens a screenshot link signed by one instance on the other, keeps the key out of DATA_DIR, and never logs it', async () => {
    const ticket = await createTicket(one!, { screenshot: true });
    const detail = await api(one!, `/api/dashboard/tickets/${ticket.id}`);
    expect(detail.status, JSON.stringify(detail.json)).to.equal(200);
    const [{ url }] = (detail.json.ticket as { screenshots: Array<{ url: string }> }).screenshots as [{ url: string }];
    expect(url).to.match(/\?exp=\d+&sig=[\w-]+$/);

    const onTwo = await fetch(`${two!.url}${url}`);
    expect(onTwo.status, 'the link, opened on the other instance').to.equal(200);
    expect(onTwo.headers.get('content-type')).to.equal('image/png');
    expect((await fetch(`${two!.url}${url.replace(/sig=[\w-]+/, 'sig=forged')}`)).status, 'a forged signature, on the other instance').to.equal(403);

    const keys = await withDatabase((client) => client.query<{ name: string; value: Buffer }>('SELECT name, value FROM app_secrets'));
    expect(keys.rows.map((r) => r.name)).to.deep.equal(['signing']);
    const key = keys.rows[0]!.value;
    expect(key).to.have.length(32);
    for (const [name, app] of [['one', one!], ['two', two!]] as const) {
      const logs = app.logs.join('');
      expect(logs.length, `instance ${name} logged its start-up`).to.be.greaterThan(0);
      for (const encoding of ['base64', 'base64url', 'hex'] as const) expect(logs, `instance ${name}'s logs, key as ${encoding}`).to.not.contain(key.toString(encoding));
      await access(join(app.dataDir, 'signing.key')).then(
        () => expect.fail(`instance ${name} wrote signing.key into its DATA_DIR`),
        (error: NodeJS.ErrnoException) => expect(error.code).to.equal('ENOENT'),
      );
    }
  });

  it('understands, on the other instance, a phrasing an agent added on one instance\'s dashboard', async () => {
    const onTwo = two!.user(DEMO_USERS.bea);
    await onTwo.say('hello'); // the first message is answered with the welcome
    expect(JSON.stringify(await onTwo.say('is there a parking permit')), 'before the phrasing is added').to.include("didn't understand");

    // The unanswered log is shared too: the first instance's dashboard lists what the second missed.
    const rows = (await api(one!, '/api/dashboard/unanswered')).json.rows as Array<{ key: string; text: string }>;
    expect(rows.map((r) => r.text)).to.deep.equal(['is there a parking permit']);
    const added = await api(one!, '/api/dashboard/unanswered', { key: rows[0]!.key, target: 'faq:contact' });
    expect(added.status, JSON.stringify(added.json)).to.equal(200);

    // The second instance copies it from the database into its own DATA_DIR/content, and its watcher reloads.
    await two!.waitForLog('Reloaded the phrases for understanding free text', 10_000);
    const copied = JSON.parse(await readFile(join(two!.dataDir, 'content', 'faq.en-GB.json'), 'utf8')) as { entries: Array<{ id: string; phrases: string[] }> };
    expect(copied.entries.find((e) => e.id === 'contact')!.phrases).to.include('is there a parking permit');
    expect(JSON.stringify(await onTwo.say('is there a parking permit'))).to.include('Who to contact');
  });

  it('keeps understanding with the previous overrides when a bad one reaches the database', async () => {
    const onTwo = two!.user(DEMO_USERS.bea);
    await onTwo.say('hello');
    await withDatabase((client) => client.query("INSERT INTO content_overrides (name, body) VALUES ('en-GB.json', '{\"intents\": {\"forgotPassword\": 5}}')"));
    const failed = await two!.waitForLog('The content overrides changed but could not be loaded', 10_000);
    expect(failed).to.contain('en-GB.json');
    expect(JSON.stringify(await onTwo.say('password rules')), 'still answered from the previous content').to.include('ESR password rules');
  });
});
