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
      env: { ...process.env, ESR_ORG_CODE: '241', DATA_DIR: join(tmp, 'data-from-env'), ...env },
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
    expect(run.stdout).to.contain('  line 3: work_email should be an email address, like first.last@nhs.net\n');
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
    expect(run.stdout).to.contain('  ... and 50 more');
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
      expect(run.stdout).to.match(/^Dry run: .* Nothing was written\./).and.contain('added:     2 (would be)');
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
      await expectRefused([], 'Usage: npm run staff:import -- <staff.csv> [--dry-run] [--data-dir DIR]');
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
