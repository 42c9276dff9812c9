// A reset request must not tell, by its answer or by how long the answer takes, whether the details
// matched an ESR account (OWASP Forgot Password). Measured through the bot's real HTTP endpoint: the
// full chat turn of the final step, for a matching and a non-matching request, alternating.
import { expect } from 'chai';
import { HOUR, ManualClock } from '../../core/clock.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const TRIES = 20;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

describe('the answer to a reset request', function () {
  let t: TestApp;
  let clock: ManualClock;
  before(async () => {
    clock = new ManualClock('2026-01-05T10:00:00Z');
    t = await startTestApp({ clock });
  });
  after(() => t.stop({ keepData: false }));

  it(`is the same, and as quick, whether or not the details match (median paired difference of ${TRIES} tries, within 20% or 5 ms)`, async function () {
    const requests = {
      matching: { email: 'fran.mock@nhs-trust.example', dateOfBirth: '17/09/1988' },
      unknown: { email: 'no.such.person@nhs-trust.example', dateOfBirth: '17/09/1988' },
    };
    const times: Record<keyof typeof requests, number[]> = { matching: [], unknown: [] };
    const answers = new Set<string>();
    const fran: TeamsUser = t.user({ userId: '29:fran', aadObjectId: '00000000-0000-4000-8000-000000000025', name: 'Fran Mock' });
    await fran.say('hello');

    const timedRequest = async (which: keyof typeof requests) => {
      const { email, dateOfBirth } = requests[which];
      for (const text of ['I forgot my password', email, dateOfBirth]) await fran.say(text);
      const started = performance.now();
      const replies = await fran.say('skip');
      times[which].push(performance.now() - started);
      answers.add(replies.map(replyText).join('\n'));
      // Let the background matching and email finish outside the timed turn, and keep every request
      // under the hourly limit so each matching one really is matched and emailed.
      await t.app.background.idle();
      clock.advance(HOUR);
    };

    for (let i = 0; i < 2; i++) for (const which of ['matching', 'unknown'] as const) await timedRequest(which); // warm-up
    times.matching.length = 0;
    times.unknown.length = 0;
    for (let i = 0; i < TRIES; i++) {
      for (const which of i % 2 ? (['unknown', 'matching'] as const) : (['matching', 'unknown'] as const)) await timedRequest(which);
    }

    const matching = median(times.matching);
    const unknown = median(times.unknown);
    // Each try's two requests run back to back, so their difference cancels what the rest of the machine was
    // doing at that moment; the median of those differences is what a timing attacker could learn.
    const pairedDifference = median(times.matching.map((m, i) => m - times.unknown[i]!));
    console.log(`      median final-turn time: matching ${matching.toFixed(2)} ms, unknown ${unknown.toFixed(2)} ms; median paired difference ${pairedDifference.toFixed(2)} ms (${TRIES} tries each)`);
    expect(answers.size, 'one and the same answer').to.equal(1);
    expect([...answers][0]).to.contain('If the details match an ESR account');
    const allowed = Math.max(0.2 * Math.max(matching, unknown), 5);
    expect(Math.abs(pairedDifference)).to.be.at.most(allowed);
    const emailed = (await t.app.audit.list({})).filter((e) => e.action === 'account_help.sent');
    expect(emailed, 'every matching request was really emailed').to.have.length(TRIES + 2);
  });
});
