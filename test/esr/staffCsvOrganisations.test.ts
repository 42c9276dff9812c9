// The staff CSV when one deployment serves several organisations: each username starts with the code of
// one of them, and the record keeps which.
import { expect } from 'chai';
import { parseStaffCsv } from '../../esr/staffCsv.js';

const TODAY = new Date('2026-06-01T12:00:00Z');
const HEADER = 'username,first_name,last_name,work_email,date_of_birth,staff_group';
const row = (username: string) => `${username},Alex,Example,${username.toLowerCase()}@nhs-trust.example,1985-03-14,substantive`;

describe('reading the staff CSV for several organisations', () => {
  it('accepts usernames of every organisation served and records each one\'s organisation', () => {
    const result = parseStaffCsv([HEADER, row('241AEXAMPLE01'), row('242AEXAMPLE01')].join('\n'), { orgCode: '241', organisations: ['241', '242'], today: TODAY });
    expect(result.kind).to.equal('parsed');
    if (result.kind !== 'parsed') return;
    expect(result.errors).to.deep.equal([]);
    expect(result.records.map((r) => [r.username, r.organisationCode])).to.deep.equal([
      ['241AEXAMPLE01', '241'],
      ['242AEXAMPLE01', '242'],
    ]);
  });

  it('refuses a username of an organisation not served, naming the ones that are', () => {
    const result = parseStaffCsv([HEADER, row('999AEXAMPLE01')].join('\n'), { orgCode: '241', organisations: ['241', '242'], today: TODAY });
    expect(result.kind === 'parsed' && result.errors.map(({ line, reason }) => ({ line, reason }))).to.deep.equal([{ line: 2, reason: 'username 999AEXAMPLE01 should start with one of the organisation codes 241, 242' }]);
  });

  it('with one organisation, reads as before: no organisation code on the record', () => {
    const result = parseStaffCsv([HEADER, row('241AEXAMPLE01')].join('\n'), { orgCode: '241', today: TODAY });
    expect(result.kind === 'parsed' && result.records[0]).to.not.have.property('organisationCode');
  });
});
