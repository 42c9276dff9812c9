// What the PostgreSQL staff directory does beyond the contract: large upserts in batches, and the full
// import streamed through COPY and swapped in one transaction.
import { expect } from 'chai';
import type { StaffRecord } from '../../../esr/types.js';
import { PgStaffDirectory, TooManyRemovalsError, UPSERT_BATCH } from '../../../storage/postgres/pgStaffDirectory.js';
import { rejectionOf } from '../../contracts/subject.js';
import { STAFF } from '../../support/esrHarness.js';
import { usePostgres } from '../../support/postgres.js';

const person = (i: number): StaffRecord => ({
  username: `241P${'ABCDEFGHIJ'[Math.floor(i / 1000) % 10]}${'ABCDEFGHIJ'[Math.floor(i / 100) % 10]}${'ABCDEFGHIJ'[Math.floor(i / 10) % 10]}${'ABCDEFGHIJ'[i % 10]}01`,
  firstName: 'Pat',
  lastName: `Person\t${i}\\`,
  workEmail: `pat.${i}@nhs-trust.example`,
  dateOfBirth: '1980-01-31',
  staffGroup: 'substantive',
  ...(i % 2 ? { upn: `pat.${i}@nhs-trust.example` } : {}),
});

describe('PgStaffDirectory', () => {
  const db = usePostgres();
  let directory: PgStaffDirectory;
  beforeEach(async () => {
    await db().truncate();
    directory = new PgStaffDirectory(db().pool);
  });

  it('upserts more records than one batch holds, counting them all', async () => {
    const many = Array.from({ length: UPSERT_BATCH * 2 + 5 }, (_, i) => person(i));
    expect(await directory.upsertMany(many)).to.deep.equal({ added: many.length, updated: 0, unchanged: 0 });
    expect(await directory.count()).to.equal(many.length);
    expect(await directory.getByUsername(many[1500]!.username)).to.deep.equal(many[1500]);
  });

  it('replaces the whole directory from an import through COPY, counting added, updated, unchanged and removed', async () => {
    await directory.upsertMany([STAFF.aisha, STAFF.tunde, STAFF.morgan01]);
    const summary = await directory.importAll([STAFF.aisha, { ...STAFF.tunde, lastName: 'Okafor-Bell' }, person(1), person(2)]);
    expect(summary).to.deep.equal({ added: 2, updated: 1, unchanged: 1, removed: 1, removedUsernames: [STAFF.morgan01.username], removedAccounts: 0, removedTokens: 0, before: 3 });
    expect(await directory.count()).to.equal(4);
    expect(await directory.getByUsername(STAFF.morgan01.username)).to.equal(undefined);
    expect(await directory.getByUsername(person(1).username)).to.deep.equal(person(1));
    expect(await directory.findByUpn(person(1).upn!)).to.deep.equal([person(1)]);
  });

  it('refuses an import with an invalid record or a username twice, and keeps the directory it had', async () => {
    await directory.upsertMany([STAFF.aisha]);
    const invalid = await rejectionOf(directory.importAll([person(1), { ...person(2), dateOfBirth: '31/01/1980' }]));
    expect((invalid as Error).message).to.contain('Staff record 2').and.contain('dateOfBirth');
    expect(await rejectionOf(directory.importAll([person(1), person(1)]))).to.be.instanceOf(TypeError);
    expect(await directory.getByUsername(STAFF.aisha.username)).to.deep.equal(STAFF.aisha);
    expect(await directory.count()).to.equal(1);
  });

  it('keeps staff missing from the import unless asked to remove them, and removes their accounts and tokens with them', async () => {
    await directory.upsertMany([STAFF.aisha, STAFF.tunde]);
    await db().pool.query(`INSERT INTO accounts (username, state) VALUES ($1, '{}')`, [STAFF.tunde.username]);
    await db().pool.query(
      `INSERT INTO tokens (hash, username, purpose, created_at, expires_at) VALUES ('h1', $1, 'reset', now(), now() + interval '1 hour')`,
      [STAFF.tunde.username],
    );
    const kept = await directory.importAll([STAFF.aisha, person(1)], { removeMissing: false });
    expect(kept).to.include({ added: 1, unchanged: 1, removed: 0 });
    expect(await directory.count()).to.equal(3);
    const removed = await directory.importAll([STAFF.aisha, person(1)]);
    expect(removed).to.include({ removed: 1, removedAccounts: 1, removedTokens: 1, before: 3 });
    expect(removed.removedUsernames).to.deep.equal([STAFF.tunde.username]);
    const { rows } = await db().pool.query('SELECT (SELECT count(*) FROM accounts)::int AS a, (SELECT count(*) FROM tokens)::int AS t');
    expect(rows[0]).to.deep.equal({ a: 0, t: 0 });
  });

  it('rolls back an import that would remove more than the share allowed, and a dry run, leaving the directory as it was', async () => {
    const many = Array.from({ length: 20 }, (_, i) => person(i));
    await directory.upsertMany(many);
    const tooMany = await rejectionOf(directory.importAll(many.slice(3), { maxRemovalShare: 0.1 }));
    expect(tooMany).to.be.instanceOf(TooManyRemovalsError).and.include({ removals: 3, directorySize: 20 });
    expect(await directory.count()).to.equal(20);
    expect(await directory.importAll(many.slice(2), { maxRemovalShare: 0.1 })).to.include({ removed: 2 });
    const dry = await directory.importAll([{ ...many[5]!, firstName: 'Sam' }, person(100)], { dryRun: true });
    expect(dry).to.include({ added: 1, updated: 1, unchanged: 0, removed: 17 });
    expect(await directory.count()).to.equal(18);
    expect(await directory.getByUsername(many[5]!.username)).to.deep.equal(many[5]);
  });

  it('imports from an async iterable, validating as it streams', async () => {
    async function* stream(n: number, bad?: number): AsyncGenerator<StaffRecord> {
      for (let i = 0; i < n; i++) {
        if (i % 500 === 0) await new Promise((resolve) => setImmediate(resolve));
        yield i === bad ? { ...person(i), workEmail: 'not an email' } : person(i);
      }
    }
    expect(await directory.importAll(stream(1200))).to.include({ added: 1200 });
    const invalid = await rejectionOf(directory.importAll(stream(1200, 1100)));
    expect((invalid as Error).message).to.contain('Staff record 1101');
    expect(await directory.count()).to.equal(1200);
  });

  it('lets readers see the old directory until an import commits', async () => {
    await directory.upsertMany([STAFF.aisha]);
    const many = Array.from({ length: 3000 }, (_, i) => person(i));
    const importing = directory.importAll(many);
    const counts = new Set<number>();
    const reader = new PgStaffDirectory(db().otherPool);
    let done = false;
    void importing.finally(() => (done = true));
    while (!done) counts.add(await reader.count());
    await importing;
    counts.add(await reader.count());
    expect([...counts].every((n) => n === 1 || n === 3000)).to.equal(true);
    expect(counts.has(3000)).to.equal(true);
  });
});
