// The "Send this to the team?" step of a report: what people type there instead of pressing a button.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('the report\'s "Send this to the team?" step', () => {
  let t: TestApp;
  let alex: TeamsUser;

  beforeEach(async () => {
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z') });
    alex = t.user(DEMO_USERS.alex);
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
  });

  const say = async (text: string) => (await alex.say(text)).map(replyText).join('\n');

  async function upToConfirm(): Promise<void> {
    await say('report a problem');
    await say('Log in to ESR');
    await say('I get an error after I log in');
    await say('skip');
    expect(await say('skip')).to.contain('Send this to the team?');
  }

  it('connects them with a person when they type "speak to someone", sending what they wrote with it', async () => {
    await upToConfirm();
    const answer = await say('speak to someone');
    expect(answer).to.contain('ESR-00001');
    expect(answer).not.to.contain('Choose **Send**');
    const ticket = (await t.app.tickets.get(1))!;
    expect(ticket).to.deep.include({ category: 'login', description: 'I get an error after I log in', wantsPerson: true });
  });

  it('shows the Send and Cancel buttons again with the reminder when the answer is neither', async () => {
    await upToConfirm();
    const calls = await alex.say('hmm, not sure');
    const shown = calls.map(replyText).join('\n');
    expect(shown).to.contain('Choose **Send** to send it, or **Cancel**.');
    const buttons = calls.flatMap((c) => JSON.stringify(c.body).match(/"title":"(Send|Cancel)"/g) ?? []);
    expect(buttons).to.deep.equal(['"title":"Send"', '"title":"Cancel"']);
    expect(await t.app.tickets.get(1)).to.equal(undefined);
  });
});
