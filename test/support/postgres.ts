// A fresh PostgreSQL database for one test run: created through the maintenance database at suite start,
// migrated, and dropped at the end. Where no server answers, the suite is skipped and says why, except
// under CI (CI=true), where a missing database fails the run.
//
//   const db = usePostgres('the PostgreSQL stores');   // inside a describe: before/after hooks
//   ... db().pool, db().url
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { createPool, describeDatabaseUrl } from '../../storage/postgres/pool.js';
import { migrate } from '../../storage/postgres/migrate.js';

export const DATABASE_TEST_URL = process.env.DATABASE_TEST_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  /** The fresh database's URL. */
  url: string;
  name: string;
  /** A pool on it (migrated when `migrated` was asked for). */
  pool: pg.Pool;
  /** A second, separate pool on it: another instance of the bot. */
  otherPool: pg.Pool;
  /** Empties every table the migrations made (between tests). */
  truncate(): Promise<void>;
}

/**
 * For a before hook whose database did not answer: skips the suite with a message, or under CI (CI=true),
 * where the database is part of the build, fails it.
 */
export function skipUnlessCi(context: Mocha.Context, error: unknown): never {
  const where = `PostgreSQL not reachable at ${describeDatabaseUrl(DATABASE_TEST_URL)} (${(error as Error).message})`;
  if (process.env.CI === 'true') throw new Error(`${where}: CI=true needs it for the PostgreSQL tests; start PostgreSQL or set DATABASE_TEST_URL`, { cause: error });
  console.warn(`      ${where}: skipping the PostgreSQL contract tests; set DATABASE_TEST_URL or start PostgreSQL`);
  context.skip();
}

async function maintenance<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: DATABASE_TEST_URL, connectionTimeoutMillis: 3_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export function databaseUrl(name: string): string {
  const url = new URL(DATABASE_TEST_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty database named esr_helpdesk_test_<random>; throws when no server answers. */
export async function createTestDatabase(): Promise<{ name: string; url: string; drop(): Promise<void> }> {
  const name = `esr_helpdesk_test_${randomBytes(6).toString('hex')}`;
  await maintenance((c) => c.query(`CREATE DATABASE ${name}`));
  return {
    name,
    url: databaseUrl(name),
    drop: () => maintenance((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

/** before/after hooks for the enclosing describe; the returned function gives the database inside tests. */
export function usePostgres(options: { migrated?: boolean } = {}): () => TestDatabase {
  let db: TestDatabase | undefined;
  let drop: (() => Promise<void>) | undefined;
  before(async function () {
    this.timeout(30_000);
    let created: Awaited<ReturnType<typeof createTestDatabase>>;
    try {
      created = await createTestDatabase();
    } catch (error) {
      skipUnlessCi(this, error);
    }
    drop = () => created.drop();
    const pool = createPool(created.url, { max: 10, applicationName: 'esr-helpdesk-tests' });
    const otherPool = createPool(created.url, { max: 10, applicationName: 'esr-helpdesk-tests-2' });
    if (options.migrated !== false) await migrate(pool);
    db = {
      url: created.url,
      name: created.name,
      pool,
      otherPool,
      truncate: async () => {
        const { rows } = await pool.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT IN ('schema_version', 'ticket_ids')`);
        if (rows.length > 0) await pool.query(`TRUNCATE ${rows.map((r) => `"${r.tablename}"`).join(', ')} RESTART IDENTITY`);
        await pool.query('UPDATE ticket_ids SET last_id = 0').catch(() => undefined);
      },
    };
  });
  after(async function () {
    this.timeout(30_000);
    await db?.pool.end();
    await db?.otherPool.end();
    await drop?.();
  });
  return () => {
    if (!db) throw new Error('usePostgres: the database is not ready (was the suite skipped?)');
    return db;
  };
}
