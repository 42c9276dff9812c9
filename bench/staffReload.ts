// `npm run bench:staff-reload [-- --staff=200000]`: how long the event loop is held while the helpdesk
// reloads a staff directory that another process (the import) rewrote. Builds the directory through the
// real store in a temp folder, reloads it while lookups keep running, and prints the longest event-loop delay
// (perf_hooks monitorEventLoopDelay). Target: under 100 ms.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { LowdbStaffDirectory } from '../storage/lowdbStaffDirectory.js';
import { fictionalStaff } from '../test/support/fictionalStaff.js';

const arg = process.argv.find((a) => a.startsWith('--staff='));
const size = Number(arg ? arg.slice('--staff='.length) : (process.env.BENCH_STAFF ?? 200_000));
if (!Number.isInteger(size) || size < 1) throw new Error(`--staff should be a whole number of at least 1 (got "${String(size)}")`);

const dir = await mkdtemp(join(tmpdir(), 'esr-staff-reload-'));
try {
  const file = join(dir, 'staff.json');
  const directory = await LowdbStaffDirectory.open(file);
  const { records } = fictionalStaff(size, 1);
  const written = performance.now();
  await (await LowdbStaffDirectory.open(file)).upsertMany(records);
  const writeMs = performance.now() - written;

  let lookups = 0;
  let reloading = true;
  const lookupsDuring = (async () => {
    while (reloading) {
      await directory.getByUsername(records[lookups % records.length]!.username);
      lookups++;
      await new Promise((r) => setImmediate(r));
    }
  })();
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const started = performance.now();
  await directory.reloadIfChanged();
  const reloadMs = performance.now() - started;
  delay.disable();
  reloading = false;
  await lookupsDuring;

  const maxMs = delay.max / 1e6;
  const mb = (await stat(file)).size / 1024 / 1024;
  process.stdout.write(
    `Staff directory reload: ${(await directory.count()).toLocaleString('en-GB')} records, staff.json ${mb.toFixed(0)} MB (written in ${(writeMs / 1000).toFixed(1)} s).\n` +
      `Reload took ${(reloadMs / 1000).toFixed(1)} s; ${lookups.toLocaleString('en-GB')} lookups answered meanwhile; event-loop delay p99 ${(delay.percentile(99) / 1e6).toFixed(1)} ms, max ${maxMs.toFixed(1)} ms ` +
      `(target < 100 ms) ${maxMs < 100 ? 'PASS' : 'MISS'}\n`,
  );
} finally {
  await rm(dir, { recursive: true, force: true });
}
