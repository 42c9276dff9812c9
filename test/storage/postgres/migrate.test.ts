// Migrations: applied in order, each exactly once, also when several instances start at the same moment.
import { expect } from 'chai';
import { migrate, readMigrations, type Migration } from '../../../storage/postgres/migrate.js';
import { rejectionOf } from '../../contracts/subject.js';
import { usePostgres } from '../../support/postgres.js';

describe('PostgreSQL migrations', () => {
  const db = usePostgres({ migrated: false });

  it('reads the numbered .sql files in order, starting at 001', async () => {
    const migrations = await readMigrations();
    expect(migrations[0]).to.include({ version: 1, name: 'initial' });
    expect(migrations.map((m) => m.version)).to.deep.equal([...migrations.map((m) => m.version)].sort((a, b) => a - b));
  });

  it('applies each migration exactly once when two instances start at once, and nothing the next time', async () => {
    const [a, b] = await Promise.all([migrate(db().pool), migrate(db().otherPool)]);
    const all = await readMigrations();
    expect([...a, ...b].map((m) => m.version)).to.deep.equal(all.map((m) => m.version));
    const { rows } = await db().pool.query<{ version: number; name: string; applied_at: Date }>('SELECT version, name, applied_at FROM schema_version ORDER BY version');
    expect(rows.map((r) => [r.version, r.name])).to.deep.equal(all.map((m) => [m.version, m.name]));
    expect(rows.every((r) => r.applied_at instanceof Date)).to.equal(true);
    expect(await migrate(db().pool)).to.deep.equal([]);
  });

  it('leaves no trace of a migration that fails, and names it', async () => {
    const broken: Migration = { version: 900, name: 'broken', sql: 'CREATE TABLE half_done (id integer); SELECT no_such_column FROM half_done;' };
    const error = await rejectionOf(migrate(db().pool, [broken]));
    expect((error as Error).message).to.contain('900_broken').and.contain('no_such_column');
    const { rows } = await db().pool.query("SELECT to_regclass('half_done') AS t, (SELECT count(*)::int FROM schema_version WHERE version = 900) AS n");
    expect(rows[0]).to.deep.equal({ t: null, n: 0 });
  });
});
