// Dates of birth as UK staff type them: day first, always.
import { expect } from 'chai';
import { parseDateOfBirth, type DateParse } from '../../esr/dates.js';

// The ManualClock's default start: Monday 5 January 2026, 10:00 UTC.
const TODAY = new Date('2026-01-05T10:00:00Z');

describe('parseDateOfBirth', () => {
  describe('reads the forms staff type', () => {
    const cases: Array<[input: string, iso: string, twoDigitYear: boolean]> = [
      ['14/03/1985', '1985-03-14', false],
      ['14/3/1985', '1985-03-14', false],
      ['14-03-1985', '1985-03-14', false],
      ['14.03.1985', '1985-03-14', false],
      ['14 03 1985', '1985-03-14', false],
      [' 14 / 03 / 1985 ', '1985-03-14', false],
      ['14 March 1985', '1985-03-14', false],
      ['14th March 1985', '1985-03-14', false],
      ['14 march, 1985', '1985-03-14', false],
      ['14 Mar 1985', '1985-03-14', false],
      ['14-Mar-1985', '1985-03-14', false],
      ['14MAR1985', '1985-03-14', false],
      ['2 Sept 1990', '1990-09-02', false],
      ['1985-03-14', '1985-03-14', false],
      ['1985-3-4', '1985-03-04', false],
      ['29/02/2000', '2000-02-29', false],
    ];
    for (const [input, iso, twoDigitYear] of cases) {
      it(`reads "${input}" as ${iso}`, () => {
        expect(parseDateOfBirth(input, TODAY)).to.deep.equal({ ok: true, iso, twoDigitYear });
      });
    }
  });

  describe('two-digit years', () => {
    const cases: Array<[input: string, iso: string, why: string]> = [
      ['14/03/85', '1985-03-14', '85 is 1985, not 2085'],
      ['14 Mar 85', '1985-03-14', 'with a month name too'],
      ['05/01/11', '2011-01-05', '11 is 2011: someone who is 15 today'],
      ['14/03/00', '2000-03-14', '00 is 2000'],
      ['14/03/40', '1940-03-14', '40 is 1940, not 2040'],
    ];
    for (const [input, iso, why] of cases) {
      it(`reads "${input}" as ${iso} (${why}) and says the year had two digits`, () => {
        expect(parseDateOfBirth(input, TODAY)).to.deep.equal({ ok: true, iso, twoDigitYear: true });
      });
    }
  });

  describe('US-order ambiguity', () => {
    it('reads "04/05/1990" day first, as 4 May, never as April 5', () => {
      expect(parseDateOfBirth('04/05/1990', TODAY)).to.deep.equal({ ok: true, iso: '1990-05-04', twoDigitYear: false });
    });

    it('refuses "03/14/1985" (a US date) as no such date, rather than guessing the order', () => {
      expect(parseDateOfBirth('03/14/1985', TODAY)).to.deep.equal({ ok: false, reason: 'no_such_date' });
    });
  });

  describe('refuses', () => {
    const cases: Array<[input: string, reason: Extract<DateParse, { ok: false }>['reason'], why: string]> = [
      ['31/02/1990', 'no_such_date', 'the 31st of February'],
      ['29/02/2001', 'no_such_date', '29 February in a year that is not a leap year'],
      ['00/01/1990', 'no_such_date', 'day 0'],
      ['32/01/1990', 'no_such_date', 'day 32'],
      ['14/13/1990', 'no_such_date', 'month 13'],
      ['06/01/2026', 'future', 'tomorrow'],
      ['14/03/2030', 'future', 'a date years ahead'],
      ['01/01/1900', 'too_old', 'a birth more than 110 years ago'],
      ['14/03/12', 'too_old', 'a two-digit year that makes them either 13 or 113'],
      ['', 'format', 'nothing at all'],
      ['   ', 'format', 'only spaces'],
      ['yesterday', 'format', 'a word'],
      ['14/03', 'format', 'a date without a year'],
      ['1985', 'format', 'a year on its own'],
      ['14/03/985', 'format', 'a three-digit year'],
      ['14//03/1985', 'format', 'a doubled separator'],
      ['14 Marzipan 1985', 'format', 'a word that starts like a month but is not one'],
      ['14031985', 'format', 'digits with no separators'],
      ['1985/03/14', 'format', 'year first with slashes'],
      ['<script>', 'format', 'markup'],
    ];
    for (const [input, reason, why] of cases) {
      it(`refuses "${input}" (${why}) as ${reason}`, () => {
        expect(parseDateOfBirth(input, TODAY)).to.deep.equal({ ok: false, reason });
      });
    }
  });

  it('accepts a date of birth that is today', () => {
    expect(parseDateOfBirth('05/01/2026', TODAY)).to.deep.equal({ ok: true, iso: '2026-01-05', twoDigitYear: false });
  });
});
