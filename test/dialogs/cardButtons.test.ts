// Card buttons pressed in Microsoft's Teams emulator (Agents Playground), which sends an Action.Submit's data
// as `value` with no text, even when the data asks for a messageBack; Teams itself sends the messageBack text
// too. The activities below are the shape the emulator posts (its SubmitActivityGenerator): a message with
// `replyToId`, `value` (the button's whole data, `msteams` included) and `channelData.source`.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('card buttons as the Teams emulator sends them', () => {
  let t: TestApp;
  let alex: TeamsUser;

  beforeEach(async () => {
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z') });
    alex = t.user(DEMO_USERS.alex);
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
  });

  /** A press of a choice button, exactly as the emulator posts it: no text, the data as value. */
  async function press(label: string, choice: string): Promise<string> {
    const before = t.connector.activitiesFor(alex.conversationId).length;
    const status = await alex.post({
      replyToId: 'card-1',
      value: { action: 'choose', choice, msteams: { type: 'messageBack', displayText: label, text: choice } },
      channelData: { source: { name: 'message' }, tenant: { id: 'tenant-1' } },
    });
    expect(status).to.equal(200);
    return t.connector.activitiesFor(alex.conversationId).slice(before).map(replyText).join('\n');
  }

  const say = async (text: string) => (await alex.say(text)).map(replyText).join('\n');

  it('moves the report flow on at every button: a category, Skip, Skip and Send', async () => {
    expect(await say('report a problem')).to.contain('Log in to ESR');
    expect(await press('Log in to ESR', 'Log in to ESR')).to.contain('What happened?');
    expect(await say('I get an error after I log in')).to.contain('If you saw an error message');
    expect(await press('Skip', 'skip')).to.contain('Paste or attach up to');
    expect(await press('Skip', 'skip')).to.contain('Send this to the team?');
    expect(await press('Send', 'send')).to.contain('Sent to the team: ESR-00001');
    const ticket = await t.app.tickets.get(1);
    expect(ticket).to.deep.include({ category: 'login', description: 'I get an error after I log in' });
  });

  it('leaves a typed message and a value without a messageBack as they were', async () => {
    expect(await say('report a problem')).to.contain('Log in to ESR');
    // A submit with no messageBack text is not an answer to a text question: the question is asked again.
    const status = await alex.post({ replyToId: 'card-1', value: { action: 'choose', choice: 'Log in to ESR' } });
    expect(status).to.equal(200);
    expect(await t.app.tickets.get(1)).to.equal(undefined);
    expect(await say('Log in to ESR')).to.contain('What happened?');
  });
});
