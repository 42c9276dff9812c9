// Guided mode (the real ESR) as a whole, over the real HTTP endpoint: every flow walked for anything that
// would be untrue against the real ESR (a password box, a date of birth asked, a reset link, "I've reset
// your password"); typed ESR messages lead to the right flow or a short question; the work email shown
// masked for several shapes; and the turns each flow takes to ESR's own page, measured.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { CaptureConnector, type CapturedCall } from '../support/captureConnector.js';
import { cardOf, inputsIn, replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';
import { KeepingTransport } from '../support/keepingTransport.js';

const ESR = 'https://my.esr.nhs.uk';
const choose = (value: string) => ({ action: 'choose', choice: value });
const text = (calls: CapturedCall[]) => calls.map(replyText).join('\n');

/** What would be untrue, or unsafe, said by a bot that cannot touch the real ESR. */
const UNTRUE = [
  /I('ve| have) (reset|unlocked|changed|set) your/i,
  /your (reset )?link\b/i,
  /log in with your new password/i,
  /secure box/i,
  /set (a|your) password (here|in (this|the) (chat|bot))/i,
  /training copy/i,
  /what is your date of birth|type your date of birth|your date of birth\?/i,
  /[?&]token=|\/reset\b|\/unlock\b/,
];

const linksToEsr = (calls: CapturedCall[]) =>
  calls.some((c) => ((cardOf(c)?.actions ?? []) as Array<{ type: string; url?: string }>).some((a) => a.type === 'Action.OpenUrl' && a.url === ESR));

describe('guided mode as a whole, over HTTP (ESR_MODE=guided)', () => {
  let connector: CaptureConnector;
  let mail: KeepingTransport;
  let t: TestApp;

  beforeEach(async () => {
    connector = await new CaptureConnector().start();
    mail = new KeepingTransport();
    t = await startTestApp({ connector, mailTransport: mail, clock: new ManualClock('2026-01-05T10:00:00Z'), env: { ESR_MODE: 'guided', ESR_LOGIN_URL: ESR } });
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await connector.stop();
  });

  async function user(who: keyof typeof DEMO_USERS | { userId: string; aadObjectId: string; name: string }): Promise<TeamsUser> {
    const u = t.user(typeof who === 'string' ? DEMO_USERS[who] : who);
    await u.say('hello');
    return u;
  }

  it('shows no password box, asks no date of birth and says nothing untrue about ESR in any flow, and emails no link', async () => {
    const alex = await user('alex');
    const seen: CapturedCall[] = [];
    const walk: Array<[string, Array<string | Record<string, unknown>>]> = [
      ['help', []],
      ['set up ESR from home', ['done', 'done', 'done']],
      ['I forgot my password', ['yes', 'done']],
      ['I forgot my password', ['yes', 'didnt work', 'linkExpired', 'skip']],
      ['I forgot my username', ['yes', 'done']],
      ['I forgot my username', ['no', 'yes']],
      ['my account is locked', ['inactive']],
      ['Password rules', []],
      ['My ESR app', ['iphone']],
      ['My ESR app', ['android']],
      ['Common questions', []],
      ['how do I see my payslip', []],
      ['what is ESR', []],
      ['Report a problem', ['login', 'I cannot log in to ESR', 'It said invalid username or password', 'done', 'send']],
      ['Speak to someone', []],
      ['a password typed by mistake: Tr0ub4dor&3xyz!', []],
    ];
    for (const [say, answers] of walk) {
      seen.push(...(await alex.say(say)));
      for (const a of answers) seen.push(...(typeof a === 'string' ? (/\s/.test(a) ? await alex.say(a) : await alex.submit(choose(a), a)) : await alex.submit(a)));
    }
    expect(seen.length).to.be.greaterThan(25);
    expect(inputsIn(seen).filter((i) => i.style === 'password' || /password|birth|dob/i.test(String(i.id)))).to.deep.equal([]);
    const all = text(seen);
    for (const pattern of UNTRUE) expect(all, String(pattern)).not.to.match(pattern);
    // The tasks and tickets raised on the way were emailed to the team: none carries a link that changes ESR.
    await t.app.background.idle();
    await t.app.mail.deliverDue();
    expect(mail.sent.length).to.be.greaterThan(0);
    for (const m of mail.sent) expect(`${m.text}\n${m.html ?? ''}`).not.to.match(/[?&]token=|\/reset\?|\/unlock\?/);
    expect(mail.sent.filter((m) => m.to === 'alex.demo@nhs-trust.example')).to.deep.equal([]);
  });

  it('shows ESR\'s own password rules, not the training copy\'s, and offers setting up from home', async () => {
    const alex = await user('alex');
    const rules = text(await alex.say('Password rules'));
    expect(rules).to.contain('minimum of 12 characters').and.contain('previous 4').and.contain('never into this chat');
    expect(rules).not.to.match(/256|qwerty|your username or your name/);
  });

  it('does not echo a password typed into the chat, and says the bot never needs one', async () => {
    const alex = await user('alex');
    const answer = text(await alex.say('Tr0ub4dor&3xyz!'));
    expect(answer).to.contain("I never need your ESR password").and.not.to.contain('Tr0ub4dor');
  });

  // What staff paste or type from ESR's screens: read first, and never guessed at.
  const diagnoses: Array<[said: string, leadsTo: string, shows: RegExp]> = [
    ['ESR says my account is inactive', 'the unlock flow, asking locked or inactive', /Only the Trust's ESR user administrators can unlock or reactivate/],
    ['account locked', 'the unlock flow', /Only the Trust's ESR user administrators can unlock or reactivate/],
    ['you do not have internet access', 'setting up from home', /set it up once at work/],
    ['invalid username or password', 'the question "which do you not remember?"', /Which do you not remember\?/],
    ['the link has expired', 'forgotten password, via the email on record', /Is this the email you use\?/],
  ];
  for (const [said, leadsTo, shows] of diagnoses) {
    it(`takes "${said}" to ${leadsTo}`, async () => {
      const alex = await user('alex');
      const answer = text(await alex.say(said));
      expect(answer).to.match(shows);
      expect(answer).not.to.match(/Did you mean|didn't understand/i);
    });
  }

  it('goes from "which do you not remember?" to the right flow for each of its buttons', async () => {
    const alex = await user('alex');
    const card = cardOf((await alex.say('invalid username or password'))[0]!);
    const buttons: Array<Record<string, unknown>> = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        const o = node as { type?: unknown; data?: { flow?: unknown } };
        if (o.type === 'Action.Submit' && typeof o.data?.flow === 'string') buttons.push(o.data);
        else Object.values(o).forEach(visit);
      }
    };
    visit(card);
    expect(buttons.map((b) => b.flow)).to.deep.equal(['forgotPassword', 'forgotUsername', 'forgotPassword', 'unlock']);
    const shows: Record<string, RegExp> = { forgotPassword: /Is this the email you use\?/, forgotUsername: /Is this the email you use\?/, unlock: /unlock or reactivate/ };
    for (const button of buttons) {
      expect(text(await alex.submit(button)), String(button.flow)).to.match(shows[String(button.flow)]!);
      await alex.say('cancel');
    }
  });

  const shapes: Array<[shape: string, email: string, masked: string]> = [
    ['first.last', 'sam.jones@nhs-trust.example', 's••.j•••s@nhs-trust.example'],
    ['hyphenated', 'mary-jane.smith-jones@nhs-trust.example', 'm••y-j••e.s•••h-j•••s@nhs-trust.example'],
    ['plus-addressed', 'pat.lee+esr@nhs-trust.example', 'p••.l••+•••@nhs-trust.example'],
    ['one part', 'admin@nhs-trust.example', 'a•••n@nhs-trust.example'],
  ];
  for (const [shape, email, masked] of shapes) {
    it(`shows a ${shape} work email masked as ESR holds it: ${masked}`, async () => {
      const oid = `00000000-0000-4000-8000-0000000001${String(shapes.findIndex((s) => s[1] === email)).padStart(2, '0')}`;
      await t.app.staff.upsertMany([{ username: `241MASK0${oid.slice(-1)}`, firstName: 'Mask', lastName: 'Shape', workEmail: email, dateOfBirth: '1980-01-01', staffGroup: 'substantive', entraObjectId: oid, upn: `mask${oid.slice(-2)}@nhs-trust.example` }]);
      const person = await user({ userId: `29:mask-${oid.slice(-2)}`, aadObjectId: oid, name: 'Mask Shape' });
      const shown = text(await person.say('I forgot my password'));
      expect(shown).to.contain(masked);
      expect(shown).not.to.contain(email);
    });
  }

  /** Turns from the first message until a turn satisfies `arrived`, answering each card with the first of `answers` it offers. */
  async function turnsUntil(u: TeamsUser, first: string, arrived: (calls: CapturedCall[]) => boolean, answers = ['yes', 'done']): Promise<number> {
    // Each count starts from a fresh conversation state: whatever flow was open is stopped first.
    await u.say('cancel');
    let calls = await u.say(first);
    for (let turns = 1; turns <= 10; turns++) {
      if (arrived(calls)) return turns;
      const offered = JSON.stringify(calls.map((c) => cardOf(c)));
      const answer = answers.find((a) => offered.includes(`"choice":"${a}"`));
      if (!answer) throw new Error(`no known answer offered after turn ${turns}: ${text(calls)}`);
      calls = await u.submit(choose(answer), answer);
    }
    throw new Error(`"${first}" did not arrive in 10 turns`);
  }

  it('counts the turns from the first message to ESR\'s own page for each flow, and keeps them short', async () => {
    const alex = await user('alex');
    const counts = {
      forgotPassword: await turnsUntil(alex, 'I forgot my password', linksToEsr),
      forgotUsername: await turnsUntil(alex, 'I forgot my username', linksToEsr),
      registerSteps: await turnsUntil(alex, 'set up ESR from home', (calls) => text(calls).includes('Manage Internet Access')),
      registerEsrLink: await turnsUntil(alex, 'set up ESR from home', (calls) => linksToEsr(calls) || text(calls).includes(ESR)),
    };
    console.log(`      turns to ESR's own page (measured): ${Object.entries(counts).map(([flow, n]) => `${flow}=${n}`).join(', ')}`);
    expect(counts.forgotPassword).to.be.at.most(2);
    expect(counts.forgotUsername).to.be.at.most(2);
    expect(counts.registerSteps).to.be.at.most(2);
    expect(counts.registerEsrLink).to.be.at.most(4);
  });
});
