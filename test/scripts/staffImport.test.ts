// The real `staff:import` CLI, run as a child process against temporary data folders.
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import type { AuditEvent } from '../../esr/ports.js';
import type { StaffRecord } from '../../esr/types.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HEADER = 'username,first_name,last_name,work_email,date_of_birth,staff_group,entra_object_id,upn';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the CLI with a clean environment: DATA_DIR points into the temp folder, never at ./data. */
function runImport(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/staff-import.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, ESR_ORG_CODE: '241', DATA_DIR: join(tmp, 'data-from-env'), DATABASE_URL: '', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr, ms: performance.now() - started }));
  });
}

let tmp: string;

async function writeCsv(name: string, ...rows: string[]): Promise<string> {
  const file = join(tmp, name);
  await writeFile(file, `${[HEADER, ...rows].join('\n')}\n`);
  return file;
}

async function staffIn(dataDir: string): Promise<StaffRecord[]> {
  return (JSON.parse(await readFile(join(dataDir, 'staff.json'), 'utf8')) as { records: StaffRecord[] }).records;
}

async function auditIn(dataDir: string): Promise<AuditEvent[]> {
  const text = await readFile(join(dataDir, 'audit.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

const row = (user: string, last = 'Example', group = 'bank') => `241${user}01,Alex,${last},${user.toLowerCase()}@nhs-trust.example,1985-03-14,${group},,`;

describe('npm run staff:import', function () {
  this.timeout(60_000);

  beforeEach(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'staff-import-'));
  });
  afterEach(async () => {
    await rm(tmp, { recursive: true, force: true });
  });

  it('imports a good file, says what it did, exits 0 and records counts in the audit log', async () => {
    const dataDir = join(tmp, 'data');
    const run = await runImport([join(ROOT, 'test/fixtures/staff-example.csv'), '--data-dir', dataDir]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/^Imported staff-example\.csv into .*staff\.json in \d+\.\d\d s\./);
    expect(run.stdout).to.match(/rows read: 6\n {2}added: +6\n {2}updated: +0\n {2}unchanged: 0\n {2}rejected: +0/);
    expect(await staffIn(dataDir)).to.have.length(6);
    const events = await auditIn(dataDir);
    expect(events).to.have.length(1);
    expect(events[0]).to.deep.include({ action: 'staff.imported', channel: 'import', actor: { kind: 'admin' }, outcome: 'success' });
    expect(events[0]?.detail).to.deep.equal({ rows: 6, added: 6, updated: 0, unchanged: 0, rejected: 0 });
  });

  it('writes to DATA_DIR when no --data-dir is given', async () => {
    const file = await writeCsv('staff.csv', row('AONE'));
    const run = await runImport([file]);
    expect(run.code, run.stderr).to.equal(0);
    expect(await staffIn(join(tmp, 'data-from-env'))).to.have.length(1);
  });

  it('imports the good rows, lists each bad row by line, and exits 1 when some rows are rejected', async () => {
    const dataDir = join(tmp, 'data');
    const file = await writeCsv('staff.csv', row('AONE'), '241BTWO01,B,Two,not-an-email,1985-03-14,bank,,', row('CTHREE'), row('AONE', 'Again'));
    const run = await runImport([file, '--data-dir', dataDir]);
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('added:     2').and.contain('rejected:  2');
    expect(run.stdout).to.contain('  line 3: work_email "not-an-email" should be an email address, like first.last@nhs.net\n');
    expect(run.stdout).to.contain('  line 5: username 241AONE01 is repeated; it was first on line 2\n');
    expect((await staffIn(dataDir)).map((r) => r.username)).to.deep.equal(['241AONE01', '241CTHREE01']);
    expect((await auditIn(dataDir))[0]?.detail).to.include({ added: 2, rejected: 2 });
  });

  it('lists at most 200 bad rows, then says how many more there are', async () => {
    const bad = Array.from({ length: 250 }, (_, i) => `241BAD${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}01,B,Bad,b@nhs-trust.example,1985-03-14,nurse,,`);
    const run = await runImport([await writeCsv('staff.csv', ...bad), '--data-dir', join(tmp, 'data')]);
    expect(run.code).to.equal(1);
    const listed = run.stdout.split('\n').filter((line) => /^ {2}line \d+: /.test(line));
    expect(listed).to.have.length(200);
    expect(listed.at(-1)).to.match(/^ {2}line 201: /);
    expect(run.stdout).to.contain('  ... and 50 more (run again with --rejects FILE to get them all in a file)');
  });

  it('updates changed rows, adds new ones and reports unchanged ones when a file is imported again', async () => {
    const dataDir = join(tmp, 'data');
    expect((await runImport([await writeCsv('first.csv', row('AONE'), row('BTWO'), row('CTHREE')), '--data-dir', dataDir])).code).to.equal(0);
    const run = await runImport([await writeCsv('second.csv', row('AONE'), row('BTWO', 'Married-Name'), row('CTHREE', 'Example', 'ifm'), row('DFOUR')), '--data-dir', dataDir]);
    expect(run.code, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/added: +1\n {2}updated: +2\n {2}unchanged: 1\n/);
    const staff = await staffIn(dataDir);
    expect(staff).to.have.length(4);
    expect(staff.find((r) => r.username === '241BTWO01')?.lastName).to.equal('Married-Name');
    expect(staff.find((r) => r.username === '241CTHREE01')?.staffGroup).to.equal('ifm');
    expect((await auditIn(dataDir)).map((e) => e.detail)).to.deep.equal([
      { rows: 3, added: 3, updated: 0, unchanged: 0, rejected: 0 },
      { rows: 4, added: 1, updated: 2, unchanged: 1, rejected: 0 },
    ]);
  });

  it('checks usernames against ESR_ORG_CODE', async () => {
    const file = await writeCsv('staff.csv', row('AONE'), '242BTWO01,B,Two,b.two@nhs-trust.example,1985-03-14,bank,,');
    const run = await runImport([file, '--data-dir', join(tmp, 'data')], { ESR_ORG_CODE: '242' });
    expect(run.code).to.equal(1);
    expect(run.stdout).to.contain('line 2: username 241AONE01 should start with the organisation code 242');
  });

  describe('a dry run', () => {
    it('writes nothing at all into an empty data folder, and says what would be added', async () => {
      const dataDir = join(tmp, 'data');
      const run = await runImport([await writeCsv('staff.csv', row('AONE'), row('BTWO')), '--dry-run', '--data-dir', dataDir]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.match(/^Dry run: .* Nothing was written to the staff directory\./).and.contain('added:     2 (would be)');
      expect(await exists(dataDir)).to.be.false;
    });

    it('leaves an existing directory and audit log as they were, and reports what would change', async () => {
      const dataDir = join(tmp, 'data');
      await runImport([await writeCsv('first.csv', row('AONE'), row('BTWO')), '--data-dir', dataDir]);
      const before = { staff: await readFile(join(dataDir, 'staff.json')), audit: await readFile(join(dataDir, 'audit.jsonl')) };
      const run = await runImport([await writeCsv('second.csv', row('AONE'), row('BTWO', 'Changed'), row('CTHREE'), 'bad'), '--dry-run', '--data-dir', dataDir]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.match(/added: +1 \(would be\)\n {2}updated: +1 \(would be\)\n {2}unchanged: 1\n {2}rejected: +1/);
      expect(await readFile(join(dataDir, 'staff.json'))).to.deep.equal(before.staff);
      expect(await readFile(join(dataDir, 'audit.jsonl'))).to.deep.equal(before.audit);
      expect(await readdir(dataDir)).to.have.members(['staff.json', 'audit.jsonl']);
    });
  });

  describe('a real ESR report saved from Excel', () => {
    const ESR_HEADER = '\uFEFFUser Name;First Name;Last Name;Date of Birth;Work Email Address;Staff Group;Employee Number;Department';
    const esrRow = (user: string, dept = 'Ward 7') => `241${user}01;Alex;"Example; Jnr";14/03/1985;${user.toLowerCase()}@nhs-trust.example;Substantive;1234567;${dept}`;

    it('refuses a semicolon file with an extra column, naming it and suggesting --ignore-extra-columns', async () => {
      const file = join(tmp, 'esr.csv');
      await writeFile(file, `${[ESR_HEADER, esrRow('AONE')].join('\r\n')}\r\n`);
      const run = await runImport([file, '--data-dir', join(tmp, 'data')]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('has unknown column Department').and.contain('add --ignore-extra-columns to skip them');
      expect(await exists(join(tmp, 'data'))).to.be.false;
    });

    it('imports a semicolon file with ESR-style headers and extra columns under --ignore-extra-columns', async () => {
      const dataDir = join(tmp, 'data');
      const file = join(tmp, 'esr.csv');
      await writeFile(file, `${[ESR_HEADER, esrRow('AONE'), esrRow('BTWO', '"Theatres; Recovery"')].join('\r\n')}\r\n`);
      const run = await runImport([file, '--ignore-extra-columns', '--data-dir', dataDir]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('added:     2').and.contain('ignored columns: Department');
      const staff = await staffIn(dataDir);
      expect(staff.map((r) => [r.username, r.lastName, r.dateOfBirth, r.employeeNumber])).to.deep.equal([
        ['241AONE01', 'Example; Jnr', '1985-03-14', '1234567'],
        ['241BTWO01', 'Example; Jnr', '1985-03-14', '1234567'],
      ]);
    });

    it('imports a tab-delimited file', async () => {
      const dataDir = join(tmp, 'data');
      const file = join(tmp, 'staff.txt');
      await writeFile(file, `${HEADER.replaceAll(',', '\t')}\n241AONE01\tA\t"One, Jnr"\ta.one@nhs-trust.example\t1985-03-14\tbank\t\t\n`);
      const run = await runImport([file, '--data-dir', dataDir]);
      expect(run.code, run.stderr + run.stdout).to.equal(0);
      expect((await staffIn(dataDir)).map((r) => r.lastName)).to.deep.equal(['One, Jnr']);
    });
  });

  describe('--rejects', () => {
    it('writes every rejected problem with its line, column and the bad value, masking dates of birth', async () => {
      const rejects = join(tmp, 'rejects.csv');
      const file = await writeCsv('staff.csv', row('AONE'), '241BTWO01,B,Two,not-an-email,31/02/1985,bank,,', '241CTHREE01,C,Three,c@nhs-trust.example,=1+1,nurse,,');
      const run = await runImport([file, '--rejects', rejects, '--data-dir', join(tmp, 'data')]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain(`(also listed in ${rejects})`);
      const text = await readFile(rejects, 'utf8');
      expect(text.split('\r\n')).to.deep.equal([
        '\uFEFFline,column,reason',
        '3,work_email,"work_email ""not-an-email"" should be an email address, like first.last@nhs.net"',
        '3,date_of_birth,date_of_birth **/**/1985 is not a real date (dd/mm/yyyy is read day first)',
        '4,date_of_birth,"date_of_birth (value not shown) should be a date as yyyy-mm-dd or dd/mm/yyyy, like 1985-03-14 or 14/03/1985"',
        '4,staff_group,"staff_group ""nurse"" should be one of substantive, bank, ifm, lead_employer_doctor"',
        '',
      ]);
      expect(text + run.stdout).not.to.contain('31/02');
      expect((await stat(rejects)).mode & 0o777).to.equal(0o600);
    });

    it('keeps the console to 200 rejected rows and says the file has them all', async () => {
      const rejects = join(tmp, 'rejects.csv');
      const bad = Array.from({ length: 250 }, (_, i) => `241BAD${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}01,B,Bad,b@nhs-trust.example,1985-03-14,nurse,,`);
      const run = await runImport([await writeCsv('staff.csv', ...bad), '--rejects', rejects, '--data-dir', join(tmp, 'data')]);
      expect(run.stdout.split('\n').filter((line) => /^ {2}line \d+: /.test(line))).to.have.length(200);
      expect(run.stdout).to.contain(`  ... and 50 more (all 250 are listed in ${rejects})`);
      const listed = (await readFile(rejects, 'utf8')).trim().split('\r\n').slice(1);
      expect(listed).to.have.length(250);
      expect(listed.at(-1)).to.match(/^251,staff_group,/);
    });
  });

  describe('--remove-missing', () => {
    let dataDir: string;
    const twenty = Array.from({ length: 20 }, (_, i) => row(`S${String.fromCharCode(65 + i)}X`));
    const usernameOf = (r: string) => r.split(',')[0]!;

    // Twenty staff, one of whom (241SAX01) has a password and a reset link.
    beforeEach(async () => {
      dataDir = join(tmp, 'data');
      expect((await runImport([await writeCsv('all.csv', ...twenty), '--data-dir', dataDir])).code).to.equal(0);
      const account = { username: '241SAX01', status: 'approved', passwordHash: '$argon2id$x', previousHashes: [], locked: false, failedAttempts: 0 };
      const other = { ...account, username: '241SBX01' };
      await writeFile(join(dataDir, 'accounts.json'), JSON.stringify({ version: 1, accounts: { '241SAX01': account, '241SBX01': other } }));
      const token = (username: string) => ({ hash: `h-${username}`, username, purpose: 'reset', createdAt: '2026-01-01T00:00:00.000Z', expiresAt: '2099-01-01T00:00:00.000Z' });
      await writeFile(join(dataDir, 'tokens.json'), JSON.stringify({ version: 1, tokens: [token('241SAX01'), token('241SBX01')] }));
    });

    it('removes staff not in the file with their account and reset links, and audits each removal', async () => {
      // 241SAX01 is gone; 241SBX01 is still in the file, though its row is rejected.
      const file = await writeCsv('leavers.csv', ...twenty.slice(2), '241SBX01,B,Two,not-an-email,1985-03-14,bank,,');
      const run = await runImport([file, '--remove-missing', '--data-dir', dataDir]);
      expect(run.code).to.equal(1);
      expect(run.stdout).to.contain('removed:   1').and.contain('Removed staff not in the file (1 with a password, 1 reset link(s) deleted with them):\n  241SAX01\n');
      expect((await staffIn(dataDir)).map((r) => r.username)).to.have.length(19).and.not.include('241SAX01');
      const accounts = JSON.parse(await readFile(join(dataDir, 'accounts.json'), 'utf8')) as { accounts: Record<string, unknown> };
      expect(Object.keys(accounts.accounts)).to.deep.equal(['241SBX01']);
      const tokens = JSON.parse(await readFile(join(dataDir, 'tokens.json'), 'utf8')) as { tokens: Array<{ username: string }> };
      expect(tokens.tokens.map((t) => t.username)).to.deep.equal(['241SBX01']);
      const events = await auditIn(dataDir);
      expect(events.at(-2)?.detail).to.include({ removed: 1, rejected: 1 });
      expect(events.at(-1)).to.deep.include({ action: 'staff.removed', username: '241SAX01', channel: 'import', outcome: 'success' });
    });

    it('refuses to remove more than 10% of the directory without --force, changing nothing', async () => {
      const before = await readFile(join(dataDir, 'staff.json'));
      const run = await runImport([await writeCsv('partial.csv', ...twenty.slice(3)), '--remove-missing', '--data-dir', dataDir]);
      expect(run.code).to.equal(2);
      expect(run.stderr).to.contain('--remove-missing would remove 3 of the 20 staff in the directory, more than 10%').and.contain('add --force');
      expect(await readFile(join(dataDir, 'staff.json'))).to.deep.equal(before);
      expect(await auditIn(dataDir)).to.have.length(1);
    });

    it('removes more than 10% of the directory with --force', async () => {
      const run = await runImport([await writeCsv('partial.csv', ...twenty.slice(3)), '--remove-missing', '--force', '--data-dir', dataDir]);
      expect(run.code, run.stderr).to.equal(0);
      expect((await staffIn(dataDir)).map((r) => r.username)).to.deep.equal(twenty.slice(3).map(usernameOf));
      expect((await auditIn(dataDir)).filter((e) => e.action === 'staff.removed').map((e) => e.username)).to.deep.equal(twenty.slice(0, 3).map(usernameOf));
    });

    it('lists who would be removed under --dry-run, warns past 10%, and changes nothing', async () => {
      const files = ['staff.json', 'accounts.json', 'tokens.json', 'audit.jsonl'];
      const before = await Promise.all(files.map((f) => readFile(join(dataDir, f))));
      const run = await runImport([await writeCsv('partial.csv', ...twenty.slice(3)), '--remove-missing', '--dry-run', '--data-dir', dataDir]);
      expect(run.code, run.stderr).to.equal(0);
      expect(run.stdout).to.contain('removed:   3 (would be)').and.contain('who would be removed with their passwords and reset links:\n  241SAX01\n  241SBX01\n  241SCX01\n');
      expect(run.stdout).to.contain('a real run would refuse without --force');
      expect(await Promise.all(files.map((f) => readFile(join(dataDir, f))))).to.deep.equal(before);
    });
  });

  describe('a file that cannot be imported at all', () => {
    let dataDir: string;
    let staffBefore: Buffer;
    // A directory with staff already in it, to show that a refused file leaves it exactly as it was.
    beforeEach(async () => {
      dataDir = join(tmp, 'data');
      await runImport([await writeCsv('first.csv', row('AONE')), '--data-dir', dataDir]);
      staffBefore = await readFile(join(dataDir, 'staff.json'));
    });

    async function expectRefused(args: string[], message: RegExp | string): Promise<void> {
      const run = await runImport([...args, '--data-dir', dataDir]);
      expect(run.code).to.equal(2);
      expect(run.stdout).to.equal('');
      if (typeof message === 'string') expect(run.stderr).to.contain(message);
      else expect(run.stderr).to.match(message);
      expect(run.stderr).to.contain('Nothing was changed.');
      expect(await readFile(join(dataDir, 'staff.json'))).to.deep.equal(staffBefore);
      expect(await auditIn(dataDir)).to.have.length(1);
    }

    it('exits 2 for a missing file and leaves the directory unchanged', async () => {
      await expectRefused([join(tmp, 'no-such.csv')], /^Cannot import: .*no-such\.csv does not exist\n/);
    });

    it('exits 2 for an empty file', async () => {
      await writeFile(join(tmp, 'empty.csv'), '');
      await expectRefused([join(tmp, 'empty.csv')], 'empty.csv: the file is empty');
    });

    it('exits 2 for a file with an unknown column, naming it', async () => {
      await writeFile(join(tmp, 'extra.csv'), `${HEADER},payroll_number\n${row('BTWO')},123\n`);
      await expectRefused([join(tmp, 'extra.csv')], 'has unknown column payroll_number');
    });

    it('exits 2 for a file missing a required column, naming it', async () => {
      await writeFile(join(tmp, 'missing.csv'), 'username,first_name,last_name,work_email,staff_group\n241BTWO01,B,Two,b.two@nhs-trust.example,bank\n');
      await expectRefused([join(tmp, 'missing.csv')], 'is missing the required column date_of_birth');
    });

    it('exits 2 for a file that is not UTF-8, with the Excel option to use instead', async () => {
      await writeFile(join(tmp, 'latin1.csv'), Buffer.from(`${HEADER}\n241BTWO01,Zoë,Two,b.two@nhs-trust.example,1985-03-14,bank,,\n`, 'latin1'));
      await expectRefused([join(tmp, 'latin1.csv')], 'is not UTF-8 text; in Excel use File > Save As > "CSV UTF-8 (Comma delimited)"');
    });

    it('exits 2 with usage when no file is given', async () => {
      await expectRefused([], 'Usage: npm run staff:import -- <staff.csv> [--dry-run] [--data-dir DIR] [--ignore-extra-columns] [--rejects FILE] [--remove-missing [--force]]');
    });

    it('does not create a data folder when the file is missing', async () => {
      const run = await runImport([join(tmp, 'no-such.csv'), '--data-dir', join(tmp, 'fresh')]);
      expect(run.code).to.equal(2);
      expect(await exists(join(tmp, 'fresh'))).to.be.false;
    });
  });

  it('imports 50,000 rows in under 30 seconds', async () => {
    const rows: string[] = [HEADER];
    for (let i = 0; i < 50_000; i++) {
      // Letters only in the name part, as ESR usernames have: base-26 of the row number.
      let n = i;
      let name = '';
      do {
        name = String.fromCharCode(65 + (n % 26)) + name;
        n = Math.floor(n / 26);
      } while (n > 0);
      const guid = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
      rows.push(`241S${name}01,First${name},"Last, ${name}",s.${name.toLowerCase()}@nhs-trust.example,${String((i % 28) + 1).padStart(2, '0')}/0${(i % 9) + 1}/19${60 + (i % 40)},substantive,${guid},s.${name.toLowerCase()}@nhs-trust.example`);
    }
    const file = join(tmp, 'large.csv');
    await writeFile(file, `${rows.join('\r\n')}\r\n`);
    const dataDir = join(tmp, 'data');

    const run = await runImport([file, '--data-dir', dataDir]);
    const reported = /in (\d+\.\d\d) s\./.exec(run.stdout)?.[1];
    console.log(`      50,000-row import: ${(run.ms / 1000).toFixed(2)} s for the whole process, ${reported ?? '?'} s reported by the import itself`);
    expect(run.code, run.stderr + run.stdout.slice(0, 2000)).to.equal(0);
    expect(run.stdout).to.contain('rows read: 50000').and.contain('added:     50000');
    expect(run.ms).to.be.below(30_000);
    expect(await staffIn(dataDir)).to.have.length(50_000);
  });
});
