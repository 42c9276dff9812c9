// The guided flows (ESR_MODE=guided) over the real HTTP endpoint: ESR's own screens explained one step
// per card, no password box and no date of birth asked, the masked work email checked first, and ESR
// admin tasks raised for what only the Trust can do.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { CaptureConnector, type CapturedCall } from '../support/captureConnector.js';
import { cardOf, inputsIn, replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const choose = (value: string) => ({ action: 'choose', choice: value });
const text = (calls: CapturedCall[]) => calls.map(replyText).join('\n');

function openUrls(calls: CapturedCall[]): string[] {
  return calls.flatMap((c) => ((cardOf(c)?.actions ?? []) as Array<{ type: string; url?: string }>).filter((a) => a.type === 'Action.OpenUrl').map((a) => a.url!));
}

describe('guided ESR flows over HTTP (ESR_MODE=guided)', () => {
  let connector: CaptureConnector;
  let t: TestApp;
  let clock: ManualClock;

  beforeEach(async () => {
    connector = await new CaptureConnector().start();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    t = await startTestApp({ connector, clock, env: { ESR_MODE: 'guided', ESR_LOGIN_URL: 'https://my.esr.nhs.uk' } });
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await connector.stop();
  });

  /** Says hello first, so the one-off welcome is out of the way. */
  async function user(who: keyof typeof DEMO_USERS): Promise<TeamsUser> {
    const u = t.user(DEMO_USERS[who]);
    await u.say('hello');
    return u;
  }

  it('takes two turns from "I forgot my password" to the link to ESR\'s own page, via the masked email on record', async () => {
    const alex = await user('alex');
    const turns: CapturedCall[][] = [];
    turns.push(await alex.say('I forgot my password'));
    expect(text(turns[0]!)).to.contain('a••x.d••o@nhs-trust.example').and.contain('Is this the email you use?');
    turns.push(await alex.submit(choose('yes'), 'yes'));
    const link = turns.findIndex((calls) => openUrls(calls).includes('https://my.esr.nhs.uk'));
    expect(link + 1).to.equal(2);
    expect(text(turns[1]!)).to.contain('Forgotten | Request Username/Password | Unlock Account').and.contain('241ADEMO01');
    console.log(`      turns from "I forgot my password" to the ESR link: forgotPassword=${link + 1}`);
  });

  it('takes two turns from "I forgot my username" to the link, and Done says what ESR emails next', async () => {
    const alex = await user('alex');
    await alex.say('I forgot my username');
    const steps = await alex.submit(choose('yes'), 'yes');
    expect(openUrls(steps)).to.include('https://my.esr.nhs.uk');
    // help, at any step, explains the step and repeats it; cancel stops.
    const help = text(await alex.say('help'));
    expect(help).to.contain('I never need your password').and.contain('finding your username');
    expect(openUrls(connector.activitiesFor(alex.conversationId).slice(-1))).to.include('https://my.esr.nhs.uk');
    const next = text(await alex.submit(choose('done'), 'done'));
    expect(next).to.contain('What happens next').and.contain('username');
    await alex.say('I forgot my username');
    expect(text(await alex.say('cancel'))).to.contain("I've stopped finding your username");
  });

  it('walks "Set up ESR from home" in three cards with the username, the smartcard steps and the rules, and bank guidance for bank staff', async () => {
    const bea = await user('bea');
    const first = text(await bea.say('set up ESR from home'));
    expect(first).to.contain('241BSAMPLE01').and.contain('241BSAMPLE02').and.contain('smartcard').and.contain('bank');
    const second = text(await bea.submit(choose('done'), 'done'));
    expect(second).to.contain('Manage Internet Access').and.contain('Approved').and.contain('Step 2 of 3');
    const third = text(await bea.submit(choose('done'), 'done'));
    expect(third).to.contain('minimum of 12 characters');
    const finished = text(await bea.submit(choose('done'), 'done'));
    expect(finished).to.contain("You're set up for ESR from home");
  });

  it('never shows a password box or asks for a date of birth in any guided flow', async () => {
    const alex = await user('alex');
    const seen: CapturedCall[] = [];
    for (const [say, answers] of [
      ['set up ESR from home', ['done', 'done', 'done']],
      ['I forgot my password', ['yes', 'done']],
      ['I forgot my username', ['yes', 'didnt work', 'noEmail', 'skip']],
      ['my account is locked', ['locked']],
      ['My ESR app', ['android']],
    ] as const) {
      seen.push(...(await alex.say(say)));
      for (const a of answers) seen.push(...(await alex.submit(choose(a), a)));
    }
    expect(inputsIn(seen).filter((i) => i.style === 'password' || /password/i.test(String(i.id)))).to.deep.equal([]);
    expect(text(seen)).not.to.match(/what is your date of birth|type your date of birth|your date of birth\?/i);
    expect(seen.length).to.be.greaterThan(10);
  });

  it('offers to raise a "correct my email" task when the email on record is not the one they use', async () => {
    const alex = await user('alex');
    await alex.say('I forgot my password');
    const offer = text(await alex.submit(choose('no'), 'no'));
    expect(offer).to.contain('only the Workforce Information team can change it');
    const sent = text(await alex.submit(choose('yes'), 'yes'));
    expect(sent).to.contain('ESR-00001');
    const task = (await t.app.tickets.get(1))!;
    expect(task.kind).to.equal('correct_email');
    expect(task.requester.esrUsernames).to.deep.equal(['241ADEMO01']);
    expect(task.task?.tried.join(' ')).to.contain('NOT the one they use');
  });

  it('turns "That didn\'t work" into a task with what ESR said, in their own words, and what they tried', async () => {
    const alex = await user('alex');
    await alex.say('I forgot my password');
    await alex.submit(choose('yes'), 'yes');
    const ask = text(await alex.submit(choose('didnt work'), 'didnt work'));
    expect(ask).to.contain('What did ESR say').and.contain('No email arrived');
    await alex.submit(choose('own'), 'own');
    await alex.say('It showed an error page with code 500');
    const sent = text(await alex.submit(choose('skip'), 'skip'));
    expect(sent).to.contain('ESR-00001');
    const task = (await t.app.tickets.get(1))!;
    expect(task.kind).to.equal('other');
    expect(task.errorMessage).to.equal('It showed an error page with code 500');
    expect(task.task?.tried.join(' ')).to.contain('Followed the steps');
    expect(task.context.flow).to.equal('forgotPassword');
  });

  it('raises an unlock task for a locked account, asking only locked or inactive, and says when the team is in', async () => {
    const chris = await user('chris');
    const ask = text(await chris.say('my account is locked'));
    expect(ask).to.contain('Chris Test').and.contain('241CTEST01');
    const sent = text(await chris.submit(choose('locked'), 'locked'));
    expect(sent).to.contain('ESR-00001').and.contain("They're in now");
    const task = (await t.app.tickets.get(1))!;
    expect(task.kind).to.equal('unlock');
    expect(task.task).to.deep.include({ organisationCode: '241', username: '241CTEST01' });
    expect(task.status).to.equal('open');
  });

  it('says when the team is next in, for a task raised out of hours', async () => {
    clock.set(new Date('2026-01-10T12:00:00Z'));
    const chris = await user('chris');
    await chris.say('my account is locked');
    const sent = text(await chris.submit(choose('inactive'), 'inactive'));
    expect(sent).to.contain('out of the office').and.contain('Monday');
    expect((await t.app.tickets.get(1))!.kind).to.equal('reactivate');
  });

  it('tells someone not in the staff directory so plainly, gives the general steps, and offers a task to check their record', async () => {
    const stranger = await user('stranger');
    const first = text(await stranger.say('I forgot my password'));
    expect(first).to.contain("I couldn't find your ESR record").and.contain('Forgotten | Request Username/Password | Unlock Account');
    const sent = text(await stranger.submit(choose('yes'), 'yes'));
    expect(sent).to.contain('ESR-00001');
    const task = (await t.app.tickets.get(1))!;
    expect(task.kind).to.equal('other');
    expect(task.requester.esrUsernames).to.deep.equal([]);
    expect(task.requester.name).to.equal('Sam Stranger');
  });

  it('does not raise the same task twice while the first is still with the team', async () => {
    const chris = await user('chris');
    await chris.say('my account is locked');
    await chris.submit(choose('locked'), 'locked');
    await chris.say('my account is locked');
    const again = text(await chris.submit(choose('locked'), 'locked'));
    expect(again).to.contain('You already asked for this');
    expect(await t.app.tickets.list()).to.have.length(1);
  });
});
