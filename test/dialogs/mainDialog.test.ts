// The router and the help/cancel/menu handling, driven with botbuilder-testing's DialogTestClient over
// the real ESR service (temp lowdb stores). Only the Teams plumbing (profile lookup, ticket desk) is faked.
import { expect } from 'chai';
import type { Activity, TurnContext } from 'botbuilder-core';
import { DialogTestClient } from 'botbuilder-testing';
import { loadContent, type Content } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import type { DialogDeps, HelpDesk, ProfileResolver, ReportInput, UserProfile } from '../../dialogs/deps.js';
import { createFlows } from '../../dialogs/flows.js';
import { LiveUnderstanding } from '../../understanding/live.js';
import type { MissedEvent } from '../../understanding/missed.js';
import { understandingSource } from '../../understanding/source.js';
import { MainDialog } from '../../dialogs/mainDialog.js';
import { createEsrHarness, STAFF, type EsrHarness } from '../support/esrHarness.js';

/** The person on the other end: Aisha, found by her Entra id. */
const profiles: ProfileResolver = {
  resolve: (context: TurnContext): Promise<UserProfile> =>
    Promise.resolve({ teamsUserId: context.activity.from.id, entraObjectId: STAFF.aisha.entraObjectId, displayName: 'Aisha Shah', givenName: 'Aisha' }),
};

class RecordingDesk implements HelpDesk {
  readonly maxScreenshots = 5;
  readonly maxScreenshotMb = 10;
  readonly submitted: ReportInput[] = [];
  collectScreenshots() {
    return Promise.resolve({ accepted: [], refused: [] });
  }
  submit(_context: TurnContext, input: ReportInput) {
    this.submitted.push(input);
    return Promise.resolve({ ref: 'ESR-00007', reused: false, team: 'workforce' as const, teamIsIn: true, nextOpening: 'today at 9am' });
  }
  discard() {
    return Promise.resolve();
  }
  raiseAdminTask() {
    return Promise.resolve({ ref: 'ESR-00008', reused: false, state: 'queued' as const, automationFellBack: false, teamIsIn: true, nextOpening: 'today at 9am' });
  }
}

function textOf(activity: Partial<Activity> | undefined): string {
  if (!activity) return '';
  const card = JSON.stringify(activity.attachments ?? []);
  return `${activity.text ?? ''} ${card}`;
}

describe('the main dialog', () => {
  let h: EsrHarness;
  let content: Content;
  let desk: RecordingDesk;
  let client: DialogTestClient;
  let missed: MissedEvent[];
  // DialogTestClient's replies are untyped; these give them their real type.
  const send = async (activity: string | Partial<Activity>): Promise<Partial<Activity> | undefined> => (await client.sendActivity(activity)) as Partial<Activity> | undefined;
  const next = (): Partial<Activity> | undefined => client.getNextReply();

  beforeEach(async () => {
    h = await createEsrHarness();
    content = await loadContent({ locale: 'en-GB', globals: { orgCode: '241', officeHours: 'Monday to Friday, 9am to 5pm', workforceEmail: 'wfi@nhs-trust.example' } });
    const faq = await loadFaq('en-GB');
    desk = new RecordingDesk();
    missed = [];
    const intents = new LiveUnderstanding(understandingSource(content, faq));
    const deps: DialogDeps = {
      esr: h.service,
      content: () => content,
      intents: () => intents,
      profiles,
      clock: h.clock,
      settings: { resetLinkHours: 4 },
      faq: () => faq,
      desk,
      usage: { record: () => Promise.resolve(), since: () => Promise.resolve([]) },
      missed: { record: (e) => Promise.resolve(void missed.push(e)), since: () => Promise.resolve(missed) },
    };
    client = new DialogTestClient('msteams', new MainDialog(deps, createFlows(deps)));
  });
  afterEach(() => h.cleanup());

  const routes: Array<[string, string]> = [
    ['I forgot my password', 'email you a link to reset your ESR password'],
    ['what is my username', 'email you your ESR username'],
    ['my account is locked', 'unlocks your ESR account'],
    ['password rules', 'At least 12 characters'],
    ['where can I see my payslip', 'substantive staff can only see their payslips online'],
    ['help', 'Choose an option from the menu'],
    ['cancel', "There's nothing to cancel"],
    ['banana', "Sorry, I didn't understand that"],
  ];
  for (const [said, expected] of routes) {
    it(`answers "${said}" with the right flow`, async () => {
      const reply = await send(said);
      const all = [textOf(reply)];
      for (let r = next(); r; r = next()) all.push(textOf(r));
      expect(all.join('\n')).to.contain(expected);
    });
  }

  const cardOf = (a: Partial<Activity> | undefined) => a?.attachments?.[0]?.content as { body: Array<{ type: string; text?: string; actions?: Array<{ title: string; data: Record<string, string> }> }> };
  const buttonsOf = (a: Partial<Activity> | undefined) => cardOf(a).body.flatMap((b) => b.actions ?? []);

  it('asks "did you mean" between close answers, with "Something else", and records the choice made', async () => {
    const card = await send('who do I contact about my ESR account');
    const buttons = buttonsOf(card);
    expect(cardOf(card).body[0]!.text).to.equal('Did you mean…');
    expect(buttons.map((b) => b.title)).to.include('Who to contact').and.include('Something else');
    const contact = buttons.find((b) => b.title === 'Who to contact')!;
    expect(contact.data).to.include({ action: 'didYouMean', choice: 'faq:contact', said: 'who do I contact about my ESR account' });
    const answer = await send({ type: 'message', text: contact.title, value: contact.data });
    expect(JSON.stringify(answer)).to.contain('Workforce Information');
    expect(missed).to.deep.include({ at: h.clock.now().toISOString(), kind: 'choice', key: missed[0]!.key, text: 'who do I contact about my ESR account', choice: 'faq:contact' });
  });

  it('offers the menu after "Something else" and keeps what was asked', async () => {
    const card = await send('who do I contact about my ESR account');
    const other = buttonsOf(card).find((b) => b.title === 'Something else')!;
    const reply = await send({ type: 'message', text: other.title, value: other.data });
    expect(textOf(reply)).to.contain('speak to someone');
    expect(missed.map((e) => [e.kind, e.text])).to.deep.equal([['somethingElse', 'who do I contact about my ESR account']]);
  });

  it('asks which was forgotten after "invalid username or password", each answer starting its flow', async () => {
    const card = await send('My ESR says invalid username or password');
    expect(cardOf(card).body[0]!.text).to.equal('Which do you not remember?');
    expect(buttonsOf(card).map((b) => [b.title, b.data.flow])).to.deep.equal([
      ['My password', 'forgotPassword'],
      ['My username', 'forgotUsername'],
      ['Both', 'forgotPassword'],
      ["I'm locked out", 'unlock'],
    ]);
    const username = buttonsOf(card)[1]!;
    const reply = await send({ type: 'message', text: username.title, value: username.data });
    expect(textOf(reply)).to.contain('email you your ESR username');
  });

  it('keeps a message it did not understand, with the password removed', async () => {
    await send('banana my password is Orchard42!');
    expect(missed.map((e) => [e.kind, e.text])).to.deep.equal([['fallback', 'banana my password is [password]']]);
  });

  it('gives help for the step the user is on and asks the same question again', async () => {
    await send('I forgot my password');
    next();
    await send('aisha.shah@nhs-trust.example');
    const help = await send('help');
    expect(textOf(help)).to.contain('Type your date of birth with the day first');
    expect(textOf(next())).to.contain('date of birth');
  });

  it('stops the flow on "cancel", says what was stopped, and forgets the answers', async () => {
    await send('I forgot my password');
    next();
    await send('aisha.shah@nhs-trust.example');
    const cancelled = await send('cancel');
    expect(textOf(cancelled)).to.contain("I've stopped resetting your password");
    const after = await send('14/03/1985');
    expect(textOf(after)).not.to.contain('ESR username');
  });

  it('shows the menu on "menu" in the middle of a flow', async () => {
    await send('report a problem');
    next();
    const menu = await send('menu');
    expect(textOf(menu)).to.contain('What do you need help with?');
  });

  it('switches flow when a menu button is pressed in the middle of another', async () => {
    await send('I forgot my password');
    next();
    const reply = await send({ type: 'message', value: { action: 'flow', flow: 'passwordRules' } });
    expect(textOf(reply)).to.contain('ESR password rules');
  });

  it('opens a ticket for a person on "speak to someone", noting the flow they were in', async () => {
    await send('I forgot my password');
    next();
    await send('speak to someone');
    expect(desk.submitted).to.have.length(1);
    expect(desk.submitted[0]).to.include({ wantsPerson: true, category: 'login' });
    expect(desk.submitted[0]!.context.flow).to.equal('forgotPassword');
  });

  it('asks again, kindly, when a date of birth is not a real date', async () => {
    await send('I forgot my password');
    next();
    await send('aisha.shah@nhs-trust.example');
    const reply = await send('31/02/1990');
    expect(textOf(reply)).to.contain("isn't a real date");
  });
});
