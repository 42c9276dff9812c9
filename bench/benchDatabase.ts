// A fresh PostgreSQL database for one benchmark configuration: esr_helpdesk_bench_<random>, created on the
// server at DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres, as on this project's machines)
// and dropped at the end. The server must let that user create databases.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { describeDatabaseUrl } from '../storage/postgres/pool.js';

export const BENCH_SERVER_URL = process.env.DATABASE_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface BenchDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

async function onServer(sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: BENCH_SERVER_URL, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    return await client.query(sql);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Bytes of write-ahead log the whole server has written so far (pg_stat_wal), and how many of its records were
 * whole pages; undefined when it cannot be read. Server-wide: the bench's runs are one at a time, so the
 * difference over a run is that run's (plus anything else the server did meanwhile, which here is little).
 */
export async function walWritten(): Promise<{ bytes: number; fullPages: number } | undefined> {
  try {
    const { rows } = await onServer('SELECT wal_bytes::float8 AS bytes, wal_fpi::float8 AS full_pages FROM pg_stat_wal');
    const row = rows[0] as { bytes: number; full_pages: number } | undefined;
    return row ? { bytes: row.bytes, fullPages: row.full_pages } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes every changed page to disk now (CHECKPOINT), and says how long it took; undefined when this user may not.
 * After a bulk load (2,000,000 staff is about a gigabyte of table and indexes, vacuumed) the server may still be
 * writing it out, spread over minutes (checkpoint_completion_target), while the first runs are measured; this
 * takes that out of the measurement. (Here it took 0.7 s after a 2,000,000-staff import, so little was left: the
 * p99 ratio's spread from run to run, 0.86 to 1.35 with it, is mostly the machine.)
 */
export async function checkpoint(): Promise<number | undefined> {
  const started = Date.now();
  try {
    await onServer('CHECKPOINT');
    return Date.now() - started;
  } catch {
    return undefined;
  }
}

/** Throws, saying where it looked, when no server answers. */
export async function createBenchDatabase(): Promise<BenchDatabase> {
  const name = `esr_helpdesk_bench_${randomBytes(6).toString('hex')}`;
  try {
    await onServer(`CREATE DATABASE ${name}`);
  } catch (error) {
    throw new Error(
      `Could not create a database on the PostgreSQL server at ${describeDatabaseUrl(BENCH_SERVER_URL)} (${(error as Error).message}). ` +
        'Start PostgreSQL, point DATABASE_URL at a server where this user may create databases, or run with --store=lowdb.',
      { cause: error },
    );
  }
  const url = new URL(BENCH_SERVER_URL);
  url.pathname = `/${name}`;
  // FORCE ends the connections of any bot still attached (one killed on Ctrl-C, say).
  return { name, url: url.toString(), drop: async () => void (await onServer(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}
