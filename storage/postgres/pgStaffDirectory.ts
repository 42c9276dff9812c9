// The staff directory in PostgreSQL (table staff). Every lookup is one indexed query, so there is no copy in
// memory to reload: an import by another process is seen on the next lookup.
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { StaffDirectory, UpsertSummary } from '../../esr/ports.js';
import { staffRecordSchema } from '../../esr/schemas.js';
import type { StaffRecord } from '../../esr/types.js';
import { inTransaction, prepared } from './pool.js';

/** Records per INSERT: large enough to be quick, small enough to stay well under the parameter limits. */
export const UPSERT_BATCH = 1000;

const COLUMNS = 'username, first_name, last_name, work_email, date_of_birth, staff_group, entra_object_id, upn';
// date_of_birth::text is yyyy-mm-dd whatever the server's DateStyle; a JS Date would shift with time zones.
const SELECT = `SELECT username, first_name, last_name, work_email, date_of_birth::text AS date_of_birth, staff_group, entra_object_id, upn FROM staff`;

interface StaffRow {
  username: string;
  first_name: string;
  last_name: string;
  work_email: string;
  date_of_birth: string;
  staff_group: StaffRecord['staffGroup'];
  entra_object_id: string | null;
  upn: string | null;
}

export interface ImportOptions {
  /** Removes the usernames the export does not list (and their accounts and tokens). Default true. */
  removeMissing?: boolean;
  /** Usernames the export lists but that are not imported (rows rejected as invalid): never removed. */
  keepUsernames?: string[];
  /** Removing more than this share of the directory (0.1: 10%) rolls the import back with TooManyRemovalsError. Default no limit. */
  maxRemovalShare?: number;
  /** Does everything, then rolls back: the summary of an import that changes nothing. */
  dryRun?: boolean;
}

export interface ImportSummary extends UpsertSummary {
  removed: number;
  /** The usernames removed, sorted. */
  removedUsernames: string[];
  /** Account states and tokens removed with them. */
  removedAccounts: number;
  removedTokens: number;
  /** Staff in the directory before the import. */
  before: number;
}

/** An import would have removed more than ImportOptions.maxRemovalShare of the directory: nothing was saved. */
export class TooManyRemovalsError extends Error {
  constructor(
    readonly removals: number,
    readonly directorySize: number,
  ) {
    super(`The import would remove ${removals} of the ${directorySize} staff in the directory. Nothing was saved.`);
    this.name = 'TooManyRemovalsError';
  }
}

export class PgStaffDirectory implements StaffDirectory {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async getByUsername(username: string): Promise<StaffRecord | undefined> {
    const { rows } = await this.#pool.query<StaffRow>(prepared(`${SELECT} WHERE username = upper($1)`, [username]));
    return rows[0] ? recordOf(rows[0]) : undefined;
  }
  findByEmail(email: string): Promise<StaffRecord[]> {
    return this.#find('lower(work_email) = lower($1)', email);
  }
  findByEntraObjectId(objectId: string): Promise<StaffRecord[]> {
    return this.#find('entra_object_id = lower($1)', objectId);
  }
  findByUpn(upn: string): Promise<StaffRecord[]> {
    return this.#find('lower(upn) = lower($1)', upn);
  }
  async count(): Promise<number> {
    const { rows } = await this.#pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM staff');
    return rows[0]!.n;
  }

  /** Adds new usernames and replaces changed ones, in batches inside one transaction; others stay as they were. */
  async upsertMany(records: StaffRecord[]): Promise<UpsertSummary> {
    const valid = records.map(validRecord);
    const summary: UpsertSummary = { added: 0, updated: 0, unchanged: 0 };
    if (valid.length === 0) return summary;
    await inTransaction(this.#pool, async (client) => {
      for (const batch of batches(valid)) {
        const counted = await upsertBatch(client, batch);
        summary.added += counted.added;
        summary.updated += counted.updated;
        summary.unchanged += counted.unchanged;
      }
    });
    return summary;
  }

  /**
   * Imports a full export from ESR: streamed with COPY into a staging table, then merged in one transaction,
   * so readers see the old directory or the new one, never half. With `removeMissing` (the default) usernames
   * missing from the export are removed, with their account state and tokens, in the same transaction; more
   * than `maxRemovalShare` of the directory rolls the whole import back (TooManyRemovalsError). `dryRun` does all of it and
   * rolls back, so the summary says exactly what an import would do. `records` may be any (async) iterable:
   * they are validated and sent as they come, so a large export need not be held in memory.
   */
  async importAll(records: Iterable<StaffRecord> | AsyncIterable<StaffRecord>, options: ImportOptions = {}): Promise<ImportSummary> {
    const { removeMissing = true, maxRemovalShare = Infinity, dryRun = false, keepUsernames = [] } = options;
    const client = await this.#pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('CREATE TEMPORARY TABLE staff_import (LIKE staff INCLUDING DEFAULTS) ON COMMIT DROP');
      const copy = client.query(copyFrom(`COPY staff_import (${COLUMNS}) FROM STDIN`));
      await pipeline(Readable.from(copyLines(records)), copy);
      const rowCount = copy.rowCount ?? 0;
      // Checked in the database, so a username set of millions is never held here.
      const twice = await client.query<{ username: string }>('SELECT username FROM staff_import GROUP BY username HAVING count(*) > 1 LIMIT 1');
      if (twice.rows[0]) throw new TypeError(`The import names a username twice (${twice.rows[0].username}). Nothing was saved.`);
      await client.query('CREATE INDEX ON staff_import (username)');
      await client.query('ANALYZE staff_import');
      const { rows } = await client.query<{ before: number; added: number; updated: number }>(`
        SELECT
          (SELECT count(*) FROM staff)::integer AS before,
          (SELECT count(*) FROM staff_import i WHERE NOT EXISTS (SELECT 1 FROM staff s WHERE s.username = i.username))::integer AS added,
          (SELECT count(*) FROM staff_import i JOIN staff s USING (username)
            WHERE (s.first_name, s.last_name, s.work_email, s.date_of_birth, s.staff_group, s.entra_object_id, s.upn)
              IS DISTINCT FROM (i.first_name, i.last_name, i.work_email, i.date_of_birth, i.staff_group, i.entra_object_id, i.upn))::integer AS updated`);
      const { before, added, updated } = rows[0]!;
      let removedUsernames: string[] = [];
      let removedAccounts = 0;
      let removedTokens = 0;
      if (removeMissing) {
        const removed = await client.query<{ username: string }>(
          `DELETE FROM staff s WHERE NOT EXISTS (SELECT 1 FROM staff_import i WHERE i.username = s.username)
             AND NOT s.username = ANY($1::text[]) RETURNING username`,
          [keepUsernames.map((u) => u.toUpperCase())],
        );
        removedUsernames = removed.rows.map((r) => r.username).sort();
        if (removedUsernames.length > before * maxRemovalShare) throw new TooManyRemovalsError(removedUsernames.length, before);
        if (removedUsernames.length > 0) {
          removedAccounts = (await client.query('DELETE FROM accounts WHERE username = ANY($1)', [removedUsernames])).rowCount ?? 0;
          removedTokens = (await client.query('DELETE FROM tokens WHERE username = ANY($1)', [removedUsernames])).rowCount ?? 0;
        }
      }
      await client.query(`
        INSERT INTO staff (${COLUMNS}) SELECT ${COLUMNS} FROM staff_import
        ON CONFLICT (username) DO UPDATE SET ${UPDATE_SET} WHERE ${CHANGED}`);
      await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
      // Fresh planner statistics at once, not when autovacuum gets round to it: a directory that grew from a
      // few rows to millions would otherwise be planned as the small one it was. The import has committed, so a
      // failure here (the statistics stay as they were) does not make it fail.
      if (!dryRun) await client.query('ANALYZE staff').catch(() => undefined);
      return { added, updated, unchanged: rowCount - added - updated, removed: removedUsernames.length, removedUsernames, removedAccounts, removedTokens, before };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** VACUUM (ANALYZE) of the staff table: what a DBA runs after a bulk load (the benchmark does, before measuring). */
  async vacuum(): Promise<void> {
    await this.#pool.query('VACUUM (ANALYZE) staff');
  }

  async #find(where: string, value: string): Promise<StaffRecord[]> {
    const { rows } = await this.#pool.query<StaffRow>(prepared(`${SELECT} WHERE ${where} ORDER BY username`, [value]));
    return rows.map(recordOf);
  }
}

const UPDATE_SET = ['first_name', 'last_name', 'work_email', 'date_of_birth', 'staff_group', 'entra_object_id', 'upn'].map((c) => `${c} = EXCLUDED.${c}`).join(', ');
const CHANGED = `(staff.first_name, staff.last_name, staff.work_email, staff.date_of_birth, staff.staff_group, staff.entra_object_id, staff.upn)
  IS DISTINCT FROM (EXCLUDED.first_name, EXCLUDED.last_name, EXCLUDED.work_email, EXCLUDED.date_of_birth, EXCLUDED.staff_group, EXCLUDED.entra_object_id, EXCLUDED.upn)`;

// An unchanged record is left alone (the WHERE on DO UPDATE), so it returns no row. Of the rows returned,
// xmax = 0 marks a fresh insert: an updated row carries the updating transaction's id there.
async function upsertBatch(client: pg.PoolClient, batch: StaffRecord[]): Promise<UpsertSummary> {
  const column = <K extends keyof StaffRecord>(key: K) => batch.map((r) => r[key] ?? null);
  const { rows } = await client.query<{ inserted: boolean }>(
    `INSERT INTO staff (${COLUMNS})
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[], $7::text[], $8::text[])
     ON CONFLICT (username) DO UPDATE SET ${UPDATE_SET} WHERE ${CHANGED}
     RETURNING (xmax = 0) AS inserted`,
    [column('username'), column('firstName'), column('lastName'), column('workEmail'), column('dateOfBirth'), column('staffGroup'), column('entraObjectId'), column('upn')],
  );
  const added = rows.filter((r) => r.inserted).length;
  return { added, updated: rows.length - added, unchanged: batch.length - rows.length };
}

// One INSERT may not touch a row twice, so a username given twice starts a new batch: the second then
// counts against the first, as the embedded store counts it.
function* batches(records: StaffRecord[]): Generator<StaffRecord[]> {
  let batch: StaffRecord[] = [];
  let seen = new Set<string>();
  for (const record of records) {
    if (batch.length >= UPSERT_BATCH || seen.has(record.username)) {
      yield batch;
      batch = [];
      seen = new Set();
    }
    batch.push(record);
    seen.add(record.username);
  }
  if (batch.length > 0) yield batch;
}

// The same check and normalisation as the embedded directory, and the same message.
function validRecord(record: StaffRecord, index: number): StaffRecord {
  const parsed = staffRecordSchema.safeParse(record);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ');
  throw new TypeError(`Staff record ${index + 1} (${String(record.username)}) is not valid: ${issues}. Nothing was saved.`);
}

function recordOf(row: StaffRow): StaffRecord {
  return {
    username: row.username,
    firstName: row.first_name,
    lastName: row.last_name,
    workEmail: row.work_email,
    dateOfBirth: row.date_of_birth,
    staffGroup: row.staff_group,
    ...(row.entra_object_id !== null ? { entraObjectId: row.entra_object_id } : {}),
    ...(row.upn !== null ? { upn: row.upn } : {}),
  };
}

// COPY's text format: tab-separated, \N for null; backslash, tab and line breaks escaped. Each record is
// validated as it goes (a bad one ends the COPY, and the transaction rolls back); lines go in chunks of
// COPY_CHUNK, as one write per record would cost more than the record.
const COPY_CHUNK = 500;
async function* copyLines(records: Iterable<StaffRecord> | AsyncIterable<StaffRecord>): AsyncGenerator<string> {
  const field = (v: string | undefined) => (v === undefined ? '\\N' : v.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r'));
  let chunk = '';
  let inChunk = 0;
  let index = 0;
  for await (const record of records) {
    const r = validRecord(record, index++);
    chunk += `${[r.username, r.firstName, r.lastName, r.workEmail, r.dateOfBirth, r.staffGroup, r.entraObjectId, r.upn].map(field).join('\t')}\n`;
    if (++inChunk === COPY_CHUNK) {
      yield chunk;
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) yield chunk;
}
