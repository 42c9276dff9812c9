// Nothing secret or personal is kept from a message the bot did not understand.
import { expect } from 'chai';
import { looksLikePassword, redact } from '../../understanding/redact.js';

describe('redacting what staff typed before it is kept', () => {
  const cases: Array<[string, string]> = [
    ['my password is blue kettle orchard 42', 'my password is [password]'],
    ['Password: hunter2', 'Password: [password]'],
    ['I tried Summer2024! and it failed', 'I tried [password] and it failed'],
    ['tried P@ssw0rd123 twice', 'tried [password] twice'],
    ['my email is jo.bloggs@nhs-trust.example', 'my email is [email]'],
    ['born 14/03/1985, cant log in', 'born [date], cant log in'],
    ['DOB 1985-03-14', 'DOB [date]'],
    ['my birthday is 14th March 1985', 'my birthday is [date]'],
    ['born March 14 1985', 'born [date]'],
    ['call me on 07700 900123', 'call me on [phone]'],
    ['ring +44 (0)161 496 0000 please', 'ring [phone] please'],
    ['where is my P60', 'where is my P60'],
    ['is e-learning still on Moodle', 'is e-learning still on Moodle'],
    ['my username is 241ADEMO01', 'my username is [password]'],
    ['when is the helpdesk open', 'when is the helpdesk open'],
  ];
  for (const [typed, kept] of cases) {
    it(`keeps "${typed}" as "${kept}"`, () => {
      expect(redact(typed)).to.equal(kept);
    });
  }

  it('takes a password to be 8+ characters mixing letters with digits or symbols, and not a word', () => {
    expect(looksLikePassword('Summer2024')).to.equal(true);
    expect(looksLikePassword('abc123')).to.equal(false);
    expect(looksLikePassword('passwords')).to.equal(false);
    expect(looksLikePassword('self-service')).to.equal(false);
  });
});
