// Applies storage/postgres/migrations/NNN_name.sql in order, each once, recorded in schema_version. Every
// instance runs this at start-up; a session advisory lock makes a second instance wait and then find
// nothing left to do, so two starting at once never apply a migration twice.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

/** The advisory lock key: any fixed number, the same in every instance ("ESRHD" in ASCII). */
export const MIGRATION_LOCK_KEY = 0x4553524844;

export const MIGRATIONS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'migrations');

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const FILE_NAME = /^(\d{3})_([a-z0-9_]+)\.sql$/;

export async function readMigrations(dir = MIGRATIONS_DIR): Promise<Migration[]> {
  const migrations: Migration[] = [];
  for (const file of (await readdir(dir)).sort()) {
    const match = FILE_NAME.exec(file);
    if (!match) continue;
    migrations.push({ version: Number(match[1]), name: match[2]!, sql: await readFile(join(dir, file), 'utf8') });
  }
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`Two migrations in ${dir} share a number`);
  return migrations;
}

/** Applies what is not applied yet; returns what it applied, in order (empty when the schema was current). */
export async function migrate(pool: pg.Pool, migrations?: Migration[]): Promise<Migration[]> {
  const all = migrations ?? (await readMigrations());
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await client.query(`CREATE TABLE IF NOT EXISTS schema_version (
        version integer PRIMARY KEY,
        name text NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
      const applied = new Set(rows.map((r) => r.version));
      const done: Migration[] = [];
      for (const migration of all.filter((m) => !applied.has(m.version))) {
        // Each migration and its record in one transaction: a failure leaves neither.
        await client.query('BEGIN');
        try {
          await client.query(migration.sql);
          await client.query('INSERT INTO schema_version (version, name) VALUES ($1, $2)', [migration.version, migration.name]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw new Error(`Migration ${String(migration.version).padStart(3, '0')}_${migration.name} failed: ${(error as Error).message}`, { cause: error });
        }
        done.push(migration);
      }
      return done;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
  }
}
