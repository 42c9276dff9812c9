// `npm run db:migrate` in a child process, against a fresh database: applies the migrations and says which,
// then finds nothing to do.
import { execFile } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { createTestDatabase, skipUnlessCi } from '../support/postgres.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = (env: Record<string, string>) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/db-migrate.ts'], { cwd: PROJECT_ROOT, env: { PATH: process.env.PATH ?? '', HOME: tmpdir(), ...env } }).then(
    ({ stdout }) => ({ code: 0, stdout, stderr: '' }),
    (error: { code: number; stdout: string; stderr: string }) => ({ code: error.code, stdout: error.stdout, stderr: error.stderr }),
  );

describe('npm run db:migrate', function () {
  this.timeout(60_000);
  let database: Awaited<ReturnType<typeof createTestDatabase>> | undefined;
  before(async function () {
    try {
      database = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
  });
  after(() => database?.drop());

  it('applies the migrations, naming each, then says the schema is up to date', async () => {
    const first = await run({ DATABASE_URL: database!.url });
    expect(first.code).to.equal(0);
    expect(first.stdout).to.contain('applied 001_initial');
    const second = await run({ DATABASE_URL: database!.url });
    expect(second.stdout).to.contain('up to date; nothing to apply');
  });

  it('stops with exit code 2 and says why when DATABASE_URL is not set', async () => {
    const result = await run({});
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('DATABASE_URL is not set');
  });
});
