// Spotting a password typed into the chat: the things people paste that look like passwords are caught;
// the things they type while asking for help are not.
import { expect } from 'chai';
import { looksLikePassword } from '../../dialogs/guards.js';

describe('looksLikePassword', () => {
  describe('flags a single word mixing letters with digits or symbols', () => {
    const passwords = ['Summer2024!', 'Tr0ub4dor&3', 'p@ssw0rd123', 'CorrectHorse9', 'Password1', 'winter2023$'];
    for (const text of passwords) {
      it(JSON.stringify(text), () => {
        expect(looksLikePassword(text)).to.equal(true);
      });
    }

    it('even with spaces around it', () => {
      expect(looksLikePassword('  Summer2024!\n')).to.equal(true);
    });
  });

  describe('does not flag', () => {
    const ordinary: Array<[kind: string, text: string]> = [
      ['a sentence', 'I forgot my password'],
      ['a sentence with digits and symbols', 'My account 241JSMITH01 is locked since 14/03!'],
      ['an ESR username', '241JSMITH01'],
      ['an ESR username in lower case', '241jsmith01'],
      ['an email address', 'alex.demo@nhs.net'],
      ['an email address with a dash', 'first.last@nhs-trust.example'],
      ['a mistyped email address', 'alex.demo@nhs'],
      ['a date with slashes', '14/03/1985'],
      ['a date with dashes', '14-03-1985'],
      ['an ISO date', '1985-03-14'],
      ['a mobile number', '07700900123'],
      ['a phone number with a space', '01204 390390'],
      ['an international phone number', '+447700900123'],
      ['a ticket reference', 'ESR-00042'],
      ['a ticket reference in lower case', 'esr-00042'],
      ['a web address', 'https://my.esr.nhs.uk'],
      ['a web address with a query', 'http://localhost:3978/reset?token=abc123XYZ'],
      ['a www address', 'www.esr.nhs.uk/login'],
      ['a plain word', 'payslips'],
      ['a greeting', 'hello'],
      ['a word with excited punctuation', 'Thanks!!'],
      ['a web address typed without https', 'my.esr.nhs.uk'],
      ['a capitalised word', 'Registration'],
      ['a name with a capital inside', 'McDonald'],
      ['a word with an apostrophe', "can't"],
      ['a short mixed word', 'Hi5!'],
      ['the word password itself', 'password'],
      ['nothing', ''],
    ];
    for (const [kind, text] of ordinary) {
      it(`${kind}: ${JSON.stringify(text)}`, () => {
        expect(looksLikePassword(text)).to.equal(false);
      });
    }
  });
});
