// The atomic, group-committing JSON file under every lowdb store, and openStore's refusal of bad files.
import { expect } from 'chai';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type * as FsPromises from 'node:fs/promises';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AtomicJsonFile, DataFileError } from '../../storage/atomicJsonFile.js';
import { openStore } from '../../storage/openStore.js';

const schema = z.object({ version: z.literal(1), items: z.array(z.string()) });
type Doc = z.infer<typeof schema>;
const defaults = (): Doc => ({ version: 1, items: [] });

/**
 * Runs `fn` while counting the renames that put a file in place: each is one write reaching the disk.
 * fs/promises is patched through its CommonJS object, and syncBuiltinESMExports passes the patch on to
 * the ESM imports of atomicJsonFile.ts.
 */
async function countingRenames<T>(fn: () => Promise<T>): Promise<{ result: T; renamedTo: string[] }> {
  const fsp = createRequire(import.meta.url)('node:fs/promises') as typeof FsPromises;
  const original = fsp.rename;
  const renamedTo: string[] = [];
  fsp.rename = ((from: string, to: string) => {
    renamedTo.push(to);
    return original(from, to);
  }) as typeof fsp.rename;
  syncBuiltinESMExports();
  try {
    return { result: await fn(), renamedTo };
  } finally {
    fsp.rename = original;
    syncBuiltinESMExports();
  }
}

describe('AtomicJsonFile and openStore', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  describe('opening a store', () => {
    it('creates a missing file, and any missing folders, with the defaults', async () => {
      const file = join(dir, 'nested', 'deeper', 'store.json');
      const db = await openStore(file, schema, defaults);
      expect(db.data).to.deep.equal(defaults());
      expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal(defaults());
    });

    it('reads an existing file instead of the defaults', async () => {
      const file = join(dir, 'store.json');
      await writeFile(file, JSON.stringify({ version: 1, items: ['kept'] }));
      const db = await openStore(file, schema, defaults);
      expect(db.data.items).to.deep.equal(['kept']);
    });

    const bad: Array<[content: string, reason: RegExp, why: string]> = [
      ['{"version": 1, "items": [', /not valid JSON/, 'is not JSON (cut short)'],
      ['', /not valid JSON/, 'is empty'],
      ['{"version": 2, "items": []}', /not as expected \(version:/, 'has the wrong version'],
      ['{"version": 1, "items": [42]}', /not as expected \(items\.0:/, 'holds a value of the wrong type'],
      ['[]', /not as expected/, 'is JSON of the wrong shape'],
    ];
    for (const [content, reason, why] of bad) {
      it(`refuses a file that ${why} with a DataFileError naming the file, and leaves its bytes as they were`, async () => {
        const file = join(dir, 'store.json');
        await writeFile(file, content);
        const before = await readFile(file);
        let error: unknown;
        try {
          await openStore(file, schema, defaults);
        } catch (e) {
          error = e;
        }
        expect(error).to.be.instanceOf(DataFileError);
        expect((error as DataFileError).file).to.equal(file);
        expect((error as DataFileError).message).to.contain(file).and.match(reason).and.contain('has not been changed');
        expect((await readFile(file)).equals(before)).to.equal(true);
        expect(await readdir(dir)).to.deep.equal(['store.json']);
      });
    }
  });

  describe('writing', () => {
    it('writes the file readable by its owner only', async () => {
      const file = join(dir, 'private.json');
      await new AtomicJsonFile<Doc>(file).write({ version: 1, items: ['secret-ish'] });
      expect((await stat(file)).mode & 0o777).to.equal(0o600);
    });

    it('reads back null for a file that does not exist yet', async () => {
      expect(await new AtomicJsonFile<Doc>(join(dir, 'missing.json')).read()).to.equal(null);
    });

    it('coalesces 100 simultaneous writes into at most 2 disk writes, the newest data last', async () => {
      const file = join(dir, 'busy.json');
      const adapter = new AtomicJsonFile<{ n: number }>(file);
      const { renamedTo } = await countingRenames(() => Promise.all(Array.from({ length: 100 }, (_, n) => adapter.write({ n }))));
      expect(renamedTo.filter((to) => to === file).length).to.be.at.least(1).and.at.most(2);
      expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal({ n: 99 });
    });

    it('resolves each write only once data at least as new as it is on disk', async () => {
      const file = join(dir, 'ordered.json');
      const adapter = new AtomicJsonFile<{ n: number }>(file);
      const seen: Array<[asked: number, onDisk: number]> = [];
      await Promise.all(
        Array.from({ length: 50 }, (_, n) =>
          adapter.write({ n }).then(async () => {
            seen.push([n, (JSON.parse(await readFile(file, 'utf8')) as { n: number }).n]);
          }),
        ),
      );
      expect(seen).to.have.length(50);
      for (const [asked, onDisk] of seen) expect(onDisk, `write ${asked}`).to.be.at.least(asked);
    });

    it('writes each of several awaited writes in turn, since none waits for another', async () => {
      const file = join(dir, 'steady.json');
      const adapter = new AtomicJsonFile<{ n: number }>(file);
      const { renamedTo } = await countingRenames(async () => {
        for (let n = 0; n < 3; n++) await adapter.write({ n });
      });
      expect(renamedTo).to.deep.equal([file, file, file]);
    });

    it('leaves no temp file behind', async () => {
      const file = join(dir, 'tidy.json');
      const adapter = new AtomicJsonFile<{ n: number }>(file);
      await Promise.all(Array.from({ length: 20 }, (_, n) => adapter.write({ n })));
      await adapter.write({ n: 20 });
      expect(await readdir(dir)).to.deep.equal(['tidy.json']);
    });

    it('rejects every waiting write when the disk write fails, leaves no temp file, and writes again once it can', async () => {
      const file = join(dir, 'blocked.json');
      await mkdir(join(file, 'in-the-way'), { recursive: true }); // a folder where the file should go
      const adapter = new AtomicJsonFile<{ n: number }>(file);
      const results = await Promise.allSettled([adapter.write({ n: 1 }), adapter.write({ n: 2 }), adapter.write({ n: 3 })]);
      expect(results.map((r) => r.status)).to.deep.equal(['rejected', 'rejected', 'rejected']);
      expect(await readdir(dir)).to.deep.equal(['blocked.json']);
      await rm(file, { recursive: true });
      await adapter.write({ n: 4 });
      expect(JSON.parse(await readFile(file, 'utf8'))).to.deep.equal({ n: 4 });
    });
  });
});
