// `npm run staff:import -- staff.csv [--dry-run] [--data-dir DIR]`: adds and updates staff in the staff
// directory (DATA_DIR/staff.json) from a CSV file. A person runs it, so the output is plain text.
// Exit codes: 0 every row imported; 1 some rows rejected (the others were imported); 2 nothing imported
// (the file or a setting is unusable) and the directory is unchanged.
import { readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import type { UpsertSummary } from '../esr/ports.js';
import { DEFAULT_ORG_CODE, parseStaffCsv, type StaffCsvRowError } from '../esr/staffCsv.js';
import type { StaffRecord } from '../esr/types.js';
import { DataFileError } from '../storage/atomicJsonFile.js';
import { JsonlAuditLog } from '../storage/jsonlAuditLog.js';
import { LowdbStaffDirectory } from '../storage/lowdbStaffDirectory.js';
import { ConfigError } from '../bot/config.js';
import { parseOrganisations } from '../bot/organisations.js';

const USAGE = 'Usage: npm run staff:import -- <staff.csv> [--dry-run] [--data-dir DIR]';
const MAX_ROWS_SHOWN = 200;

/** A reason to stop with nothing imported (exit 2). */
class CannotImport extends Error {}

async function servedOrganisations(dataDir: string): Promise<string[] | undefined> {
  const file = resolve(dataDir, process.env.ORGANISATIONS_FILE?.trim() || 'organisations.json');
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT' && (process.env.ORGANISATIONS_FILE?.trim() || 'organisations.json') === 'organisations.json') return undefined;
    throw new CannotImport(`${file} could not be read (${error.code ?? String(error)})`);
  });
  if (text === undefined) return undefined;
  try {
    return parseOrganisations(text, basename(file)).all().map((o) => o.code);
  } catch (error) {
    if (error instanceof ConfigError) throw new CannotImport(error.message);
    throw error;
  }
}

async function main(): Promise<number> {
  const started = performance.now();
  // The same .env as the bot, so the import writes the directory the bot reads.
  loadDotenv({ quiet: true });
  const args = readArgs(process.argv.slice(2));
  const orgCode = process.env.ESR_ORG_CODE?.trim() || DEFAULT_ORG_CODE;
  if (!/^\d{3}$/.test(orgCode)) throw new CannotImport(`ESR_ORG_CODE should be the three-digit ESR organisation code, like 241 (got "${orgCode}")`);
  const dataDir = resolve(args.dataDir ?? (process.env.DATA_DIR?.trim() || './data'));
  const staffFile = join(dataDir, 'staff.json');

  // With an organisations file, rows may name their organisation_code; without it, the one ESR_ORG_CODE.
  const served = await servedOrganisations(dataDir);
  const parsed = parseStaffCsv(await readCsvText(args.file), { orgCode: served?.[0] ?? orgCode, ...(served ? { organisations: served } : {}), today: new Date() });
  if (parsed.kind === 'unreadable') throw new CannotImport(`${args.file}: ${parsed.reason}`);
  const { records, errors, rowCount } = parsed;

  let summary: UpsertSummary;
  if (args.dryRun) {
    summary = await preview(staffFile, records);
  } else {
    // Opened before the directory is touched, so an unwritable audit log stops the import, not the record of it.
    const audit = await new JsonlAuditLog(join(dataDir, 'audit.jsonl')).init();
    const directory = await LowdbStaffDirectory.open(staffFile);
    summary = await directory.upsertMany(records);
    const detail = { rows: rowCount, added: summary.added, updated: summary.updated, unchanged: summary.unchanged, rejected: errors.length };
    const outcome = records.length === 0 && errors.length > 0 ? 'failure' : 'success';
    await audit.record({ at: new Date().toISOString(), action: 'staff.imported', actor: { kind: 'admin' }, channel: 'import', outcome, detail }).catch((error: unknown) => {
      console.error(`Warning: the import was saved but could not be written to the audit log: ${message(error)}`);
    });
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  printSummary({ file: args.file, staffFile, dryRun: args.dryRun, rowCount, summary, errors, seconds });
  return errors.length > 0 ? 1 : 0;
}

function readArgs(argv: string[]): { file: string; dryRun: boolean; dataDir?: string } {
  let values: { 'dry-run'?: boolean; 'data-dir'?: string; help?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { 'dry-run': { type: 'boolean' }, 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new CannotImport(`${message(error)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(`${USAGE}\nThe columns are described in README.md; test/fixtures/staff-example.csv is an example.`);
    process.exit(0);
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new CannotImport(`give exactly one CSV file.\n${USAGE}`);
  return { file, dryRun: values['dry-run'] ?? false, dataDir: values['data-dir'] };
}

async function readCsvText(file: string): Promise<string> {
  let bytes: Buffer;
  try {
    if ((await stat(file)).isDirectory()) throw new CannotImport(`${file} is a folder, not a CSV file`);
    bytes = await readFile(file);
  } catch (error) {
    if (error instanceof CannotImport) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new CannotImport(`${file} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw new CannotImport(`${file} cannot be read (permission denied)`);
    throw new CannotImport(`${file} cannot be read (${code ?? message(error)})`);
  }
  // A workbook renamed to .csv, or Excel's "CSV" in a Windows code page, would otherwise give garbled names.
  if (bytes.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) {
    throw new CannotImport(`${file} looks like an Excel workbook; in Excel use File > Save As > "CSV UTF-8 (Comma delimited)"`);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new CannotImport(`${file} is not UTF-8 text; in Excel use File > Save As > "CSV UTF-8 (Comma delimited)"`);
  }
}

/** What an import would do, without writing: opening an existing directory only reads it. */
async function preview(staffFile: string, records: StaffRecord[]): Promise<UpsertSummary> {
  const exists = await stat(staffFile).then(
    () => true,
    () => false,
  );
  const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0 };
  // Without a directory file, open() would create one; every row would be new anyway.
  const directory = exists ? await LowdbStaffDirectory.open(staffFile) : undefined;
  for (const record of records) {
    const existing = await directory?.getByUsername(record.username);
    if (!existing) summary.added++;
    else if (sameRecord(existing, record)) summary.unchanged++;
    else summary.updated++;
  }
  return summary;
}

// The same comparison upsertMany makes (a field missing and a field undefined are the same).
function sameRecord(a: StaffRecord, b: StaffRecord): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)] as Array<keyof StaffRecord>);
  return [...keys].every((key) => a[key] === b[key]);
}

function printSummary(report: {
  file: string;
  staffFile: string;
  dryRun: boolean;
  rowCount: number;
  summary: UpsertSummary;
  errors: StaffCsvRowError[];
  seconds: string;
}): void {
  const { summary, errors, dryRun } = report;
  const lines = [
    dryRun
      ? `Dry run: checked ${basename(report.file)} against ${report.staffFile} in ${report.seconds} s. Nothing was written.`
      : `Imported ${basename(report.file)} into ${report.staffFile} in ${report.seconds} s.`,
    `  rows read: ${report.rowCount}`,
    `  added:     ${summary.added}${dryRun ? ' (would be)' : ''}`,
    `  updated:   ${summary.updated}${dryRun ? ' (would be)' : ''}`,
    `  unchanged: ${summary.unchanged}`,
    `  rejected:  ${errors.length}`,
  ];
  if (errors.length > 0) {
    lines.push('', `Rejected rows (the other rows ${dryRun ? 'would be' : 'were'} imported; fix these and import the file again):`);
    for (const error of errors.slice(0, MAX_ROWS_SHOWN)) lines.push(`  line ${error.line}: ${error.reason}`);
    if (errors.length > MAX_ROWS_SHOWN) lines.push(`  ... and ${errors.length - MAX_ROWS_SHOWN} more`);
  }
  console.log(lines.join('\n'));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

try {
  process.exitCode = await main();
} catch (error) {
  if (error instanceof CannotImport || error instanceof DataFileError) {
    console.error(`Cannot import: ${error.message}\nNothing was changed.`);
    process.exitCode = 2;
  } else {
    // The directory file is only ever replaced whole, so it is either as it was or fully updated.
    console.error('The import stopped with an unexpected error; the staff directory is either unchanged or fully updated:');
    console.error(error);
    process.exitCode = 2;
  }
}
