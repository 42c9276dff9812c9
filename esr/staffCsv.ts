// Reads a staff directory CSV (the file an admin exports from ESR or keeps in Excel) into StaffRecords.
// Pure: text in, records and per-line problems out; reading files and writing the directory belong to the
// import script. The CSV reader is our own, small one so that every problem names the physical line of the
// file, even after a quoted value that spans lines, and so a stray quote rejects one row, not the file.
import type { z } from 'zod';
import { parseDateOfBirth } from './dates.js';
import { staffRecordSchema } from './schemas.js';
import { STAFF_GROUPS, type StaffGroup, type StaffRecord } from './types.js';

export const DEFAULT_ORG_CODE = '241';

/** The CSV columns, in the order the README and the example file list them. */
export const STAFF_CSV_COLUMNS = [
  { name: 'username', field: 'username', required: true },
  { name: 'first_name', field: 'firstName', required: true },
  { name: 'last_name', field: 'lastName', required: true },
  { name: 'work_email', field: 'workEmail', required: true },
  { name: 'date_of_birth', field: 'dateOfBirth', required: true },
  { name: 'staff_group', field: 'staffGroup', required: true },
  { name: 'entra_object_id', field: 'entraObjectId', required: false },
  { name: 'upn', field: 'upn', required: false },
] as const satisfies ReadonlyArray<{ name: string; field: keyof StaffRecord; required: boolean }>;

type ColumnName = (typeof STAFF_CSV_COLUMNS)[number]['name'];

export interface StaffCsvOptions {
  /** The trust's three-digit ESR organisation code; every username must start with it (or with its row's organisation_code). */
  orgCode?: string;
  /** The organisation codes this deployment serves (the organisations file): a username may start with any of them, which becomes its record's organisationCode. */
  organisations?: string[];
  /** Dates of birth after this are refused. */
  today?: Date;
}

export interface StaffCsvRowError {
  /** Physical line in the file where the row starts; the header is line 1. */
  line: number;
  /** Plain English, naming the column, e.g. "work_email should be an email address, like first.last@nhs.net". */
  reason: string;
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
    }
  | {
      /** The file as a whole cannot be used (empty, no header, wrong columns, a quote never closed). */
      kind: 'unreadable';
      reason: string;
    };

export function parseStaffCsv(text: string, options: StaffCsvOptions = {}): StaffCsvResult {
  const orgCode = options.orgCode ?? DEFAULT_ORG_CODE;
  if (!/^\d{3}$/.test(orgCode)) throw new Error(`orgCode should be three digits, like 241 (got "${orgCode}")`);
  const today = options.today ?? new Date();

  const csv = readCsv(text);
  if (!csv.ok) {
    return unreadable(`the quoted value that starts on line ${csv.openedOnLine} is never closed (a closing quote mark " is missing)`);
  }
  const [header, ...rows] = csv.rows.filter((row) => row.fields.some((value) => value.trim() !== ''));
  if (!header) return unreadable('the file is empty');
  const columns = readHeader(header);
  if (typeof columns === 'string') return unreadable(columns);

  const records: StaffRecord[] = [];
  const errors: StaffCsvRowError[] = [];
  const firstLineOf = new Map<string, number>();
  for (const row of rows) {
    const result = readRow(row, columns, { orgCode, today, firstLineOf, ...(options.organisations ? { organisations: options.organisations } : {}) });
    if (typeof result === 'string') errors.push({ line: row.line, reason: result });
    else records.push(result);
  }
  return { kind: 'parsed', records, errors, rowCount: rows.length };
}

function unreadable(reason: string): StaffCsvResult {
  return { kind: 'unreadable', reason };
}

// ---- The header ----

const COLUMN_LIST = STAFF_CSV_COLUMNS.map((c) => c.name).join(', ');

/** Maps each known column to its position in the file, or says why the header cannot be used. */
function readHeader(header: CsvRow): Map<ColumnName, number> | string {
  const where = `the header (line ${header.line})`;
  if (header.problem) return `${where} has a stray quote mark (")`;
  const names = header.fields.map((value) => value.trim().toLowerCase());
  const known = new Set<string>(STAFF_CSV_COLUMNS.map((c) => c.name));
  if (!names.some((name) => known.has(name))) {
    return `line ${header.line} should be a header naming the columns (${COLUMN_LIST}), but it names none of them`;
  }
  const positions = new Map<ColumnName, number>();
  const unknown: string[] = [];
  for (const [index, name] of names.entries()) {
    if (name === '') return `column ${index + 1} of ${where} has no name (is there a stray comma at the end?)`;
    if (!known.has(name)) unknown.push(name);
    else if (positions.has(name as ColumnName)) return `${where} names the column ${name} twice`;
    else positions.set(name as ColumnName, index);
  }
  const missing = STAFF_CSV_COLUMNS.filter((c) => c.required && !positions.has(c.name)).map((c) => c.name);
  const problems: string[] = [];
  if (missing.length > 0) problems.push(`is missing the required ${plural(missing.length, 'column')} ${missing.join(', ')}`);
  if (unknown.length > 0) problems.push(`has unknown ${plural(unknown.length, 'column')} ${unknown.join(', ')}`);
  if (problems.length > 0) return `${where} ${problems.join(' and ')}; the columns are ${COLUMN_LIST} (the last two optional)`;
  return positions;
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
}

/** A valid record, or the reason the row is rejected. */
function readRow(row: CsvRow, columns: Map<ColumnName, number>, context: RowContext): StaffRecord | string {
  if (row.problem) {
    const column = [...columns].find(([, index]) => index === row.problem!.field)?.[0] ?? `column ${row.problem.field + 1}`;
    return row.problem.kind === 'stray_quote'
      ? `${column} has a stray quote mark (a value with a quote mark in it must be in double quotes, with the quote mark doubled: "")`
      : `${column} has text after its closing quote mark (put the whole value in double quotes)`;
  }
  const width = Math.max(...columns.values()) + 1;
  if (row.fields.length !== width) {
    const hint = row.fields.length > width ? ' (a value with a comma in it must be in double quotes)' : '';
    return `has ${row.fields.length} values but the header has ${width} columns${hint}`;
  }

  const problems = new Map<ColumnName, string>();
  const candidate: Record<string, string> = {};
  for (const column of STAFF_CSV_COLUMNS) {
    const index = columns.get(column.name);
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

  const parsed = staffRecordSchema.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const column = STAFF_CSV_COLUMNS.find((c) => c.field === issue.path[0]);
      if (!column || problems.has(column.name)) continue;
      problems.set(column.name, describeIssue(column.name, issue, context.orgCode));
    }
  }
  const username = parsed.success ? parsed.data.username : usernameIfValid(candidate.username);
  // The row's organisation: the record's own code when given, else the served one its username starts with, else the default.
  const served = context.organisations;
  const rowOrg = (parsed.success ? parsed.data.organisationCode : undefined) ?? served?.find((code) => username?.startsWith(code)) ?? context.orgCode;
  if (username !== undefined && !problems.has('username')) {
    const firstLine = context.firstLineOf.get(username);
    if (served && !served.includes(rowOrg)) {
      problems.set('username', `${username} is of organisation ${rowOrg}, which is not one of the organisations served (${served.join(', ')})`);
    } else if (!username.startsWith(rowOrg)) {
      problems.set('username', served && served.length > 1 ? `${username} should start with one of the organisation codes ${served.join(', ')}` : `${username} should start with the organisation code ${rowOrg}`);
    } else if (firstLine !== undefined) {
      problems.set('username', `${username} is repeated; it was first on line ${firstLine}`);
    } else {
      context.firstLineOf.set(username, row.line);
    }
  }

  if (problems.size > 0) {
    // Column order, so a row's problems always read the same way.
    return STAFF_CSV_COLUMNS.filter((c) => problems.has(c.name))
      .map((c) => `${c.name} ${problems.get(c.name)}`)
      .join('; ');
  }
  if (!parsed.success) return 'is not a valid staff record'; // unreachable while every field maps to a column
  return served ? { ...parsed.data, organisationCode: rowOrg } : parsed.data;
}

function readStaffGroup(value: string): StaffGroup | undefined {
  const normal = value.trim().toLowerCase().replace(/[\s-]+/g, '_');
  return STAFF_GROUPS.find((group) => group === normal);
}

function readDateOfBirth(value: string, today: Date): { ok: true; iso: string } | { ok: false; problem: string } {
  const format = 'should be a date as yyyy-mm-dd or dd/mm/yyyy, like 1985-03-14 or 14/03/1985';
  // Only the two documented forms: parseDateOfBirth also reads chat-style dates ("14 March 85") that an
  // export should never contain.
  if (/^\d{1,2}\/\d{1,2}\/\d{2}$/.test(value)) return { ok: false, problem: 'has a two-digit year, which is ambiguous (write the year in full, like 14/03/1985)' };
  if (!/^\d{4}-\d{1,2}-\d{1,2}$/.test(value) && !/^\d{1,2}\/\d{1,2}\/\d{4}$/.test(value)) return { ok: false, problem: format };
  const parsed = parseDateOfBirth(value, today);
  if (parsed.ok) return { ok: true, iso: parsed.iso };
  switch (parsed.reason) {
    case 'no_such_date':
      return { ok: false, problem: 'is not a real date (dd/mm/yyyy is read day first)' };
    case 'future':
      return { ok: false, problem: 'is in the future' };
    case 'too_old':
      return { ok: false, problem: 'is more than 110 years ago' };
    case 'format':
      return { ok: false, problem: format };
  }
}

function describeIssue(column: ColumnName, issue: z.core.$ZodIssue, orgCode: string): string {
  if (column === 'username') return `should be the organisation code, initial and surname, then two digits, like ${orgCode}JSMITH01`;
  if (issue.code === 'too_big') return `should be at most ${String(issue.maximum)} characters`;
  return issue.message;
}

function usernameIfValid(value: string | undefined): string | undefined {
  const parsed = staffRecordSchema.shape.username.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

function shorten(value: string): string {
  return value.length > 40 ? `${value.slice(0, 37)}...` : value;
}

// ---- The CSV reader (RFC 4180, plus: UTF-8 BOM, LF / CRLF / CR line ends, spaces around quoted values) ----

interface CsvRow {
  /** Physical line where the row starts. */
  line: number;
  fields: string[];
  /** The first quoting mistake in the row; the row is rejected but reading goes on with the next row. */
  problem?: { field: number; kind: 'stray_quote' | 'text_after_quote' };
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;

function readCsv(text: string): { ok: true; rows: CsvRow[] } | { ok: false; openedOnLine: number } {
  const rows: CsvRow[] = [];
  const n = text.length;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  while (i < n) {
    const row: CsvRow = { line, fields: [] };
    for (;;) {
      let value: string;
      const start = skipBlanks(text, i);
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
        i = skipBlanks(text, i);
        if (i < n && !isFieldEnd(text.charCodeAt(i))) {
          row.problem ??= { field: row.fields.length, kind: 'text_after_quote' };
          const end = scanUnquoted(text, i);
          value += text.slice(i, end);
          i = end;
        }
      } else {
        const end = scanUnquoted(text, i);
        value = text.slice(i, end);
        if (value.includes('"')) row.problem ??= { field: row.fields.length, kind: 'stray_quote' };
        i = end;
      }
      row.fields.push(value);
      if (i >= n) break;
      if (text.charCodeAt(i) === COMMA) {
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

function skipBlanks(text: string, i: number): number {
  while (text[i] === ' ' || text[i] === '\t') i++;
  return i;
}

function isFieldEnd(c: number): boolean {
  return c === COMMA || c === CR || c === LF;
}

function scanUnquoted(text: string, i: number): number {
  while (i < text.length && !isFieldEnd(text.charCodeAt(i))) i++;
  return i;
}
