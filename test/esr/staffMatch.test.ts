// Matching a Teams user to staff records: the Entra object id first, then the UPN (against the directory's
// UPN, then its work email), and the roster email only for records with no Entra link. A record linked to
// someone else is never handed over, and the refusal is audited but looks like no match.
import { expect } from 'chai';
import { matchStaff, type MatchedBy } from '../../esr/staffMatch.js';
import type { StaffRecord, TeamsIdentity } from '../../esr/types.js';
import { createEsrHarness, STAFF, type EsrHarness } from '../support/esrHarness.js';

const { aisha, morgan01, morgan02, tunde } = STAFF;
/** A UPN on record but no object id yet, and a work email that differs from the UPN. */
const pat: StaffRecord = { username: '241PLEE01', firstName: 'Pat', lastName: 'Lee', workEmail: 'p.lee@nhs-trust.example', dateOfBirth: '1982-04-01', staffGroup: 'bank', upn: 'pat.lee@nhs-trust.example' };
const INTRUDER = '0f0f0f0f-1111-4222-8333-444444444444';

describe('matching a Teams user to staff records', () => {
  let h: EsrHarness;
  before(async () => {
    h = await createEsrHarness({ staff: [...Object.values(STAFF), pat] });
  });
  after(() => h.cleanup());

  const found: Array<{ name: string; identity: TeamsIdentity; usernames: string[]; by: MatchedBy }> = [
    { name: 'by Entra object id', identity: { entraObjectId: aisha.entraObjectId }, usernames: [aisha.username], by: 'object_id' },
    { name: 'by object id even when the UPN and email name someone else', identity: { entraObjectId: aisha.entraObjectId, upn: morgan01.upn, email: tunde.workEmail }, usernames: [aisha.username], by: 'object_id' },
    { name: 'every username of one object id', identity: { entraObjectId: morgan01.entraObjectId.toUpperCase() }, usernames: [morgan01.username, morgan02.username], by: 'object_id' },
    { name: 'by UPN when the record has no object id yet', identity: { entraObjectId: INTRUDER, upn: 'PAT.LEE@nhs-trust.example' }, usernames: [pat.username], by: 'upn' },
    { name: 'by UPN against the work email when the record has no Entra link', identity: { entraObjectId: INTRUDER, upn: tunde.workEmail }, usernames: [tunde.username], by: 'upn_as_email' },
    { name: 'by roster email only for a record with no object id and no UPN', identity: { entraObjectId: INTRUDER, upn: 'tunde.o@nhs-trust.example', email: tunde.workEmail }, usernames: [tunde.username], by: 'email' },
  ];
  for (const c of found) {
    it(`finds staff ${c.name}`, async () => {
      const match = await matchStaff(h.directory, c.identity);
      expect(match.records.map((r) => r.username)).to.have.members(c.usernames);
      expect('refused' in match).to.equal(false);
      expect(match).to.include({ by: c.by });
    });
  }

  const refused: Array<{ name: string; identity: TeamsIdentity; reason: string; usernames: string[] }> = [
    { name: 'a roster email that is another person\'s, linked to their object id (the other-tenant Alex attack)', identity: { entraObjectId: INTRUDER, upn: 'mallory@evil.example', email: aisha.workEmail }, reason: 'linked_to_another_object_id', usernames: [aisha.username] },
    { name: 'a UPN whose record is linked to a different object id', identity: { entraObjectId: INTRUDER, upn: aisha.upn }, reason: 'linked_to_another_object_id', usernames: [aisha.username] },
    { name: 'a UPN with no object id at all, for a record that has one', identity: { upn: morgan01.upn }, reason: 'linked_to_another_object_id', usernames: [morgan01.username, morgan02.username] },
    { name: 'a roster email for a record that has a different UPN', identity: { entraObjectId: INTRUDER, upn: 'mallory@evil.example', email: pat.workEmail }, reason: 'linked_to_another_upn', usernames: [pat.username] },
  ];
  for (const c of refused) {
    it(`refuses ${c.name}`, async () => {
      const match = await matchStaff(h.directory, c.identity);
      expect(match.records).to.deep.equal([]);
      expect(match).to.have.property('refused').that.deep.includes({ reason: c.reason });
      expect((match as { refused: { usernames: string[] } }).refused.usernames).to.have.members(c.usernames);
    });
  }

  it('finds nobody, and refuses nothing, for an identity the directory does not know', async () => {
    for (const identity of [{}, { entraObjectId: INTRUDER, upn: 'new.starter@nhs-trust.example', email: 'new.starter@nhs-trust.example' }]) {
      expect(await matchStaff(h.directory, identity)).to.deep.equal({ records: [] });
    }
  });

  it('answers a refused match as "not found" and writes it to the audit log', async () => {
    const accounts = await h.service.findByTeamsIdentity({ entraObjectId: INTRUDER, upn: 'mallory@evil.example', email: aisha.workEmail });
    expect(accounts).to.deep.equal([]);
    const [event] = await h.audit.list({ action: 'identity.match_refused' });
    expect(event).to.deep.include({ outcome: 'failure', channel: 'teams', username: aisha.username, actor: { kind: 'staff', id: INTRUDER } });
    expect(event!.detail).to.deep.equal({ by: 'email', reason: 'linked_to_another_object_id', usernames: aisha.username });
  });
});
