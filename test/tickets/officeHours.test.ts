// Office hours in the Trust's time zone, across the clock changes. In 2026 the UK goes to BST on Sunday
// 29 March (01:00 UTC) and back to GMT on Sunday 25 October (01:00 UTC).
import { expect } from 'chai';
import {
  describeNextOpening,
  isOpen,
  localTime,
  nextOpening,
  startOfLocalWeek,
  summariseNextOpening,
  wallClockToUtc,
  type OfficeHours,
} from '../../tickets/officeHours.js';

const LONDON = 'Europe/London';
const WEEKDAYS_9_TO_5: OfficeHours = { days: [1, 2, 3, 4, 5], opensAt: 9 * 60, closesAt: 17 * 60 };
const EVERY_DAY_9_TO_5: OfficeHours = { days: [0, 1, 2, 3, 4, 5, 6], opensAt: 9 * 60, closesAt: 17 * 60 };
const at = (iso: string) => new Date(iso);

describe('office hours', () => {
  describe('isOpen', () => {
    const cases: Array<[string, string, boolean]> = [
      ['a winter Monday at 10:00 GMT', '2026-01-05T10:00:00Z', true],
      ['a winter Monday at 08:59 GMT', '2026-01-05T08:59:00Z', false],
      ['a winter Monday at 09:00 GMT, the opening minute', '2026-01-05T09:00:00Z', true],
      ['a winter Monday at 16:59:59 GMT', '2026-01-05T16:59:59Z', true],
      ['a winter Monday at 17:00 GMT, closing time', '2026-01-05T17:00:00Z', false],
      ['a summer Monday at 09:30 BST (08:30 UTC)', '2026-07-06T08:30:00Z', true],
      ['a summer Monday at 08:30 BST (07:30 UTC)', '2026-07-06T07:30:00Z', false],
      ['a summer Monday at 17:30 BST (16:30 UTC)', '2026-07-06T16:30:00Z', false],
      ['a summer Friday at 16:30 BST (15:30 UTC)', '2026-07-10T15:30:00Z', true],
      ['a Saturday at noon', '2026-01-10T12:00:00Z', false],
      ['a Sunday at noon', '2026-01-11T12:00:00Z', false],
      ['the Friday before the March change, 08:30 GMT', '2026-03-27T08:30:00Z', false],
      ['the Monday after the March change, 09:00 BST (08:00 UTC)', '2026-03-30T08:00:00Z', true],
      ['the Monday after the October change, 08:30 GMT (BST would have said 09:30)', '2026-10-26T08:30:00Z', false],
      ['the Monday after the October change, 16:30 GMT', '2026-10-26T16:30:00Z', true],
      ['a Tuesday at 00:30 BST, which is still Monday in UTC', '2026-07-06T23:30:00Z', false],
    ];
    for (const [when, iso, open] of cases) {
      it(`is ${open ? 'open' : 'closed'} on ${when}`, () => {
        expect(isOpen(at(iso), WEEKDAYS_9_TO_5, LONDON)).to.equal(open);
      });
    }
  });

  describe('nextOpening', () => {
    const cases: Array<[string, OfficeHours, string, string]> = [
      ['on a Friday evening is Monday at 9am', WEEKDAYS_9_TO_5, '2026-01-09T18:00:00Z', '2026-01-12T09:00:00Z'],
      ['on a Saturday is Monday at 9am', WEEKDAYS_9_TO_5, '2026-01-10T12:00:00Z', '2026-01-12T09:00:00Z'],
      ['early on a weekday is the same morning', WEEKDAYS_9_TO_5, '2026-01-06T07:15:00Z', '2026-01-06T09:00:00Z'],
      ['after closing on a weekday is the next morning', WEEKDAYS_9_TO_5, '2026-01-06T17:00:00Z', '2026-01-07T09:00:00Z'],
      ['over the October change (Friday BST → Monday GMT) is 09:00 GMT', WEEKDAYS_9_TO_5, '2026-10-23T16:30:00Z', '2026-10-26T09:00:00Z'],
      ['over the March change (Friday GMT → Monday BST) is 09:00 BST', WEEKDAYS_9_TO_5, '2026-03-27T17:30:00Z', '2026-03-30T08:00:00Z'],
      ['on the evening before the March change, opening every day, is Sunday 09:00 BST', EVERY_DAY_9_TO_5, '2026-03-28T20:00:00Z', '2026-03-29T08:00:00Z'],
      ['on the evening before the October change, opening every day, is Sunday 09:00 GMT', EVERY_DAY_9_TO_5, '2026-10-24T19:00:00Z', '2026-10-25T09:00:00Z'],
      ['just after local midnight in summer is that morning, though UTC is still the day before', WEEKDAYS_9_TO_5, '2026-07-06T23:30:00Z', '2026-07-07T08:00:00Z'],
      ['with a single working day is a week later after it closes', { days: [3], opensAt: 540, closesAt: 1020 }, '2026-01-07T18:00:00Z', '2026-01-14T09:00:00Z'],
    ];
    for (const [when, hours, from, expected] of cases) {
      it(`${when}`, () => {
        expect(nextOpening(at(from), hours, LONDON).toISOString()).to.equal(new Date(expected).toISOString());
      });
    }

    it('is the moment itself while the team is open', () => {
      expect(nextOpening(at('2026-01-05T10:00:00Z'), WEEKDAYS_9_TO_5, LONDON).toISOString()).to.equal('2026-01-05T10:00:00.000Z');
    });

    it('works in other zones too: a New York Friday evening before its March change is Monday 09:00 EDT', () => {
      expect(nextOpening(at('2026-03-06T23:00:00Z'), WEEKDAYS_9_TO_5, 'America/New_York').toISOString()).to.equal('2026-03-09T13:00:00.000Z');
    });

    it('refuses office hours with no working days', () => {
      expect(() => nextOpening(at('2026-01-05T10:00:00Z'), { days: [], opensAt: 540, closesAt: 1020 }, LONDON)).to.throw(RangeError);
    });

    // Every quarter hour over both clock changes: the answer is open, is the first open quarter hour
    // on or after the moment asked about, and reads 09:00 on the local clock.
    for (const [name, start] of [
      ['March', '2026-03-23T00:00:00Z'],
      ['October', '2026-10-19T00:00:00Z'],
    ] as const) {
      it(`agrees with a quarter-hour walk through the fortnight around the ${name} change`, () => {
        const steps = Array.from({ length: 14 * 96 }, (_, i) => new Date(Date.parse(start) + i * 15 * 60_000));
        const open = steps.map((s) => isOpen(s, WEEKDAYS_9_TO_5, LONDON));
        let firstOpenFrom: Date | undefined;
        for (let i = steps.length - 1; i >= 0; i--) {
          if (open[i]) firstOpenFrom = steps[i];
          const step = steps[i]!;
          if (firstOpenFrom === undefined) continue;
          const next = nextOpening(step, WEEKDAYS_9_TO_5, LONDON);
          expect(next.toISOString(), step.toISOString()).to.equal(firstOpenFrom.toISOString());
          expect(isOpen(next, WEEKDAYS_9_TO_5, LONDON)).to.equal(true);
          if (!open[i]) expect(localTime(next, LONDON)).to.include({ hour: 9, minute: 0 });
        }
      });
    }
  });

  describe('describeNextOpening', () => {
    const cases: Array<[string, OfficeHours, string, string]> = [
      ['a Friday evening', WEEKDAYS_9_TO_5, '2026-01-09T18:00:00Z', 'Monday at 9am'],
      ['a Saturday', WEEKDAYS_9_TO_5, '2026-01-10T12:00:00Z', 'Monday at 9am'],
      ['a Sunday', WEEKDAYS_9_TO_5, '2026-01-11T12:00:00Z', 'tomorrow at 9am'],
      ['a Monday at 7am', WEEKDAYS_9_TO_5, '2026-01-05T07:00:00Z', 'today at 9am'],
      ['a Tuesday evening', WEEKDAYS_9_TO_5, '2026-01-06T18:00:00Z', 'tomorrow at 9am'],
      ['a summer Tuesday at 00:30 BST', WEEKDAYS_9_TO_5, '2026-07-06T23:30:00Z', 'today at 9am'],
      ['a Friday evening before the October change', WEEKDAYS_9_TO_5, '2026-10-23T18:00:00Z', 'Monday at 9am'],
      ['an evening, for a team opening at 8:30', { days: [1, 2, 3, 4, 5], opensAt: 510, closesAt: 1020 }, '2026-01-06T18:00:00Z', 'tomorrow at 8:30am'],
      ['an evening, for a team opening at noon', { days: [1, 2, 3, 4, 5], opensAt: 720, closesAt: 1020 }, '2026-01-06T18:00:00Z', 'tomorrow at 12pm'],
      ['a Monday morning, while open', WEEKDAYS_9_TO_5, '2026-01-05T10:00:00Z', 'now'],
    ];
    for (const [when, hours, from, expected] of cases) {
      it(`says "${expected}" on ${when}`, () => {
        expect(describeNextOpening(at(from), hours, LONDON)).to.equal(expected);
      });
    }

    it('gives the same answer as facts, for wording in other languages', () => {
      expect(summariseNextOpening(at('2026-01-09T18:00:00Z'), WEEKDAYS_9_TO_5, LONDON)).to.deep.equal({
        now: false,
        at: new Date('2026-01-12T09:00:00Z'),
        daysAhead: 3,
        weekday: 1,
        minutes: 540,
      });
    });
  });

  describe('local time helpers', () => {
    it('starts the week on Monday at local midnight, in GMT and in BST', () => {
      expect(startOfLocalWeek(at('2026-03-29T12:00:00Z'), LONDON).toISOString()).to.equal('2026-03-23T00:00:00.000Z');
      expect(startOfLocalWeek(at('2026-03-31T10:00:00Z'), LONDON).toISOString()).to.equal('2026-03-29T23:00:00.000Z');
    });

    it('moves a wall-clock time the March change skips forward by the hour skipped', () => {
      expect(wallClockToUtc(2026, 3, 29, 90, LONDON).toISOString()).to.equal('2026-03-29T01:30:00.000Z');
      expect(localTime(wallClockToUtc(2026, 3, 29, 90, LONDON), LONDON)).to.include({ hour: 2, minute: 30 });
    });

    it('takes the later of a wall-clock time the October change repeats', () => {
      expect(wallClockToUtc(2026, 10, 25, 90, LONDON).toISOString()).to.equal('2026-10-25T01:30:00.000Z');
      expect(wallClockToUtc(2026, 10, 25, 30, LONDON).toISOString()).to.equal('2026-10-24T23:30:00.000Z');
    });
  });
});
