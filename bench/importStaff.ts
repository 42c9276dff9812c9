// Loads a generated directory into the store the bot will open, through that store's own import path: with
// PostgreSQL, PgStaffDirectory.importAll (validated, streamed with COPY into a staging table, merged in one
// transaction: what `npm run staff:import` does with DATABASE_URL), fed as it asks so millions of records are
// never in memory; embedded, the directory's upsertMany (what the same script does without). On PostgreSQL the
// table is then vacuumed, as a DBA would after a bulk load: otherwise autovacuum does it during the first runs,
// and they measure the clean-up after loading millions of rows rather than a directory of that size.
import { performance } from 'node:perf_hooks';
import type { StaffDirectory } from '../esr/ports.js';
import type { StaffRecord } from '../esr/types.js';
import { PgStaffDirectory } from '../storage/postgres/pgStaffDirectory.js';

/** Returns how long the import took, in seconds. */
export async function importStaff(directory: StaffDirectory, count: number, records: Iterable<StaffRecord>): Promise<number> {
  const started = performance.now();
  if (directory instanceof PgStaffDirectory) {
    const summary = await directory.importAll(records);
    if (summary.added !== count) throw new Error(`The import added ${summary.added} of ${count} staff`);
    const seconds = (performance.now() - started) / 1000;
    const vacuumed = performance.now();
    await directory.vacuum();
    process.stderr.write(`  vacuumed the staff table after the import in ${((performance.now() - vacuumed) / 1000).toFixed(1)} s\n`);
    return seconds;
  } else {
    const all = [...records];
    if (new Set(all.map((r) => r.username)).size !== all.length) throw new Error('generated usernames are not unique');
    const summary = await directory.upsertMany(all);
    if (summary.added !== count) throw new Error(`The import added ${summary.added} of ${count} staff`);
  }
  return (performance.now() - started) / 1000;
}
