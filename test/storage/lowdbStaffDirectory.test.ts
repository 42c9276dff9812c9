// The staff directory: in-memory indexes over staff.json, written by imports, reloaded when another process rewrites it.
import { expect } from 'chai';
import { mkdtemp, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StaffRecord } from '../../esr/types.js';
import { DataFileError } from '../../storage/atomicJsonFile.js';
import { LowdbStaffDirectory } from '../../storage/lowdbStaffDirectory.js';
import { STAFF } from '../support/esrHarness.js';

const { aisha, morgan01, morgan02, tunde } = STAFF;
const usernames = (records: StaffRecord[]) => records.map((r) => r.username);

describe('LowdbStaffDirectory', () => {
  let dir: string;
  let file: string;
  let directory: LowdbStaffDirectory;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-'));
    file = join(dir, 'staff.json');
    directory = await LowdbStaffDirectory.open(file);
    await directory.upsertMany([aisha, morgan01, morgan02, tunde]);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Replaces staff.json as another process would (temp file, then rename), dated a minute ahead. */
  async function rewriteAsAnotherWriter(text: string): Promise<void> {
    const temp = join(dir, 'staff.json.import');
    await writeFile(temp, text);
    await rename(temp, file);
    const later = new Date(Date.now() + 60_000);
    await utimes(file, later, later);
  }

  describe('lookups', () => {
    const cases: Array<[how: string, find: (d: LowdbStaffDirectory) => Promise<StaffRecord[]>, expected: string[]]> = [
      ['username, in lower case', async (d) => [(await d.getByUsername('241mpricejones02'))!], [morgan02.username]],
      ['work email, in mixed case', (d) => d.findByEmail('Morgan.Price-Jones@NHS-Trust.example'), [morgan01.username, morgan02.username]],
      ['Entra object id, in upper case', (d) => d.findByEntraObjectId(morgan01.entraObjectId.toUpperCase()), [morgan01.username, morgan02.username]],
      ['UPN, in upper case', (d) => d.findByUpn(aisha.upn.toUpperCase()), [aisha.username]],
    ];
    for (const [how, find, expected] of cases) {
      it(`finds staff by ${how}, with every username of the person`, async () => {
        expect(usernames(await find(directory))).to.deep.equal(expected);
      });
    }

    it('finds nothing for people it does not know, and nothing by UPN or Entra id for someone without them', async () => {
      expect(await directory.getByUsername('241NOBODY01')).to.equal(undefined);
      expect(await directory.findByEmail('nobody@nhs-trust.example')).to.deep.equal([]);
      expect(await directory.findByUpn(tunde.workEmail)).to.deep.equal([]);
      expect(await directory.findByEntraObjectId('99999999-9999-4999-8999-999999999999')).to.deep.equal([]);
    });

    it('hands out lists that callers may change without changing the directory', async () => {
      const found = await directory.findByEmail(morgan01.workEmail);
      found.pop();
      expect(await directory.findByEmail(morgan01.workEmail)).to.have.length(2);
    });
  });

  describe('upsertMany', () => {
    it('counts added, updated and unchanged records, and leaves records it was not given as they were', async () => {
      const renamed = { ...morgan01, lastName: 'Price' };
      const newcomer: StaffRecord = { username: '241RNEW01', firstName: 'Rhian', lastName: 'New', workEmail: 'rhian.new@nhs-trust.example', dateOfBirth: '2001-06-30', staffGroup: 'bank' };
      expect(await directory.upsertMany([aisha, renamed, newcomer])).to.deep.equal({ added: 1, updated: 1, unchanged: 1 });
      expect(await directory.count()).to.equal(5);
      expect((await directory.getByUsername(morgan01.username))!.lastName).to.equal('Price');
      expect(await directory.getByUsername(tunde.username)).to.deep.equal(tunde);
    });

    it('does not rewrite the file when nothing changed', async () => {
      const before = await stat(file);
      expect(await directory.upsertMany([aisha, tunde])).to.deep.equal({ added: 0, updated: 0, unchanged: 2 });
      const after = await stat(file);
      expect([after.ino, after.mtimeMs]).to.deep.equal([before.ino, before.mtimeMs]);
    });

    it('normalises records as reading the file does, so lookups match and a re-import counts as unchanged', async () => {
      const shouted = { ...tunde, username: ' 241tokafor01 ', workEmail: 'TUNDE.OKAFOR@NHS-TRUST.EXAMPLE' };
      expect(await directory.upsertMany([shouted])).to.deep.equal({ added: 0, updated: 0, unchanged: 1 });
      const mixed: StaffRecord = { ...aisha, username: '241zmixed01', workEmail: 'Z.Mixed@NHS-Trust.example', entraObjectId: 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA', upn: 'Z.Mixed@NHS-Trust.example' };
      await directory.upsertMany([mixed]);
      const [found] = await directory.findByEntraObjectId('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
      expect(found).to.deep.include({ username: '241ZMIXED01', workEmail: 'z.mixed@nhs-trust.example', upn: 'z.mixed@nhs-trust.example' });
      expect(await LowdbStaffDirectory.open(file).then((d) => d.getByUsername('241ZMIXED01'))).to.deep.equal(found);
    });

    it('refuses a batch holding an invalid record, naming it, and saves none of the batch', async () => {
      const before = await readFile(file);
      const bad = { ...tunde, username: '241TBAD01', workEmail: 'not-an-email' };
      let error: unknown;
      try {
        await directory.upsertMany([{ ...aisha, lastName: 'Changed' }, bad]);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain('Staff record 2 (241TBAD01)').and.contain('workEmail');
      expect((await readFile(file)).equals(before)).to.equal(true);
      expect((await directory.getByUsername(aisha.username))!.lastName).to.equal('Shah');
      await LowdbStaffDirectory.open(file);
    });
  });

  describe('on disk', () => {
    it('keeps every record across reopening', async () => {
      const reopened = await LowdbStaffDirectory.open(file);
      expect(await reopened.count()).to.equal(4);
      expect(usernames(await reopened.findByEmail(morgan01.workEmail))).to.deep.equal([morgan01.username, morgan02.username]);
    });

    it('refuses to open a file holding an invalid record, with a DataFileError naming it, and leaves it as it was', async () => {
      const text = JSON.stringify({ version: 1, records: [{ ...aisha, dateOfBirth: '14/03/1985' }] });
      await writeFile(file, text);
      let error: unknown;
      try {
        await LowdbStaffDirectory.open(file);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(DataFileError);
      expect((error as DataFileError).message).to.contain(file).and.contain('records.0.dateOfBirth');
      expect(await readFile(file, 'utf8')).to.equal(text);
    });
  });

  describe('reloadIfChanged', () => {
    it('does nothing while the file is as it left it, including after its own writes', async () => {
      expect(await directory.reloadIfChanged()).to.equal(false);
      await directory.upsertMany([{ ...aisha, lastName: 'Shah-Khan' }]);
      expect(await directory.reloadIfChanged()).to.equal(false);
    });

    it('picks up a file rewritten by another writer, dropping records that are gone and re-indexing the rest', async () => {
      await rewriteAsAnotherWriter(JSON.stringify({ version: 1, records: [{ ...morgan01, workEmail: 'morgan.pj@nhs-trust.example' }, tunde] }));
      expect(await directory.reloadIfChanged()).to.equal(true);
      expect(await directory.count()).to.equal(2);
      expect(await directory.getByUsername(aisha.username)).to.equal(undefined);
      expect(usernames(await directory.findByEmail('morgan.pj@nhs-trust.example'))).to.deep.equal([morgan01.username]);
      expect(await directory.findByEmail(morgan01.workEmail)).to.deep.equal([]);
      expect(await directory.reloadIfChanged()).to.equal(false);
    });

    it('picks up a rewrite even when the modification time is the same as before', async () => {
      const before = await stat(file);
      await rewriteAsAnotherWriter(JSON.stringify({ version: 1, records: [tunde] }));
      await utimes(file, before.atime, before.mtime);
      expect(await directory.reloadIfChanged()).to.equal(true);
      expect(await directory.count()).to.equal(1);
    });

    it('keeps the directory it has and throws a DataFileError when the new file is corrupt, then loads it once fixed', async () => {
      await rewriteAsAnotherWriter('{"version": 1, "records": [');
      let error: unknown;
      try {
        await directory.reloadIfChanged();
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(DataFileError);
      expect((error as DataFileError).file).to.equal(file);
      expect(await directory.count()).to.equal(4);
      expect(usernames(await directory.findByEmail(morgan01.workEmail))).to.deep.equal([morgan01.username, morgan02.username]);
      expect(await readFile(file, 'utf8')).to.equal('{"version": 1, "records": [');

      await rewriteAsAnotherWriter(JSON.stringify({ version: 1, records: [aisha] }));
      expect(await directory.reloadIfChanged()).to.equal(true);
      expect(await directory.count()).to.equal(1);
    });
  });
});
