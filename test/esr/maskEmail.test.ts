// The work email on record, shown back masked: enough for its owner to recognise, not enough to read.
import { expect } from 'chai';
import { maskEmail } from '../../esr/maskEmail.js';

describe('masking a work email', () => {
  const cases: Array<[shape: string, email: string, masked: string]> = [
    ['first.last', 'alex.demo@nhs-trust.example', 'a••x.d••o@nhs-trust.example'],
    ['long parts', 'christopher.robinson@nhs.net', 'c•••••••••r.r••••••n@nhs.net'],
    ['short parts (two and three letters)', 'jo.lee@nhs.net', 'j•.l••@nhs.net'],
    ['one-letter parts', 'a.b.smith@nhs.net', 'a.b.s•••h@nhs.net'],
    ['a single part', 'admin@trust.example', 'a•••n@trust.example'],
    ['plus-addressing (the tag hidden)', 'alex.demo+esr@nhs.net', 'a••x.d••o+•••@nhs.net'],
    ['hyphens', 'mary-jane.smith-jones@nhs.net', 'm••y-j••e.s•••h-j•••s@nhs.net'],
    ['underscores and digits', 'sam_lee2@nhs.net', 's••_l••2@nhs.net'],
    ['not an email at all', 'nobody', 'n••••y'],
  ];
  for (const [shape, email, masked] of cases) {
    it(`keeps the first letter of each part, and the last of long ones: ${shape}`, () => {
      expect(maskEmail(email)).to.equal(masked);
    });
  }

  it('never shows more than two letters of any part of the name', () => {
    const local = maskEmail('bartholomew.featherstonehaugh@nhs.net').split('@')[0]!;
    for (const part of local.split('.')) expect(part.replace(/•/g, '')).to.have.length.at.most(2);
  });
});
