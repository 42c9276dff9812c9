// `npm run unanswered:export -- [--from 2026-01-01] [--out unanswered.csv]`: what the bot could not answer
// (redacted), "Something else" choices, "did you mean" choices and added phrasings, as CSV. From
// DATA_DIR/unanswered.jsonl, or from the database when DATABASE_URL is set (as the bot keeps it there).
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { JsonlMissedLog } from '../storage/jsonlMissedLog.js';
import { PgMissedLog } from '../storage/postgres/pgMissedLog.js';
import { createPool } from '../storage/postgres/pool.js';
import { missedToCsv, type MissedEvent } from '../understanding/missed.js';

loadDotenv({ quiet: true });

function fail(message: string): never {
  process.stderr.write(`${message}\nUsage: npm run unanswered:export -- [--from YYYY-MM-DD] [--out file.csv] [--data-dir DIR]\n`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string' }, 'data-dir': { type: 'string' } } }).values;
} catch (error) {
  fail((error as Error).message);
}
if (args.from !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(args.from)) fail(`--from should be a date as YYYY-MM-DD (got "${args.from}")`);
const since = args.from ? `${args.from}T00:00:00.000Z` : '';
const databaseUrl = process.env.DATABASE_URL?.trim();
let events: MissedEvent[];
if (databaseUrl) {
  const pool = createPool(databaseUrl, { applicationName: 'esr-helpdesk-unanswered-export', max: 1 });
  try {
    events = await new PgMissedLog(pool).since(since);
  } finally {
    await pool.end();
  }
} else {
  const dataDir = resolve(args['data-dir'] ?? process.env.DATA_DIR ?? './data');
  const file = join(dataDir, 'unanswered.jsonl');
  if (!existsSync(file)) fail(`There is no ${file}: check DATA_DIR (or --data-dir).`);
  events = await new JsonlMissedLog(file).since(since);
}
const csv = missedToCsv(events);
if (args.out) {
  await writeFile(args.out, csv, { mode: 0o600 });
  process.stderr.write(`Wrote ${events.length} row(s) to ${args.out}\n`);
} else process.stdout.write(csv);
