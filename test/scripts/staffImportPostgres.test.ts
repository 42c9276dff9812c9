// The real `staff:import` CLI, run as a child process with DATABASE_URL set, against a fresh PostgreSQL
// database made for this run (skipped with a message where no server answers, failed under CI=true). The
// records are read back through PgStaffDirectory, as the bot reads them.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type pg from 'pg';
import { PgAuditLog } from '../../storage/postgres/pgAuditLog.js';
import { PgStaffDirectory } from '../../storage/postgres/pgStaffDirectory.js';
import { createPool } from '../../storage/postgres/pool.js';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HEADER = 'username,first_name,last_name,work_email,date_of_birth,staff_group,entra_object_id,upn';
const row = (user: string, last = 'Example', group = 'bank') => `241${user}01,Alex,${last},${user.toLowerCase()}@nhs-trust.example,1985-03-14,${group},,`;

describe('scripts/staff-import.ts with DATABASE_URL (PostgreSQL)', function () {
  this.timeout(60_000);
  let tmp: string;
  let url: string;
  let drop: (() => Promise<void>) | undefined;
  let pool: pg.Pool | undefined;
  let directory: PgStaffDirectory;

  before(async function () {
    this.timeout(30_000);
    let created: Awaited<ReturnType<typeof createTestDatabase>>;
    try {
      created = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
    url = created.url;
    drop = () => created.drop();
    // Not migrated here: the script applies the migrations itself.
    pool = createPool(url, { max: 2, applicationName: 'esr-helpdesk-tests' });
    directory = new PgStaffDirectory(pool);
    tmp = await mkdtemp(join(tmpdir(), 'staff-import-pg-'));
  });
  after(async function () {
    this.timeout(30_000);
    await pool?.end();
    await drop?.();
    if (tmp) await rm(tmp, { recursive: true, force: true });
  });

  function runImport(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff-import.ts', ...args], {
        cwd: ROOT,
        env: { ...process.env, ESR_ORG_CODE: '241', DATA_DIR: join(tmp, 'data'), DATABASE_URL: url },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }
  async function writeCsv(name: string, ...rows: string[]): Promise<string> {
    const file = join(tmp, name);
    await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
    return file;
  }
  const usernames = async () => (await pool!.query<{ username: string }>('SELECT username FROM staff ORDER BY username')).rows.map((r) => r.username);

  it('migrates the database and imports the file into it, read back through PgStaffDirectory; no staff.json is written', async () => {
    const users = Array.from({ length: 12 }, (_, i) => `U${String.fromCharCode(65 + i)}`);
    const file = await writeCsv('staff.csv', ...users.map((u) => row(u)), '241BAD01,B,Bad,not-an-email,1985-03-14,bank,,');
    const run = await runImport([file]);
    expect(run.stderr).to.equal('');
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('into PostgreSQL at postgres://').and.match(/rows read: 13\n {2}added: +12\n {2}updated: +0\n {2}unchanged: 0\n {2}rejected: +1/);
    expect(await directory.count()).to.equal(12);
    expect(await directory.getByUsername('241uA01')).to.deep.equal({
      username: '241UA01',
      firstName: 'Alex',
      lastName: 'Example',
      workEmail: 'ua@nhs-trust.example',
      dateOfBirth: '1985-03-14',
      staffGroup: 'bank',
    });
    expect((await directory.findByEmail('UB@nhs-trust.example')).map((r) => r.username)).to.deep.equal(['241UB01']);
    const audit = await new PgAuditLog(pool!).list({ action: 'staff.imported' });
    expect(audit.map((e) => e.detail)).to.deep.equal([{ rows: 13, added: 12, updated: 0, unchanged: 0, rejected: 1 }]);
    expect(await stat(join(tmp, 'data', 'staff.json')).then(() => true, () => false)).to.equal(false);
  });

  it('keeps staff missing from the file without --remove-missing, and changes nothing in a dry run', async () => {
    const file = await writeCsv('fewer.csv', row('UA', 'Married-Name'), row('UB'), row('NEW'));
    const dry = await runImport([file, '--dry-run', '--remove-missing']);
    expect(dry.code).to.equal(0);
    expect(dry.stdout).to.match(/^Dry run: .*Nothing was written/).and.match(/added: +1 \(would be\)\n {2}updated: +1 \(would be\)\n {2}unchanged: 1\n/);
    expect(dry.stdout).to.contain('removed:   10 (would be)').and.contain('a real run would refuse without --force');
    expect(await usernames()).to.have.length(12);
    expect((await directory.getByUsername('241UA01'))?.lastName).to.equal('Example');

    const kept = await runImport([file]);
    expect(kept.code).to.equal(0);
    expect(kept.stdout).to.match(/added: +1\n {2}updated: +1\n {2}unchanged: 1\n/).and.not.contain('removed:');
    expect(await usernames()).to.have.length(13);
    expect((await directory.getByUsername('241UA01'))?.lastName).to.equal('Married-Name');
  });

  it('removes the staff missing from the file with --remove-missing, refusing more than 10% without --force, in one transaction', async () => {
    await pool!.query(`INSERT INTO accounts (username, state) VALUES ('241UC01', '{}')`);
    // UD's row is rejected (bad email) but still in the file: it must not be removed.
    const all = (await usernames()).map((u) => u.slice(3, -2));
    const file = await writeCsv('leavers.csv', ...all.filter((u) => u !== 'UC' && u !== 'UE' && u !== 'UD').map((u) => row(u)), '241UD01,B,Bad,not-an-email,1985-03-14,bank,,');
    const refused = await runImport([file, '--remove-missing']);
    expect(refused.code).to.equal(2);
    expect(refused.stderr).to.contain('--remove-missing would remove 2 of the 13 staff in the directory, more than 10%').and.contain('Nothing was changed.');
    expect(await usernames()).to.have.length(13);

    const forced = await runImport([file, '--remove-missing', '--force']);
    expect(forced.code).to.equal(1);
    expect(forced.stdout).to.contain('removed:   2').and.contain('(1 with a password, 0 reset link(s) deleted with them)');
    expect(forced.stdout).to.contain('  241UC01\n  241UE01\n');
    const left = await usernames();
    expect(left).to.have.length(11).and.include('241UD01');
    expect(left).to.not.include('241UC01').and.not.include('241UE01');
    expect(await directory.getByUsername('241UC01')).to.equal(undefined);
    expect((await pool!.query('SELECT count(*)::int AS n FROM accounts')).rows[0]).to.deep.equal({ n: 0 });
    const removed = await new PgAuditLog(pool!).list({ action: 'staff.removed' });
    expect(removed.map((e) => e.username).sort()).to.deep.equal(['241UC01', '241UE01']);
  });

  it('stops with exit 2 and a plain message when the database cannot be reached', async () => {
    const file = await writeCsv('one.csv', row('UA'));
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff-import.ts', file], {
        cwd: ROOT,
        env: { ...process.env, ESR_ORG_CODE: '241', DATA_DIR: join(tmp, 'data'), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' },
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
    expect(run.code).to.equal(2);
    expect(run.stderr).to.match(/^Cannot import: the database \(DATABASE_URL, PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/nowhere\) cannot be used/);
  });
});
