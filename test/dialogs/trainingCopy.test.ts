// In simulated mode every card that changes an account says, in the attention colour and in its text
// fallback, that this is a training copy of ESR; and no success text sends anyone to the real ESR with a
// password set here. Walked through the bot's real HTTP endpoint, as flows.test.ts does.
import { expect } from 'chai';
import { cardProblems } from '../../cards/validate.js';
import { ManualClock } from '../../core/clock.js';
import type { CapturedCall } from '../support/captureConnector.js';
import { cardOf, replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const GOOD_PASSWORD = 'copper meadow violin tide';
const NOTICE = 'This is a training copy of ESR';
// What the old texts said, and what no success text may say now: the training copy's password is not the real one.
const REAL_LOGIN = /log in (?:to ESR )?(?:from any device )?(?:with your username|at https:\/\/my\.esr|with your new password)|You can now log in/i;

/** The notice inside a card: a warning container whose text blocks are in the attention colour. */
function noticeIn(card: Record<string, unknown>): { label: string; text: string } | undefined {
  const body = card.body as Array<Record<string, unknown>>;
  const box = body.find((el) => el.type === 'Container' && el.style === 'warning' && JSON.stringify(el).includes(NOTICE));
  if (!box) return undefined;
  const items = box.items as Array<{ text: string; color?: string }>;
  expect(items.every((i) => i.color === 'Attention'), 'every line of the notice in the attention colour').to.equal(true);
  return { label: items[0]!.text, text: items[1]!.text };
}

function expectNotice(call: CapturedCall | undefined, what: string): void {
  expect(call, what).to.not.equal(undefined);
  const card = cardOf(call!)!;
  expect(noticeIn(card), `${what}: the notice`).to.deep.equal({
    label: 'Training copy of ESR',
    text: 'This is a training copy of ESR, for demonstrations and staff training. Nothing you do here changes your real ESR account or its password.',
  });
  expect(String(card.fallbackText), `${what}: the text fallback`).to.contain(`TRAINING COPY OF ESR: ${NOTICE}`);
  expect(cardProblems(card), `${what}: a valid card`).to.deep.equal([]);
}

const withCard = (calls: CapturedCall[], pattern: RegExp) => [...calls].reverse().find((c) => cardOf(c) && pattern.test(JSON.stringify(cardOf(c))));

describe('the chat in simulated mode, the training copy of ESR', function () {
  let t: TestApp;
  let ids: Map<CapturedCall, string>;
  beforeEach(async () => {
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), env: { ESR_MODE: 'simulated' } });
    ids = new Map();
    let next = 0;
    t.connector.respond = (call) => {
      if (call.method !== 'POST' || !call.path.includes('/activities')) return undefined;
      const id = `bot-msg-${++next}`;
      ids.set(call, id);
      return { status: 200, body: { id } };
    };
  });
  afterEach(() => t.stop({ keepData: false }));

  it('puts the notice on the set-password card and on the "set up" card, whose text never says to log in to the real ESR with it', async () => {
    const alex = t.user(DEMO_USERS.alex);
    const form = withCard(await alex.say('set up ESR from home'), /"style":"password"/);
    expectNotice(form, 'the set-password card');
    await alex.post({ value: { action: 'setPassword', newPassword: GOOD_PASSWORD, confirmPassword: GOOD_PASSWORD }, replyToId: ids.get(form!) });
    const replies = t.connector.activitiesFor(alex.conversationId).filter((c) => c.method === 'POST');
    const done = withCard(replies, /Practice set-up done/);
    expectNotice(done, 'the success card');
    const text = replyText(done!);
    expect(text).to.contain('Your real ESR account has not changed').and.contain('To set up or change your real ESR password, use ESR itself');
    expect(text).to.not.match(REAL_LOGIN);
  });

  const flows = [
    { flow: 'forgotten password', says: 'I forgot my password', user: DEMO_USERS.alex, answers: ['alex.demo@nhs-trust.example', '14/03/1985', 'skip'] },
    { flow: 'forgotten username', says: 'forgotten username', user: DEMO_USERS.bea, answers: ['bea.sample@nhs-trust.example', '02/07/1990', 'skip'] },
    { flow: 'unlock', says: 'my account is locked', user: DEMO_USERS.chris, answers: ['chris.test@nhs-trust.example', '30/11/1978', '241CTEST01'] },
  ];
  for (const { flow, says, user, answers } of flows) {
    it(`puts the notice on the ${flow} flow's "check your email" card`, async () => {
      const person = t.user(user);
      await person.say(says);
      let last: CapturedCall[] = [];
      for (const answer of answers) last = await person.say(answer);
      expectNotice(withCard(last, /Check your email/), `the ${flow} confirmation`);
      expect(last.map(replyText).join('\n')).to.not.match(REAL_LOGIN);
    });
  }

  it('shows no notice in guided mode, where the bot changes no account', async () => {
    await t.stop({ keepData: false });
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), env: { ESR_MODE: 'guided' } });
    const bea = t.user(DEMO_USERS.bea);
    await bea.say('forgotten username');
    let last: CapturedCall[] = [];
    for (const answer of ['bea.sample@nhs-trust.example', '02/07/1990', 'skip']) last = await bea.say(answer);
    expect(last.map((c) => JSON.stringify(cardOf(c) ?? {})).join()).to.not.contain(NOTICE);
  });
});
