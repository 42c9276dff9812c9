// `npm run staff:import -- staff.csv [--dry-run] [--data-dir DIR] [--ignore-extra-columns] [--rejects FILE]
// [--remove-missing [--force]]`: adds and updates staff in the staff directory (DATA_DIR/staff.json, or PostgreSQL
// when DATABASE_URL is set) from a CSV file and, when asked, removes the staff the file no longer lists. A person
// runs it, so the output is plain text.
// Exit codes: 0 every row imported; 1 some rows rejected (the others were imported); 2 nothing imported
// (the file or a setting is unusable) and the directory is unchanged.
import { readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { config as loadDotenv } from 'dotenv';
import type { AuditEvent, UpsertSummary } from '../esr/ports.js';
import { DEFAULT_ORG_CODE, parseStaffCsv, type StaffCsvResult, type StaffCsvRowError } from '../esr/staffCsv.js';
import type { StaffRecord } from '../esr/types.js';
import { DataFileError } from '../storage/atomicJsonFile.js';
import { JsonlAuditLog } from '../storage/jsonlAuditLog.js';
import { LowdbAccountStore } from '../storage/lowdbAccountStore.js';
import { LowdbStaffDirectory } from '../storage/lowdbStaffDirectory.js';
import { LowdbTokenStore } from '../storage/lowdbTokenStore.js';
import { migrate } from '../storage/postgres/migrate.js';
import { PgAuditLog } from '../storage/postgres/pgAuditLog.js';
import { PgStaffDirectory, TooManyRemovalsError, type ImportSummary } from '../storage/postgres/pgStaffDirectory.js';
import { createPool, describeDatabaseUrl } from '../storage/postgres/pool.js';
import { csvCell } from '../tickets/exportCsv.js';
import { ConfigError } from '../bot/config.js';
import { parseOrganisations } from '../bot/organisations.js';

const USAGE =
  'Usage: npm run staff:import -- <staff.csv> [--dry-run] [--data-dir DIR] [--ignore-extra-columns] [--rejects FILE] [--remove-missing [--force]]';
const MAX_ROWS_SHOWN = 200;
/** --remove-missing removes at most this share of the directory without --force: a partial export is a likelier cause. */
const MAX_REMOVAL_SHARE = 0.1;

/** A reason to stop with nothing imported (exit 2). */
class CannotImport extends Error {}

interface Args {
  file: string;
  dryRun: boolean;
  dataDir?: string;
  ignoreExtraColumns: boolean;
  rejects?: string;
  removeMissing: boolean;
  force: boolean;
}

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

  // With an organisations file, rows may be of any organisation served; without it, the one ESR_ORG_CODE.
  const served = await servedOrganisations(dataDir);
  const parsed = parseStaffCsv(await readCsvText(args.file), { orgCode: served?.[0] ?? orgCode, ...(served ? { organisations: served } : {}), today: new Date(), ignoreExtraColumns: args.ignoreExtraColumns });
  if (parsed.kind === 'unreadable') {
    const hint = parsed.unknownColumns ? `\nIf the file is right and those columns are simply not needed, add --ignore-extra-columns to skip them.` : '';
    throw new CannotImport(`${args.file}: ${parsed.reason}${hint}`);
  }
  const { records, errors, rowCount } = parsed;
  // With DATABASE_URL the directory the bot reads is the database's: the import goes there instead.
  const databaseUrl = process.env.DATABASE_URL?.trim();
  if (databaseUrl) return importIntoPostgres(databaseUrl, args, parsed, started);

  // Without a directory file, opening one would create it: nothing is written before the checks pass.
  const directory = (await exists(staffFile)) ? await LowdbStaffDirectory.open(staffFile) : undefined;
  const leavers = args.removeMissing && directory ? directory.usernames().filter((username) => !parsed.usernames.has(username)).sort() : [];
  const directorySize = directory ? await directory.count() : 0;
  const tooMany = leavers.length > directorySize * MAX_REMOVAL_SHARE;
  if (tooMany && !args.force && !args.dryRun) {
    throw new CannotImport(
      `--remove-missing would remove ${leavers.length} of the ${directorySize} staff in the directory, more than ${MAX_REMOVAL_SHARE * 100}%. ` +
        'Check that the file is the full export (see them with --dry-run), then add --force to remove them.',
    );
  }
  // Written before the directory is touched, so a bad path stops the import rather than losing the list.
  if (args.rejects) await writeRejects(args.rejects, errors);

  let summary: UpsertSummary;
  let removed = { staff: 0, accounts: 0, tokens: 0 };
  if (args.dryRun) {
    summary = await preview(directory, records);
  } else {
    // Opened before the directory is touched, so an unwritable audit log stops the import, not the record of it.
    const audit = await new JsonlAuditLog(join(dataDir, 'audit.jsonl')).init();
    const target = directory ?? (await LowdbStaffDirectory.open(staffFile));
    summary = await target.upsertMany(records);
    if (leavers.length > 0) removed = await removeLeavers(dataDir, target, leavers);
    const at = new Date().toISOString();
    const detail = { rows: rowCount, added: summary.added, updated: summary.updated, unchanged: summary.unchanged, rejected: errors.length, ...(args.removeMissing ? { removed: removed.staff } : {}) };
    const outcome: AuditEvent['outcome'] = records.length === 0 && errors.length > 0 ? 'failure' : 'success';
    const events: AuditEvent[] = [
      { at, action: 'staff.imported', actor: { kind: 'admin' as const }, channel: 'import' as const, outcome, detail },
      ...leavers.map((username) => ({ at, action: 'staff.removed', actor: { kind: 'admin' as const }, channel: 'import' as const, outcome: 'success' as const, username, detail: { reason: 'missing_from_import' } })),
    ];
    try {
      for (const event of events) await audit.record(event);
    } catch (error) {
      console.error(`Warning: the import was saved but could not be written to the audit log: ${message(error)}`);
    }
  }

  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  printSummary({ args, staffFile, rowCount, summary, errors, seconds, leavers, removed, tooMany, directorySize, ignoredColumns: parsed.ignoredColumns });
  return errors.length > 0 ? 1 : 0;
}

// The same import into PostgreSQL, in one transaction through PgStaffDirectory.importAll (COPY into a staging
// table, then the merge): removals, with the leavers' accounts and tokens, happen inside it, and the 10% guard
// is checked there too, so a refused import rolls back whole. A dry run does the same and rolls back.
async function importIntoPostgres(url: string, args: Args, parsed: Extract<StaffCsvResult, { kind: 'parsed' }>, started: number): Promise<number> {
  const { records, errors, rowCount } = parsed;
  const where = `PostgreSQL at ${describeDatabaseUrl(url)}`;
  const pool = createPool(url, { applicationName: 'esr-helpdesk-staff-import', max: 2 });
  try {
    try {
      await migrate(pool);
    } catch (error) {
      throw new CannotImport(`the database (DATABASE_URL, ${where}) cannot be used: ${message(error)}`);
    }
    if (args.rejects) await writeRejects(args.rejects, errors);
    const imported = new Set(records.map((r) => r.username));
    let result: ImportSummary;
    try {
      result = await new PgStaffDirectory(pool).importAll(records, {
        removeMissing: args.removeMissing,
        keepUsernames: [...parsed.usernames].filter((username) => !imported.has(username)),
        dryRun: args.dryRun,
        ...(args.force || args.dryRun ? {} : { maxRemovalShare: MAX_REMOVAL_SHARE }),
      });
    } catch (error) {
      if (!(error instanceof TooManyRemovalsError)) throw error;
      throw new CannotImport(
        `--remove-missing would remove ${error.removals} of the ${error.directorySize} staff in the directory, more than ${MAX_REMOVAL_SHARE * 100}%. ` +
          'Check that the file is the full export (see them with --dry-run), then add --force to remove them.',
      );
    }
    const leavers = result.removedUsernames;
    if (!args.dryRun) {
      const at = new Date().toISOString();
      const detail = { rows: rowCount, added: result.added, updated: result.updated, unchanged: result.unchanged, rejected: errors.length, ...(args.removeMissing ? { removed: result.removed } : {}) };
      const outcome: AuditEvent['outcome'] = records.length === 0 && errors.length > 0 ? 'failure' : 'success';
      const events: AuditEvent[] = [
        { at, action: 'staff.imported', actor: { kind: 'admin' as const }, channel: 'import' as const, outcome, detail },
        ...leavers.map((username) => ({ at, action: 'staff.removed', actor: { kind: 'admin' as const }, channel: 'import' as const, outcome: 'success' as const, username, detail: { reason: 'missing_from_import' } })),
      ];
      try {
        const audit = new PgAuditLog(pool);
        for (const event of events) await audit.record(event);
      } catch (error) {
        console.error(`Warning: the import was saved but could not be written to the audit log: ${message(error)}`);
      }
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(2);
    printSummary({
      args,
      staffFile: where,
      rowCount,
      summary: result,
      errors,
      seconds,
      leavers,
      removed: { staff: result.removed, accounts: result.removedAccounts, tokens: result.removedTokens },
      tooMany: leavers.length > result.before * MAX_REMOVAL_SHARE,
      directorySize: result.before,
      ignoredColumns: parsed.ignoredColumns,
    });
    return errors.length > 0 ? 1 : 0;
  } finally {
    await pool.end();
  }
}

// Leavers go from the directory, and their credential state and reset tokens with them: nothing left could
// sign them in or be mailed to them. Tickets they raised stay, and age out under RETENTION_DAYS as all do.
async function removeLeavers(dataDir: string, directory: LowdbStaffDirectory, leavers: string[]): Promise<{ staff: number; accounts: number; tokens: number }> {
  const staff = (await directory.removeMany(leavers)).length;
  const accountsFile = join(dataDir, 'accounts.json');
  const tokensFile = join(dataDir, 'tokens.json');
  const accounts = (await exists(accountsFile)) ? await (await LowdbAccountStore.open(accountsFile)).removeMany(leavers) : 0;
  const tokens = (await exists(tokensFile)) ? await (await LowdbTokenStore.open(tokensFile)).removeForUsernames(leavers) : 0;
  return { staff, accounts, tokens };
}

/** Every rejected row, one line per problem, as CSV a spreadsheet opens. */
async function writeRejects(file: string, errors: StaffCsvRowError[]): Promise<void> {
  const lines = [['line', 'column', 'reason'].join(',')];
  for (const error of errors) {
    for (const problem of error.problems) lines.push([String(error.line), problem.column ?? '', problem.reason].map(csvCell).join(','));
  }
  try {
    // A BOM so Excel reads it as UTF-8; owner-only, as it names staff.
    await writeFile(file, `\uFEFF${lines.join('\r\n')}\r\n`, { mode: 0o600 });
  } catch (error) {
    throw new CannotImport(`the rejects file ${file} cannot be written (${(error as NodeJS.ErrnoException).code ?? message(error)})`);
  }
}

function readArgs(argv: string[]): Args {
  let values: {
    'dry-run'?: boolean;
    'data-dir'?: string;
    'ignore-extra-columns'?: boolean;
    rejects?: string;
    'remove-missing'?: boolean;
    force?: boolean;
    help?: boolean;
  };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'dry-run': { type: 'boolean' },
        'data-dir': { type: 'string' },
        'ignore-extra-columns': { type: 'boolean' },
        rejects: { type: 'string' },
        'remove-missing': { type: 'boolean' },
        force: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CannotImport(`${message(error)}\n${USAGE}`);
  }
  if (values.help) {
    console.log(`${USAGE}\nThe columns and options are described in README.md; test/fixtures/staff-example.csv is an example.`);
    process.exit(0);
  }
  const [file, ...extra] = positionals;
  if (!file || extra.length > 0) throw new CannotImport(`give exactly one CSV file.\n${USAGE}`);
  if (values.force && !values['remove-missing']) throw new CannotImport(`--force only applies to --remove-missing.\n${USAGE}`);
  return {
    file,
    dryRun: values['dry-run'] ?? false,
    dataDir: values['data-dir'],
    ignoreExtraColumns: values['ignore-extra-columns'] ?? false,
    rejects: values.rejects,
    removeMissing: values['remove-missing'] ?? false,
    force: values.force ?? false,
  };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
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

/** What an import would do, without writing: an existing directory is only read. */
async function preview(directory: LowdbStaffDirectory | undefined, records: StaffRecord[]): Promise<UpsertSummary> {
  const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0 };
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
  args: Args;
  staffFile: string;
  rowCount: number;
  summary: UpsertSummary;
  errors: StaffCsvRowError[];
  seconds: string;
  leavers: string[];
  removed: { staff: number; accounts: number; tokens: number };
  tooMany: boolean;
  directorySize: number;
  ignoredColumns: string[];
}): void {
  const { summary, errors, args, leavers } = report;
  const dryRun = args.dryRun;
  const lines = [
    dryRun
      ? `Dry run: checked ${basename(args.file)} against ${report.staffFile} in ${report.seconds} s. Nothing was written to the staff directory.`
      : `Imported ${basename(args.file)} into ${report.staffFile} in ${report.seconds} s.`,
    `  rows read: ${report.rowCount}`,
    `  added:     ${summary.added}${dryRun ? ' (would be)' : ''}`,
    `  updated:   ${summary.updated}${dryRun ? ' (would be)' : ''}`,
    `  unchanged: ${summary.unchanged}`,
    `  rejected:  ${errors.length}`,
  ];
  if (args.removeMissing) lines.push(`  removed:   ${dryRun ? `${leavers.length} (would be)` : report.removed.staff}`);
  if (report.ignoredColumns.length > 0) lines.push(`  ignored columns: ${report.ignoredColumns.join(', ')}`);
  if (leavers.length > 0) {
    lines.push(
      '',
      dryRun
        ? 'Staff not in the file, who would be removed with their passwords and reset links:'
        : `Removed staff not in the file (${report.removed.accounts} with a password, ${report.removed.tokens} reset link(s) deleted with them):`,
    );
    for (const username of leavers.slice(0, MAX_ROWS_SHOWN)) lines.push(`  ${username}`);
    if (leavers.length > MAX_ROWS_SHOWN) lines.push(`  ... and ${leavers.length - MAX_ROWS_SHOWN} more`);
    if (dryRun && report.tooMany && !args.force) {
      lines.push(`  That is more than ${MAX_REMOVAL_SHARE * 100}% of the ${report.directorySize} in the directory: a real run would refuse without --force.`);
    }
  }
  if (errors.length > 0) {
    lines.push('', `Rejected rows (the other rows ${dryRun ? 'would be' : 'were'} imported; fix these and import the file again):`);
    for (const error of errors.slice(0, MAX_ROWS_SHOWN)) lines.push(`  line ${error.line}: ${error.reason}`);
    if (errors.length > MAX_ROWS_SHOWN) {
      const where = args.rejects ? `all ${errors.length} are listed in ${args.rejects}` : 'run again with --rejects FILE to get them all in a file';
      lines.push(`  ... and ${errors.length - MAX_ROWS_SHOWN} more (${where})`);
    } else if (args.rejects) {
      lines.push(`  (also listed in ${args.rejects})`);
    }
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
