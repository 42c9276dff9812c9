// The real app with DATABASE_URL set: it migrates a fresh database at start-up and serves a chat turn from
// the staff directory in PostgreSQL (a record that exists only there), with nothing of it in DATA_DIR.
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import pg from 'pg';
import { readMigrations } from '../../storage/postgres/migrate.js';
import { replyText } from '../support/teamsUser.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('the app on PostgreSQL (DATABASE_URL)', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  let t: TestApp | undefined;

  before(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
  });
  after(async () => {
    await t?.stop({ keepData: false });
    await database?.drop();
  });

  it('migrates the database at start-up and answers a turn from the staff directory there', async () => {
    t = await startTestApp({ env: { DATABASE_URL: database!.url, SEED_DEMO_DATA: 'false' } });
    const migrations = await readMigrations();
    expect(t.logs.some((l) => l.includes(`Applied ${migrations.length} database migration(s)`))).to.equal(true);

    const client = new pg.Client({ connectionString: database!.url });
    await client.connect();
    try {
      // Alex's Teams account, but a username that only this database knows.
      await client.query(
        `INSERT INTO staff (username, first_name, last_name, work_email, date_of_birth, staff_group, entra_object_id, upn)
         VALUES ('241RPOSTGRES01', 'Rhian', 'Postgres', 'rhian.postgres@nhs-trust.example', '1984-02-29', 'substantive', $1, 'rhian.postgres@nhs-trust.example')`,
        [DEMO_USERS.alex.aadObjectId],
      );
      const replies = await t.user(DEMO_USERS.alex).say('set up ESR from home');
      expect(replies.map(replyText).join('\n')).to.contain('241RPOSTGRES01');

      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
      expect(rows.map((r) => r.version).sort((a, b) => a - b)).to.deep.equal(migrations.map((m) => m.version));
    } finally {
      await client.end();
    }
    expect(await t.app.staff.count()).to.equal(1);
    expect(await t.app.mail.counts()).to.deep.equal({ waiting: 0, failed: 0 }); // the queue is in the database
    for (const file of ['staff.json', 'accounts.json', 'tokens.json', 'tickets.json', 'audit.jsonl', 'mail-queue.json', 'queues.json', 'unanswered.jsonl', 'esr-automation-requests.json', 'state', 'uploads']) {
      expect(await access(join(t.dataDir, file)).then(() => 'there', () => 'absent'), file).to.equal('absent');
    }
  });
});
