// The content overrides shared through PostgreSQL (content/sharedOverrides.ts over storage/postgres/
// pgContentOverrides.ts), each "instance" with its own DATA_DIR/content folder and its own pool.
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { SharedOverrides } from '../../content/sharedOverrides.js';
import { PgContentOverrides } from '../../storage/postgres/pgContentOverrides.js';
import { usePostgres } from '../support/postgres.js';

describe('content overrides shared through PostgreSQL', function () {
  this.timeout(30_000);
  const db = usePostgres();
  let dirs: string[] = [];
  const folder = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'esr-overrides-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(async () => {
    await db().truncate();
    await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
    dirs = [];
  });

  it('keeps a Trust\'s existing override files in the database once, and gives them to an instance that has none', async () => {
    const first = await folder();
    await writeFile(join(first, 'en-GB.json'), '{"botName": "Ask ESR"}\n');
    await writeFile(join(first, 'notes.txt'), 'not an override');
    const one = new SharedOverrides(new PgContentOverrides(db().pool), first);
    expect(await one.pull()).to.deep.equal({ written: [], replaced: [] });
    expect(await one.uploadMissing()).to.deep.equal(['en-GB.json']);
    expect(await one.uploadMissing(), 'the second time').to.deep.equal([]);

    const second = await folder();
    const two = new SharedOverrides(new PgContentOverrides(db().otherPool), second);
    expect((await two.pull()).written).to.deep.equal(['en-GB.json']);
    expect(await readFile(join(second, 'en-GB.json'), 'utf8')).to.equal('{"botName": "Ask ESR"}\n');
    expect(await readdir(second)).to.deep.equal(['en-GB.json']);

    // A later change made elsewhere replaces the uploaded file without keeping it aside: it was not a local edit.
    await two.edit('en-GB.json', () => '{"botName": "Ask ESR Wales"}\n');
    expect(await one.pull()).to.deep.equal({ written: ['en-GB.json'], replaced: [] });
  });

  it('uses the database\'s copy where a local file differs, and keeps the local one beside it', async () => {
    const first = await folder();
    await writeFile(join(first, 'faq.en-GB.json'), '{"shared": true}\n');
    await new SharedOverrides(new PgContentOverrides(db().pool), first).uploadMissing();

    const second = await folder();
    await writeFile(join(second, 'faq.en-GB.json'), '{"local": true}\n');
    const two = new SharedOverrides(new PgContentOverrides(db().otherPool), second);
    const result = await two.pull();
    expect(result.written).to.deep.equal(['faq.en-GB.json']);
    expect(result.replaced).to.have.length(1);
    const { keptAs } = result.replaced[0]!;
    expect(keptAs).to.match(/^faq\.en-GB\.json\.local-before-v\d+$/);
    expect(await readFile(join(second, 'faq.en-GB.json'), 'utf8')).to.equal('{"shared": true}\n');
    expect(await readFile(join(second, keptAs), 'utf8')).to.equal('{"local": true}\n');
    expect(await two.uploadMissing(), 'the database already has one').to.deep.equal([]);
  });

  it('keeps both of two edits made to one file at once on two instances', async () => {
    const one = new SharedOverrides(new PgContentOverrides(db().pool), await folder());
    const two = new SharedOverrides(new PgContentOverrides(db().otherPool), await folder());
    const add = (word: string) => (current: string | undefined) => JSON.stringify([...((current ? JSON.parse(current) : []) as string[]), word]);
    await Promise.all([one.edit('cy-GB.json', add('one')), two.edit('cy-GB.json', add('two')), one.edit('cy-GB.json', add('three')), two.edit('cy-GB.json', add('four'))]);
    await one.pull();
    const words = JSON.parse(await readFile(join(dirs[0]!, 'cy-GB.json'), 'utf8')) as string[];
    expect([...words].sort()).to.deep.equal(['four', 'one', 'three', 'two']);
  });

  it('copies nothing while the database\'s version stands still, and a change once it moves', async () => {
    const dir = await folder();
    const store = new PgContentOverrides(db().pool);
    const shared = new SharedOverrides(store, dir);
    expect(await store.version()).to.equal(0);
    await shared.pull();
    await new SharedOverrides(new PgContentOverrides(db().otherPool), await folder()).edit('en-GB.json', () => '{"a": 1}');
    expect(await shared.pull()).to.deep.equal({ written: ['en-GB.json'], replaced: [] });
    expect(await shared.pull(), 'nothing new').to.deep.equal({ written: [], replaced: [] });
  });
});
