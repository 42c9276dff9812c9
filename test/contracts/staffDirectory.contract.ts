// The StaffDirectory promises (esr/ports.ts), for every implementation.
import { expect } from 'chai';
import type { StaffDirectory } from '../../esr/ports.js';
import type { StaffRecord } from '../../esr/types.js';
import { STAFF } from '../support/esrHarness.js';
import { rejectionOf, type MakeSubject, type Subject } from './subject.js';

const { aisha, morgan01, morgan02, tunde } = STAFF;
const usernames = (records: StaffRecord[]) => records.map((r) => r.username);

export function staffDirectoryContract(name: string, make: MakeSubject<StaffDirectory>): void {
  describe(`${name} keeps the StaffDirectory contract`, () => {
    let s: Subject<StaffDirectory>;
    beforeEach(async () => {
      s = await make();
      await s.store.upsertMany([aisha, morgan01, morgan02, tunde]);
    });

    const cases: Array<[how: string, find: (d: StaffDirectory) => Promise<StaffRecord[]>, expected: string[]]> = [
      ['username, in lower case', async (d) => [(await d.getByUsername('241mpricejones02'))!], [morgan02.username]],
      ['work email, in mixed case', (d) => d.findByEmail('Morgan.Price-Jones@NHS-Trust.example'), [morgan01.username, morgan02.username]],
      ['Entra object id, in upper case', (d) => d.findByEntraObjectId(morgan01.entraObjectId.toUpperCase()), [morgan01.username, morgan02.username]],
      ['UPN, in upper case', (d) => d.findByUpn(aisha.upn.toUpperCase()), [aisha.username]],
    ];
    for (const [how, find, expected] of cases) {
      it(`finds staff by ${how}, with every username of the person`, async () => {
        expect(usernames(await find(s.store))).to.deep.equal(expected);
      });
    }

    it('gives back records exactly as stored, without fields for what is not on record', async () => {
      expect(await s.store.getByUsername(aisha.username)).to.deep.equal(aisha);
      expect(await s.store.getByUsername(tunde.username)).to.deep.equal(tunde);
    });

    it('finds nothing for people it does not know, and nothing by UPN or Entra id for someone without them', async () => {
      expect(await s.store.getByUsername('241NOBODY01')).to.equal(undefined);
      expect(await s.store.findByEmail('nobody@nhs-trust.example')).to.deep.equal([]);
      expect(await s.store.findByUpn(tunde.workEmail)).to.deep.equal([]);
      expect(await s.store.findByEntraObjectId('99999999-9999-4999-8999-999999999999')).to.deep.equal([]);
    });

    it('hands out lists that callers may change without changing the directory', async () => {
      const found = await s.store.findByEmail(morgan01.workEmail);
      found.pop();
      found[0]!.lastName = 'Changed';
      expect(await s.store.findByEmail(morgan01.workEmail)).to.deep.equal([morgan01, morgan02]);
    });

    it('counts added, updated and unchanged records, and leaves records it was not given as they were', async () => {
      const renamed = { ...morgan01, lastName: 'Price' };
      const newcomer: StaffRecord = { username: '241RNEW01', firstName: 'Rhian', lastName: 'New', workEmail: 'rhian.new@nhs-trust.example', dateOfBirth: '2001-06-30', staffGroup: 'bank' };
      expect(await s.store.upsertMany([aisha, renamed, newcomer])).to.deep.equal({ added: 1, updated: 1, unchanged: 1 });
      expect(await s.store.count()).to.equal(5);
      expect((await s.store.getByUsername(morgan01.username))!.lastName).to.equal('Price');
      expect(await s.store.getByUsername(tunde.username)).to.deep.equal(tunde);
    });

    it('counts a username given twice in one batch against its first record', async () => {
      const newcomer: StaffRecord = { username: '241RNEW01', firstName: 'Rhian', lastName: 'New', workEmail: 'rhian.new@nhs-trust.example', dateOfBirth: '2001-06-30', staffGroup: 'bank' };
      expect(await s.store.upsertMany([newcomer, newcomer, { ...newcomer, lastName: 'Newer' }])).to.deep.equal({ added: 1, updated: 1, unchanged: 1 });
      expect((await s.store.getByUsername('241RNEW01'))!.lastName).to.equal('Newer');
    });

    it('drops an Entra id or UPN that an update no longer carries', async () => {
      const { entraObjectId: _e, upn: _u, ...withoutTeams } = aisha;
      expect(await s.store.upsertMany([withoutTeams])).to.deep.equal({ added: 0, updated: 1, unchanged: 0 });
      expect(await s.store.getByUsername(aisha.username)).to.deep.equal(withoutTeams);
      expect(await s.store.findByUpn(aisha.upn)).to.deep.equal([]);
    });

    it('normalises records as reading the directory does, so lookups match and a re-import counts as unchanged', async () => {
      const shouted = { ...tunde, username: ' 241tokafor01 ', workEmail: 'TUNDE.OKAFOR@NHS-TRUST.EXAMPLE' };
      expect(await s.store.upsertMany([shouted])).to.deep.equal({ added: 0, updated: 0, unchanged: 1 });
      const mixed: StaffRecord = { ...aisha, username: '241zmixed01', workEmail: 'Z.Mixed@NHS-Trust.example', entraObjectId: 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA', upn: 'Z.Mixed@NHS-Trust.example' };
      await s.store.upsertMany([mixed]);
      const [found] = await s.store.findByEntraObjectId('aaaaaaaa-aaaa-4aaa-8aaa-aaaaaaaaaaaa');
      expect(found).to.deep.include({ username: '241ZMIXED01', workEmail: 'z.mixed@nhs-trust.example', upn: 'z.mixed@nhs-trust.example' });
      expect(await (await s.reopen()).getByUsername('241ZMIXED01')).to.deep.equal(found);
    });

    it('refuses a batch holding an invalid record, naming it, and saves none of the batch', async () => {
      const bad = { ...tunde, username: '241TBAD01', workEmail: 'not-an-email' };
      const error = await rejectionOf(s.store.upsertMany([{ ...aisha, lastName: 'Changed' }, bad]));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain('Staff record 2 (241TBAD01)').and.contain('workEmail');
      expect((await s.store.getByUsername(aisha.username))!.lastName).to.equal('Shah');
      expect(await (await s.reopen()).count()).to.equal(4);
    });

    it('keeps every record across a restart', async () => {
      const reopened = await s.reopen();
      expect(await reopened.count()).to.equal(4);
      expect(await reopened.findByEmail(morgan01.workEmail)).to.deep.equal([morgan01, morgan02]);
    });
  });
}
