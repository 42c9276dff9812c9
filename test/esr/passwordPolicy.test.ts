// The password policy on its own: no hashing, no storage, so every case is cheap.
import { expect } from 'chai';
import { commonPasswords } from '../../esr/commonPasswords.js';
import { codePointLength, isPredictable, PasswordPolicy, type PolicyContext, type PolicyRule } from '../../esr/passwordPolicy.js';

const policy = new PasswordPolicy({ minLength: 12, maxLength: 256, historySize: 4, commonPasswords: commonPasswords() });
const rulesOf = (password: string, context?: PolicyContext): PolicyRule[] => policy.check(password, context).map((f) => f.rule);

// Word-based text of any length that no rule should object to: varied words, never a repeat of the whole.
function passphraseOf(length: number): string {
  const words = ['kettle', 'orchard', 'harbour', 'lantern', 'meadow', 'pebble', 'violin', 'thistle', 'copper', 'saddle', 'juniper', 'marble', 'ferry'];
  let text = '';
  for (let i = 0; text.length < length; i++) text += `${words[(i * 5) % words.length]} ${i % 10} `;
  return text.slice(0, length);
}

describe('PasswordPolicy', () => {
  describe('length', () => {
    it('refuses a password of 11 characters and says how many it needs and how many it had', () => {
      expect(policy.check('tulip garde')).to.deep.equal([{ rule: 'too_short', min: 12, length: 11 }]);
    });

    it('accepts a password of exactly 12 characters', () => {
      expect(policy.check('tulip garden')).to.deep.equal([]);
    });

    it('counts an emoji as one character, not as its two UTF-16 units', () => {
      const elevenWithEmoji = 'tulip gard😀'; // 11 code points, 12 UTF-16 units
      expect(elevenWithEmoji).to.have.length(12);
      expect(codePointLength(elevenWithEmoji)).to.equal(11);
      expect(policy.check(elevenWithEmoji)).to.deep.equal([{ rule: 'too_short', min: 12, length: 11 }]);
      expect(policy.check('tulip garde😀')).to.deep.equal([]);
    });

    it('counts after NFKC normalisation, so a decomposed é counts once and a ligature as its letters', () => {
      const decomposed = 'cafe\u0301 gardens'; // 13 code points as typed, 12 once composed
      expect(policy.check(decomposed)).to.deep.equal([]);
      const shortDecomposed = 'cafe\u0301 garden'; // 12 code points as typed, 11 once composed
      expect(policy.check(shortDecomposed)).to.deep.equal([{ rule: 'too_short', min: 12, length: 11 }]);
      const ligature = '\uFB01sh and tea'; // "ﬁ" is one code point as typed, "fi" after NFKC: 11 as typed, 12 in all
      expect(codePointLength(ligature)).to.equal(11);
      expect(policy.check(ligature)).to.deep.equal([]);
    });

    for (const length of [64, 256]) {
      it(`accepts a passphrase of ${length} characters`, () => {
        const password = passphraseOf(length);
        expect(codePointLength(password)).to.equal(length);
        expect(policy.check(password)).to.deep.equal([]);
      });
    }

    it('refuses a password of 257 characters and says what the maximum is', () => {
      expect(policy.check(passphraseOf(257))).to.deep.equal([{ rule: 'too_long', max: 256, length: 257 }]);
    });
  });

  describe('commonly used passwords', () => {
    it('ships a list of at least 10,000 common passwords', () => {
      expect(commonPasswords().size).to.be.at.least(10_000);
    });

    const cases: Array<[password: string, why: string]> = [
      ['qwerty123456', 'on the list as it stands'],
      ['QWERTY123456', 'on the list, whatever the case'],
      ['Password2024!', 'a common word with a year and a symbol added'],
      ['L1verp00l!!!!', 'a common word in look-alike characters with symbols added'],
      ['P@ssw0rd12345', 'a common word with @ and 0 for a and o'],
      ['ｐａｓｓｗｏｒｄ１２３４', 'a common password in full-width characters, the same after NFKC'],
    ];
    for (const [password, why] of cases) {
      it(`refuses "${password}": ${why}`, () => {
        expect(rulesOf(password)).to.deep.equal(['common']);
      });
    }

    it('refuses "password1" both as too short and as commonly used, so padding it is not the answer', () => {
      expect(policy.check('password1')).to.deep.equal([{ rule: 'too_short', min: 12, length: 9 }, { rule: 'common' }]);
    });
  });

  describe('predictable passwords', () => {
    const cases: Array<[password: string, expected: PolicyRule, why: string]> = [
      ['aaaaaaaaaaaa', 'predictable', 'one character repeated'],
      ['abcabcabcabc', 'predictable', 'a short unit repeated'],
      ['abcdefghijkl', 'predictable', 'a walk along the alphabet'],
      ['abcd1234efgh', 'predictable', 'three runs along the alphabet and the digits'],
      ['qwertyuiop12', 'common', 'a walk along the keyboard that is also on the common list (one message, not two)'],
    ];
    for (const [password, expected, why] of cases) {
      it(`refuses "${password}": ${why}`, () => {
        expect(isPredictable(password)).to.equal(true);
        expect(rulesOf(password)).to.deep.equal([expected]);
      });
    }

    it('gives a too-short password one message, not two, even when it is also predictable', () => {
      expect(isPredictable('abcdefg')).to.equal(true);
      expect(policy.check('abcdefg')).to.deep.equal([{ rule: 'too_short', min: 12, length: 7 }]);
      expect(policy.check('aaaaaaa')).to.deep.equal([{ rule: 'too_short', min: 12, length: 7 }]);
    });
  });

  describe('personal words', () => {
    const jo: PolicyContext = { username: '241JSMITH01', firstName: 'Jo', lastName: 'Smith' };
    const maryJane: PolicyContext = { username: '241MOCONNELL01', firstName: 'Mary-Jane', lastName: "O'Connell" };

    const cases: Array<[password: string, context: PolicyContext, word: string, why: string]> = [
      ['my 241jsmith01 pass', jo, 'username', 'the whole username, in any case'],
      ['JSmith forever now', jo, 'username', "the username's middle part (241JSMITH01 -> jsmith)"],
      ['smithereens galore', jo, 'last_name', 'the last name inside a longer word'],
      ['jane of the hills', maryJane, 'first_name', 'one part of a hyphenated first name'],
      ['mary had a lamb 9', maryJane, 'first_name', 'the other part of a hyphenated first name'],
      ['connell was here!', maryJane, 'last_name', 'the long part of a last name with an apostrophe'],
    ];
    for (const [password, context, word, why] of cases) {
      it(`refuses "${password}": ${why}`, () => {
        expect(policy.check(password, context)).to.deep.equal([{ rule: 'personal', word }]);
      });
    }

    it('ignores name parts shorter than 3 letters ("Jo", the "O" of O\'Connell)', () => {
      expect(policy.check('jolly good fellow', jo)).to.deep.equal([]);
      expect(policy.check('only on occasion', maryJane)).to.deep.equal([]);
    });

    it('checks names only when it is given them', () => {
      expect(policy.check('smithereens galore')).to.deep.equal([]);
    });
  });

  describe('acceptable passwords', () => {
    for (const password of ['correct horse battery staple', 'blue kettle orchard 42', 'Tangerine-Ferry-Moss-7', 'xkcd is great fun', 'Bore da, Caerdydd! 🌧️']) {
      it(`accepts the passphrase "${password}"`, () => {
        expect(policy.check(password, { username: '241JSMITH01', firstName: 'Jo', lastName: 'Smith' })).to.deep.equal([]);
      });
    }
  });
});
