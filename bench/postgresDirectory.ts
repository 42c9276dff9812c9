// `npm run bench:postgres-directory [-- --sizes=1000,2000000 --lookups=5000]`: the PostgreSQL staff directory
// at a small and a large size. On a fresh database it creates (and drops at the end), for each size: imports
// that many generated staff through PgStaffDirectory.importAll (COPY into a staging table, merged in one
// transaction) into an empty directory and prints rows/s and seconds; then times getByUsername, findByEmail
// and findByEntraObjectId (random people, one query at a time) and prints p50/p99 in ms, the ratios of the
// largest size to the smallest, and this process's resident memory. Records are generated from their index as
// the COPY asks for them, so 2 million are never held in memory. The server is DATABASE_TEST_URL (default
// postgres://postgres@127.0.0.1:5432/postgres); it needs the right to create databases.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { StaffRecord } from '../esr/types.js';
import { migrate } from '../storage/postgres/migrate.js';
import { PgStaffDirectory } from '../storage/postgres/pgStaffDirectory.js';
import { createPool, describeDatabaseUrl } from '../storage/postgres/pool.js';
import { linked, people, staffAt } from './generatedStaff.js';

const SERVER_URL = process.env.DATABASE_TEST_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/postgres';
const option = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const sizes = option('sizes', '1000,2000000').split(',').map(Number);
const lookups = Number(option('lookups', '5000'));
if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('--sizes should be whole numbers of at least 1, like 1000,2000000');
if (!Number.isInteger(lookups) || lookups < 1) throw new Error('--lookups should be a whole number of at least 1');

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
let seed = 0x5eed;
const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);

interface Latency {
  p50: number;
  p99: number;
}

async function time(count: number, size: number, pick: (i: number) => boolean, lookup: (record: StaffRecord) => Promise<unknown>, expect: (result: unknown) => boolean): Promise<Latency> {
  const ms: number[] = [];
  while (ms.length < count) {
    const i = Math.floor(random() * size);
    if (!pick(i)) continue;
    const started = performance.now();
    const result = await lookup(staffAt(i));
    ms.push(performance.now() - started);
    if (!expect(result)) throw new Error(`The lookup of person ${i} did not find them`);
  }
  ms.sort((a, b) => a - b);
  return { p50: percentile(ms, 50), p99: percentile(ms, 99) };
}

async function maintenance(sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: SERVER_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

const name = `esr_helpdesk_bench_${randomBytes(6).toString('hex')}`;
const url = new URL(SERVER_URL);
url.pathname = `/${name}`;
console.log(`PostgreSQL staff directory benchmark: sizes ${sizes.join(', ')}; ${lookups} lookups of each kind; database ${name} on ${describeDatabaseUrl(SERVER_URL)}`);
await maintenance(`CREATE DATABASE ${name}`);
const pool = createPool(url.toString(), { max: 2, applicationName: 'esr-helpdesk-bench' });
const results: Array<{ size: number; seconds: number; latency: Record<string, Latency> }> = [];
try {
  await migrate(pool);
  const { rows } = await pool.query<{ server_version: string }>('SHOW server_version');
  console.log(`PostgreSQL ${rows[0]!.server_version}, Node ${process.version}`);
  const directory = new PgStaffDirectory(pool);
  for (const size of sizes) {
    await pool.query('TRUNCATE staff');
    const started = performance.now();
    const summary = await directory.importAll(people(size));
    const seconds = (performance.now() - started) / 1000;
    if (summary.added !== size) throw new Error(`Imported ${summary.added} of ${size}`);
    console.log(
      `\n${size.toLocaleString('en-GB')} staff: imported in ${seconds.toFixed(2)} s, ${Math.round(size / seconds).toLocaleString('en-GB')} rows/s; ` +
        `RSS ${mb(process.memoryUsage().rss)} after the import`,
    );
    const one = (r: unknown) => Array.isArray(r) ? r.length >= 1 : r !== undefined;
    // Not measured: both connections opened and the plans cached, as in a bot that has been running.
    await time(200, size, () => true, (r) => directory.getByUsername(r.username), one);
    const latency = {
      getByUsername: await time(lookups, size, () => true, (r) => directory.getByUsername(r.username), one),
      findByEmail: await time(lookups, size, () => true, (r) => directory.findByEmail(r.workEmail.toUpperCase()), one),
      findByEntraObjectId: await time(lookups, size, linked, (r) => directory.findByEntraObjectId(r.entraObjectId!), one),
    };
    for (const [kind, l] of Object.entries(latency)) console.log(`  ${kind.padEnd(20)} p50 ${l.p50.toFixed(3)} ms  p99 ${l.p99.toFixed(3)} ms`);
    results.push({ size, seconds, latency });
  }
  if (results.length > 1) {
    const small = results[0]!;
    const large = results[results.length - 1]!;
    console.log(`\nRatios, ${large.size.toLocaleString('en-GB')} to ${small.size.toLocaleString('en-GB')} staff (1.00 = no slower):`);
    for (const kind of Object.keys(small.latency)) {
      const a = small.latency[kind]!;
      const b = large.latency[kind]!;
      console.log(`  ${kind.padEnd(20)} p50 ${(b.p50 / a.p50).toFixed(2)}x  p99 ${(b.p99 / a.p99).toFixed(2)}x`);
    }
  }
  const usage = process.resourceUsage();
  console.log(`\nBenchmark process memory: RSS now ${mb(process.memoryUsage().rss)}, peak RSS ${mb(usage.maxRSS * 1024)}`);
} finally {
  await pool.end();
  await maintenance(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
