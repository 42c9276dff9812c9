// Reads a staff directory CSV (the file an admin exports from ESR or keeps in Excel) into StaffRecords.
// Pure: text in, records and per-line problems out; reading files and writing the directory belong to the
// import script. The CSV reader is our own, small one so that every problem names the physical line of the
// file, even after a quoted value that spans lines, and so a stray quote rejects one row, not the file.
import type { z } from 'zod';
import { parseDateOfBirth } from './dates.js';
import { staffRecordSchema } from './schemas.js';
import { STAFF_GROUPS, type StaffGroup, type StaffRecord } from './types.js';

export const DEFAULT_ORG_CODE = '241';

/**
 * The CSV columns, in the order the README and the example file list them, with the other names ESR reports
 * and Excel give them. Names are compared after normalising (see headerKey), so "Work Email Address",
 * "WORK_EMAIL_ADDRESS" and "work email address" are one name.
 */
export const STAFF_CSV_COLUMNS = [
  { name: 'username', field: 'username', required: true, aliases: ['user_name', 'esr_username'] },
  { name: 'first_name', field: 'firstName', required: true, aliases: ['forename', 'first_names'] },
  { name: 'last_name', field: 'lastName', required: true, aliases: ['surname'] },
  { name: 'work_email', field: 'workEmail', required: true, aliases: ['work_email_address', 'email_address', 'email'] },
  { name: 'date_of_birth', field: 'dateOfBirth', required: true, aliases: ['dob'] },
  { name: 'staff_group', field: 'staffGroup', required: true, aliases: [] },
  { name: 'entra_object_id', field: 'entraObjectId', required: false, aliases: [] },
  { name: 'upn', field: 'upn', required: false, aliases: ['user_principal_name'] },
  { name: 'employee_number', field: 'employeeNumber', required: false, aliases: [] },
  { name: 'assignment_number', field: 'assignmentNumber', required: false, aliases: [] },
  { name: 'organisation_code', field: 'organisationCode', required: false, aliases: ['organization_code', 'org_code'] },
] as const satisfies ReadonlyArray<{ name: string; field: keyof StaffRecord; required: boolean; aliases: readonly string[] }>;

type ColumnName = (typeof STAFF_CSV_COLUMNS)[number]['name'];

export interface StaffCsvOptions {
  /** The trust's three-digit ESR organisation code; every username must start with it (or with its row's organisation_code). */
  orgCode?: string;
  /** The organisation codes this deployment serves (the organisations file): a username may start with any of them, which becomes its record's organisationCode. */
  organisations?: string[];
  /** Dates of birth after this are refused. */
  today?: Date;
  /** Columns the file has beyond STAFF_CSV_COLUMNS are skipped rather than refusing the file. */
  ignoreExtraColumns?: boolean;
}

/** One problem of a rejected row. */
export interface StaffCsvProblem {
  /** The column as the file's header names it; absent for a problem of the whole row. */
  column?: string;
  /** Plain English, starting with the column's name when there is one. */
  reason: string;
}

export interface StaffCsvRowError {
  /** Physical line in the file where the row starts; the header is line 1. */
  line: number;
  /** Plain English, naming the column, e.g. "work_email should be an email address, like first.last@nhs.net". */
  reason: string;
  /** The same problems one by one, for a rejects file. */
  problems: StaffCsvProblem[];
}

export type StaffCsvResult =
  | {
      kind: 'parsed';
      /** Valid rows, in file order. */
      records: StaffRecord[];
      /** Rejected rows, in file order, one per row (several problems are joined with "; "). */
      errors: StaffCsvRowError[];
      /** Data rows read (not counting the header and blank lines). */
      rowCount: number;
      /**
       * Every well-formed username the file names, rejected rows included: a row rejected for a bad email
       * is still someone in the file, so removing "staff missing from the file" must not remove them.
       */
      usernames: Set<string>;
      /** Columns skipped under ignoreExtraColumns, as the header names them. */
      ignoredColumns: string[];
    }
  | {
      /** The file as a whole cannot be used (empty, no header, wrong columns, a quote never closed). */
      kind: 'unreadable';
      reason: string;
      /** When the reason is columns we do not know: their names, so a caller can suggest skipping them. */
      unknownColumns?: string[];
    };

export function parseStaffCsv(text: string, options: StaffCsvOptions = {}): StaffCsvResult {
  const orgCode = options.orgCode ?? DEFAULT_ORG_CODE;
  if (!/^\d{3}$/.test(orgCode)) throw new Error(`orgCode should be three digits, like 241 (got "${orgCode}")`);
  const today = options.today ?? new Date();

  const csv = readCsv(text, detectDelimiter(text));
  if (!csv.ok) {
    return unreadable(`the quoted value that starts on line ${csv.openedOnLine} is never closed (a closing quote mark " is missing)`);
  }
  const [header, ...rows] = csv.rows.filter((row) => row.fields.some((value) => value.trim() !== ''));
  if (!header) return unreadable('the file is empty');
  const columns = readHeader(header, options.ignoreExtraColumns ?? false);
  if ('reason' in columns) return { kind: 'unreadable', ...columns };

  const records: StaffRecord[] = [];
  const errors: StaffCsvRowError[] = [];
  const context: RowContext = { orgCode, today, firstLineOf: new Map(), usernames: new Set(), width: header.fields.length, ...(options.organisations ? { organisations: options.organisations } : {}) };
  for (const row of rows) {
    const result = readRow(row, columns, context);
    if (Array.isArray(result)) errors.push({ line: row.line, reason: result.map((p) => p.reason).join('; '), problems: result });
    else records.push(result);
  }
  return { kind: 'parsed', records, errors, rowCount: rows.length, usernames: context.usernames, ignoredColumns: columns.ignored };
}

function unreadable(reason: string): StaffCsvResult {
  return { kind: 'unreadable', reason };
}

// ---- The header ----

const COLUMN_LIST = STAFF_CSV_COLUMNS.map((c) => c.name).join(', ');

/** Case, spaces, hyphens and underscores do not matter in a column name: "Date of Birth" is date_of_birth. */
function headerKey(name: string): string {
  return name.replace(/^\uFEFF/, '').trim().toLowerCase().replace(/[\s_-]+/g, '_').replace(/^_|_$/g, '');
}

const COLUMN_BY_KEY = new Map<string, ColumnName>(STAFF_CSV_COLUMNS.flatMap((c) => [c.name, ...c.aliases].map((key) => [key, c.name] as const)));

interface Columns {
  /** Each known column's position in the file. */
  positions: Map<ColumnName, number>;
  /** Each known column as the file's header writes it, for messages. */
  labels: Map<ColumnName, string>;
  ignored: string[];
}

/** Maps each known column to its position in the file, or says why the header cannot be used. */
function readHeader(header: CsvRow, ignoreExtra: boolean): Columns | { reason: string; unknownColumns?: string[] } {
  const where = `the header (line ${header.line})`;
  if (header.problem) return { reason: `${where} has a stray quote mark (")` };
  const written = header.fields.map((value) => value.replace(/^\uFEFF/, '').trim());
  if (!written.some((name) => COLUMN_BY_KEY.has(headerKey(name)))) {
    return { reason: `line ${header.line} should be a header naming the columns (${COLUMN_LIST}), but it names none of them` };
  }
  const positions = new Map<ColumnName, number>();
  const labels = new Map<ColumnName, string>();
  const unknown: string[] = [];
  for (const [index, name] of written.entries()) {
    if (name === '') {
      // Excel leaves empty header cells after the last column when a sheet once had more.
      if (ignoreExtra) continue;
      return { reason: `column ${index + 1} of ${where} has no name (is there a stray delimiter at the end?)` };
    }
    const column = COLUMN_BY_KEY.get(headerKey(name));
    if (!column) unknown.push(name);
    else if (positions.has(column)) return { reason: `${where} names the column ${column} twice (as ${labels.get(column)!} and ${name})` };
    else {
      positions.set(column, index);
      labels.set(column, name);
    }
  }
  const missing = STAFF_CSV_COLUMNS.filter((c) => c.required && !positions.has(c.name)).map((c) => c.name);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`is missing the required ${plural(missing.length, 'column')} ${missing.join(', ')}`);
  if (unknown.length > 0 && !ignoreExtra) problems.push(`has unknown ${plural(unknown.length, 'column')} ${unknown.join(', ')}`);
  if (problems.length > 0) {
    const reason = `${where} ${problems.join(' and ')}; the columns are ${COLUMN_LIST} (the last five optional)`;
    return missing.length === 0 ? { reason, unknownColumns: unknown } : { reason };
  }
  return { positions, labels, ignored: unknown };
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

// ---- One data row ----

interface RowContext {
  orgCode: string;
  organisations?: string[];
  today: Date;
  /** Usernames seen so far, with the line they were first on. */
  firstLineOf: Map<string, number>;
  /** Every well-formed username named by any row. */
  usernames: Set<string>;
  /** Values every row should have: the header's width. */
  width: number;
}

/** A valid record, or the row's problems in column order. */
function readRow(row: CsvRow, columns: Columns, context: RowContext): StaffRecord | StaffCsvProblem[] {
  const label = (name: ColumnName) => columns.labels.get(name) ?? name;
  const nameOf = (index: number) => [...columns.positions].find(([, i]) => i === index)?.[0];
  const username = usernameIfValid(row.fields[columns.positions.get('username') ?? -1]);
  if (username !== undefined) context.usernames.add(username);
  if (row.problem) {
    const known = nameOf(row.problem.field);
    const column = known ? label(known) : `column ${row.problem.field + 1}`;
    const reason =
      row.problem.kind === 'stray_quote'
        ? `${column} has a stray quote mark (a value with a quote mark in it must be in double quotes, with the quote mark doubled: "")`
        : `${column} has text after its closing quote mark (put the whole value in double quotes)`;
    return [{ column, reason }];
  }
  if (row.fields.length !== context.width) {
    const hint = row.fields.length > context.width ? ' (a value with a delimiter in it must be in double quotes)' : '';
    return [{ reason: `has ${row.fields.length} values but the header has ${context.width} columns${hint}` }];
  }

  const problems = new Map<ColumnName, string>();
  const candidate: Record<string, string> = {};
  for (const column of STAFF_CSV_COLUMNS) {
    const index = columns.positions.get(column.name);
    const value = index === undefined ? '' : (row.fields[index] ?? '').trim();
    if (value === '') {
      if (column.required) problems.set(column.name, 'is required');
      continue;
    }
    candidate[column.field] = value;
  }
  // Names: a line break typed into an Excel cell is layout, not part of the name.
  for (const field of ['firstName', 'lastName'] as const) {
    if (candidate[field] !== undefined) candidate[field] = candidate[field].replace(/\s+/g, ' ');
  }
  if (candidate.staffGroup !== undefined) {
    const group = readStaffGroup(candidate.staffGroup);
    if (group) candidate.staffGroup = group;
    else problems.set('staff_group', `"${shorten(candidate.staffGroup)}" should be one of ${STAFF_GROUPS.join(', ')}`);
  }
  if (candidate.dateOfBirth !== undefined) {
    const date = readDateOfBirth(candidate.dateOfBirth, context.today);
    if (date.ok) candidate.dateOfBirth = date.iso;
    else problems.set('date_of_birth', date.problem);
  }
  // A file for several organisations says whose each row is (organisation_code); where it does not, and the
  // deployment serves several (the organisations file), the served one its username starts with; otherwise
  // every row is the configured one's.
  const served = context.organisations;
  if (columns.positions.has('organisation_code') || served) candidate.organisationCode ??= served?.find((code) => username?.startsWith(code)) ?? context.orgCode;
  const orgCode = /^\d{3}$/.test(candidate.organisationCode ?? '') ? candidate.organisationCode! : context.orgCode;

  const parsed = staffRecordSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const column = STAFF_CSV_COLUMNS.find((c) => c.field === issue.path[0]);
      if (!column || problems.has(column.name)) continue;
      problems.set(column.name, describeIssue(column.name, candidate[column.field] ?? '', issue, orgCode));
    }
  }
  if (username !== undefined && !problems.has('username')) {
    const firstLine = context.firstLineOf.get(username);
    if (served && !served.includes(orgCode)) {
      problems.set('username', `${username} is of organisation ${orgCode}, which is not one of the organisations served (${served.join(', ')})`);
    } else if (!username.startsWith(orgCode)) {
      problems.set('username', served && served.length > 1 ? `${username} should start with one of the organisation codes ${served.join(', ')}` : `${username} should start with the organisation code ${orgCode}`);
    } else if (firstLine !== undefined) {
      problems.set('username', `${username} is repeated; it was first on line ${firstLine}`);
    } else {
      context.firstLineOf.set(username, row.line);
    }
  }

  if (problems.size > 0) {
    // Column order, so a row's problems always read the same way.
    return STAFF_CSV_COLUMNS.filter((c) => problems.has(c.name)).map((c) => ({ column: label(c.name), reason: `${label(c.name)} ${problems.get(c.name)!}` }));
  }
  if (!parsed.success) return [{ reason: 'is not a valid staff record' }]; // unreachable while every field maps to a column
  return parsed.data;
}

function readStaffGroup(value: string): StaffGroup | undefined {
  const normal = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return STAFF_GROUPS.find((group) => group === normal);
}

// A date of birth is one of the two facts that recover an ESR login, so no output (console, rejects file)
// ever shows one whole: at most its year, with day and month masked.
function readDateOfBirth(value: string, today: Date): { ok: true; iso: string } | { ok: false; problem: string } {
  const shown = maskDateOfBirth(value);
  const format = `${shown} should be a date as yyyy-mm-dd or dd/mm/yyyy, like 1985-03-14 or 14/03/1985`;
  // Only the two documented forms: parseDateOfBirth also reads chat-style dates ("14 March 85") that an
  // export should never contain.
  if (/^\d{1,2}\/\d{1,2}\/\d{2}$/.test(value)) return { ok: false, problem: `${shown} has a two-digit year, which is ambiguous (write the year in full, like 14/03/1985)` };
  if (!/^\d{4}-\d{1,2}-\d{1,2}$/.test(value) && !/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(value)) return { ok: false, problem: format };
  const parsed = parseDateOfBirth(value, today);
  if (parsed.ok) return { ok: true, iso: parsed.iso };
  switch (parsed.reason) {
    case 'no_such_date':
      return { ok: false, problem: `${shown} is not a real date (dd/mm/yyyy is read day first)` };
    case 'future':
      return { ok: false, problem: `${shown} is in the future` };
    case 'too_old':
      return { ok: false, problem: `${shown} is more than 110 years ago` };
    case 'format':
      return { ok: false, problem: format };
  }
}

/** "14/03/1985" as "**\/**\/1985", "1985-03-14" as "1985-**-**"; anything else is not shown at all. */
export function maskDateOfBirth(value: string): string {
  const dayFirst = /^\d{1,2}([/.-])\d{1,2}\1(\d{2}|\d{4})$/.exec(value);
  if (dayFirst) return `**${dayFirst[1]!}**${dayFirst[1]!}${dayFirst[2]!}`;
  const yearFirst = /^(\d{4})-\d{1,2}-\d{1,2}$/.exec(value);
  if (yearFirst) return `${yearFirst[1]!}-**-**`;
  return '(value not shown)';
}

function describeIssue(column: ColumnName, value: string, issue: z.core.$ZodIssue, orgCode: string): string {
  const shown = `"${shorten(value)}"`;
  if (column === 'username') return `${shown} should be the organisation code, initial and surname, then two digits, like ${orgCode}JSMITH01`;
  if (issue.code === 'too_big') return `${shown} should be at most ${String(issue.maximum)} characters`;
  return `${shown} ${issue.message}`;
}

function usernameIfValid(value: string | undefined): string | undefined {
  const parsed = staffRecordSchema.shape.username.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function shorten(value: string): string {
  const oneLine = value.replace(/\s+/g, ' ');
  return oneLine.length > 40 ? `${oneLine.slice(0, 37)}...` : oneLine;
}

// ---- The CSV reader (RFC 4180, plus: UTF-8 BOM, LF / CRLF / CR line ends, spaces around quoted values,
// and the semicolon or tab that Excel writes in place of the comma in some locales and "Text" formats) ----

interface CsvRow {
  /** Physical line where the row starts. */
  line: number;
  fields: string[];
  /** The first quoting mistake in the row; the row is rejected but reading goes on with the next row. */
  problem?: { field: number; kind: 'stray_quote' | 'text_after_quote' };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const SEMICOLON = 0x3b;
const TAB = 0x09;
const CR = 0x0d;
const LF = 0x0a;

/**
 * The delimiter is whichever of comma, semicolon and tab the header line uses most outside quotes; column
 * names never contain them, so the header is a fair sample. A tie (or none) means comma.
 */
export function detectDelimiter(text: string): number {
  const counts = new Map<number, number>([
    [COMMA, 0],
    [SEMICOLON, 0],
    [TAB, 0],
  ]);
  let quoted = false;
  for (let i = text.charCodeAt(0) === 0xfeff ? 1 : 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) quoted = !quoted;
    else if (!quoted && (c === LF || c === CR)) {
      // Blank lines before the header do not count as the header.
      if ([...counts.values()].some((n) => n > 0) || text.slice(0, i).trim() !== '') break;
    } else if (!quoted && counts.has(c)) counts.set(c, counts.get(c)! + 1);
  }
  let best = COMMA;
  for (const [c, n] of counts) if (n > counts.get(best)!) best = c;
  return best;
}

function readCsv(text: string, delimiter: number): { ok: true; rows: CsvRow[] } | { ok: false; openedOnLine: number } {
  const isFieldEnd = (c: number) => c === delimiter || c === CR || c === LF;
  // Blanks around a quoted value are skipped, but a tab is a blank only when it is not the delimiter.
  const skipBlanks = (i: number) => {
    while (text.charCodeAt(i) === 0x20 || (text.charCodeAt(i) === TAB && delimiter !== TAB)) i++;
    return i;
  };
  const scanUnquoted = (i: number) => {
    while (i < text.length && !isFieldEnd(text.charCodeAt(i))) i++;
    return i;
  };
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const row: CsvRow = { line, fields: [] };
    for (;;) {
      let value: string;
      const start = skipBlanks(i);
      if (text.charCodeAt(start) === QUOTE) {
        const openedOnLine = line;
        i = start + 1;
        let chunkStart = i;
        let closed = false;
        value = '';
        while (i < n) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            value += text.slice(chunkStart, i);
            i++;
            closed = true;
            break;
          }
          // A CRLF counts once, at its LF.
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        if (!closed) return { ok: false, openedOnLine };
        i = skipBlanks(i);
        if (i < n && !isFieldEnd(text.charCodeAt(i))) {
          row.problem ??= { field: row.fields.length, kind: 'text_after_quote' };
          const end = scanUnquoted(i);
          value += text.slice(i, end);
          i = end;
        }
      } else {
        const end = scanUnquoted(i);
        value = text.slice(i, end);
        if (value.includes('"')) row.problem ??= { field: row.fields.length, kind: 'stray_quote' };
        i = end;
      }
      row.fields.push(value);
      if (i >= n) break;
      if (text.charCodeAt(i) === delimiter) {
        i++;
        continue;
      }
      i += text.charCodeAt(i) === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }
    rows.push(row);
  }
  return { ok: true, rows };
}
