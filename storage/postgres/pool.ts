// One pg.Pool per process, from DATABASE_URL. node-postgres reads sslmode itself but treats require like
// verify-full and warns about it; we read it here instead, so what the URL says is what happens.
import { createHash } from 'node:crypto';
import pg from 'pg';

export interface PoolOptions {
  /** Shown in pg_stat_activity, so a DBA can tell the bot's connections apart. */
  applicationName?: string;
  /** Connections at most. A chat turn needs one at a time; a few instances share the server's limit. */
  max?: number;
  /** Told of errors on idle connections (a server restart); without a listener they would crash the process. */
  onError?: (error: Error) => void;
}

export type SslSetting = false | { rejectUnauthorized: boolean };

/**
 * sslmode as libpq names it. node-postgres cannot fall back from TLS to plain, so `allow` and `prefer` mean
 * plain; `require` checks the certificate too (stricter than libpq: Azure Database for PostgreSQL presents a
 * publicly trusted one); `no-verify` encrypts without checking, for a server with a self-signed certificate.
 */
export function sslFromUrl(url: string): { connectionString: string; ssl: SslSetting } {
  const parsed = new URL(url);
  const mode = parsed.searchParams.get('sslmode') ?? 'disable';
  // Removed so node-postgres does not read it a second time, differently.
  for (const key of ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'uselibpqcompat']) parsed.searchParams.delete(key);
  const connectionString = parsed.toString();
  switch (mode) {
    case 'disable':
    case 'allow':
    case 'prefer':
      return { connectionString, ssl: false };
    case 'no-verify':
      return { connectionString, ssl: { rejectUnauthorized: false } };
    case 'require':
    case 'verify-ca':
    case 'verify-full':
      return { connectionString, ssl: { rejectUnauthorized: true } };
    default:
      throw new Error(`sslmode=${mode} in the database URL is not one of disable, prefer, require, verify-ca, verify-full, no-verify`);
  }
}

export function createPool(url: string, options: PoolOptions = {}): pg.Pool {
  const { connectionString, ssl } = sslFromUrl(url);
  const named = new URL(connectionString).searchParams.get('application_name');
  const pool = new pg.Pool({
    connectionString,
    ssl,
    application_name: named ?? options.applicationName ?? 'esr-helpdesk',
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
  });
  pool.on('error', options.onError ?? (() => undefined));
  return pool;
}

/** The URL without its password, for logs and messages. */
export function describeDatabaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** Runs `work` in one transaction on one connection: committed if it resolves, rolled back if it throws. */
export async function inTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

const statementNames = new Map<string, string>();

/**
 * A query run as a named prepared statement: each connection parses and plans it once, then only binds and
 * runs it. For the statements every chat turn runs (state, locks, transcript, the live-ticket check) that saves
 * about a quarter of the CPU per statement, on the server and here (measured: 117-128 against 142-167 µs of
 * server CPU per state read). Only for fixed texts (a few shapes each): every distinct text is kept per connection.
 * Behind PgBouncer in transaction mode this needs its max_prepared_statements set (README).
 */
export function prepared(text: string, values: unknown[]): pg.QueryConfig {
  let name = statementNames.get(text);
  if (!name) {
    name = `esr_${createHash('sha1').update(text).digest('hex').slice(0, 16)}`;
    statementNames.set(text, name);
  }
  return { name, text, values };
}
