// Reloading a large staff directory: lookups go on answering from the old indexes while the new file is
// read in slices, the new indexes replace them in one step, and the event loop is never held for long.
import { expect } from 'chai';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { LowdbStaffDirectory } from '../../storage/lowdbStaffDirectory.js';
import { STAFF } from '../support/esrHarness.js';
import { fictionalStaff } from '../support/fictionalStaff.js';

describe('reloading a large staff directory', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-staff-'));
    file = join(dir, 'staff.json');
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('answers lookups from the old directory throughout a 50,000-record reload, then from the new one, holding the event loop under 100 ms', async function () {
    this.timeout(60_000);
    const directory = await LowdbStaffDirectory.open(file);
    await directory.upsertMany([STAFF.aisha]);
    // The import script: another writer replacing the file.
    const { records, userRecords } = fictionalStaff(50_000, 10);
    await (await LowdbStaffDirectory.open(file)).upsertMany(records);

    const counts = new Set<number>();
    let lookups = 0;
    let reloading = true;
    const lookupLoop = (async () => {
      while (reloading) {
        counts.add(await directory.count());
        expect(await directory.getByUsername(STAFF.aisha.username)).to.not.equal(undefined);
        lookups++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = performance.now();
    const changed = await directory.reloadIfChanged();
    const ms = performance.now() - started;
    delay.disable();
    reloading = false;
    await lookupLoop;

    const maxMs = delay.max / 1e6;
    const p99Ms = delay.percentile(99) / 1e6;
    process.stdout.write(`      reload of 50,001 records: ${ms.toFixed(0)} ms, event-loop delay p99 ${p99Ms.toFixed(1)} ms, max ${maxMs.toFixed(1)} ms, ${lookups} lookups answered meanwhile\n`);
    expect(changed).to.equal(true);
    expect(lookups, 'lookups answered while the file was read').to.be.above(10);
    expect([...counts], 'the old directory or the new one, nothing in between').to.satisfy((seen: number[]) => seen.every((n) => n === 1 || n === 50_001));
    expect(await directory.count()).to.equal(50_001);
    expect((await directory.findByEntraObjectId(userRecords[3]!.entraObjectId!)).map((r) => r.username)).to.include(userRecords[3]!.username);
    // The p99, not the max: on a shared machine the max also counts time the process waited for a core
    // (idle machine: max ~35 ms; bench:staff-reload reports the max at 200,000 records).
    expect(p99Ms).to.be.below(100);
  });

  it('writes one record per line, still JSON as a whole', async () => {
    const directory = await LowdbStaffDirectory.open(file);
    await directory.upsertMany([STAFF.aisha, STAFF.tunde]);
    const text = await readFile(file, 'utf8');
    expect(text.split('\n')).to.have.length(5);
    expect((JSON.parse(text) as { version: number; records: unknown[] }).records).to.have.length(2);
  });

  it('reads a directory in the earlier one-line layout, and lays it out a line per record at the next write', async () => {
    await writeFile(file, JSON.stringify({ version: 1, records: [STAFF.aisha] }));
    const directory = await LowdbStaffDirectory.open(file);
    expect(await directory.getByUsername(STAFF.aisha.username)).to.deep.equal(STAFF.aisha);
    await directory.upsertMany([STAFF.tunde]);
    expect((await readFile(file, 'utf8')).split('\n')[0]).to.equal('{"version":2,"records":[');
    expect(await (await LowdbStaffDirectory.open(file)).count()).to.equal(2);
  });
});
