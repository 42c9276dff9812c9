// `npm run tickets:export -- --from 2026-01-01 [--to 2026-03-31] [--organisation 242] [--out tickets.csv]`: tickets
// created in the period (of one organisation) as CSV (standard output unless --out), for reporting. No
// screenshots, transcripts or secrets.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import { DataFileError } from '../storage/atomicJsonFile.js';
import { LowdbTicketStore } from '../storage/lowdbTicketStore.js';
import { ticketsToCsv } from '../tickets/exportCsv.js';
import { ConfigError } from '../bot/config.js';
import { parseOrganisations } from '../bot/organisations.js';

loadDotenv({ quiet: true });

function fail(message: string): never {
  process.stderr.write(`${message}\nUsage: npm run tickets:export -- --from YYYY-MM-DD [--to YYYY-MM-DD] [--organisation 242] [--out file.csv] [--data-dir DIR]\n`);
  process.exit(2);
}

function day(value: string | undefined, name: string, endOfDay: boolean): Date | undefined {
  if (value === undefined) return undefined;
  const date = new Date(`${value}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value) fail(`--${name} should be a date as YYYY-MM-DD (got "${value}")`);
  return date;
}

let args;
try {
  args = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, organisation: { type: 'string' }, out: { type: 'string' }, 'data-dir': { type: 'string' } } }).values;
} catch (error) {
  fail((error as Error).message);
}
const from = day(args.from, 'from', false) ?? fail('--from is required');
const to = day(args.to, 'to', true);
// A period that ends before it starts can match nothing: an empty file would look like a quiet month.
if (to && to < from) fail(`--to ${args.to!} is before --from ${args.from!}: give the earlier date as --from`);
const dataDir = resolve(args['data-dir'] ?? process.env.DATA_DIR ?? './data');
const organisation = args.organisation;
if (organisation !== undefined && !/^\d{3}$/.test(organisation)) fail(`--organisation should be a three-digit ESR organisation code, like 242 (got "${organisation}")`);

// Tickets from before organisations have no code: they are the first organisation's (the file's, else ESR_ORG_CODE).
async function defaultOrganisation(): Promise<string> {
  const file = resolve(dataDir, process.env.ORGANISATIONS_FILE?.trim() || 'organisations.json');
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return process.env.ESR_ORG_CODE?.trim() || '241';
  try {
    return parseOrganisations(text).default.code;
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

try {
  const file = join(dataDir, 'tickets.json');
  if (!existsSync(file)) fail(`There is no ${file}: check DATA_DIR (or --data-dir). Tickets are kept there once the bot has created one.`);
  const store = await LowdbTicketStore.open(file);
  const byOrganisation = organisation ? { organisationCode: organisation, defaultOrganisationCode: await defaultOrganisation() } : {};
  const tickets = (await store.list({ from, ...(to ? { to } : {}), ...byOrganisation })).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  const csv = ticketsToCsv(tickets);
  if (args.out) {
    await writeFile(args.out, csv, { mode: 0o600 });
    process.stderr.write(`Wrote ${tickets.length} ticket(s) to ${args.out}\n`);
  } else {
    process.stdout.write(csv);
  }
} catch (error) {
  if (error instanceof DataFileError) fail(error.message);
  throw error;
}
