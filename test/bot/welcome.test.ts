// The welcome card goes to each person once: when the app is installed (by them or by policy, which sends
// both a conversationUpdate and an installationUpdate, possibly at the same moment) or when they first write.
import { expect } from 'chai';
import { cardOf, replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('the welcome', () => {
  let t: TestApp;
  beforeEach(async () => (t = await startTestApp()));
  afterEach(() => t.stop({ keepData: false }));

  const welcomes = (conversationId: string) => t.connector.activitiesFor(conversationId).filter((c) => replyText(c).includes("I'm the ESR Helpdesk"));

  it('is sent once when a policy install delivers conversationUpdate and installationUpdate together', async () => {
    const bea = t.user(DEMO_USERS.bea);
    const statuses = await Promise.all([
      bea.post({ type: 'conversationUpdate', membersAdded: [{ id: '28:bot' }], text: undefined }),
      bea.post({ type: 'installationUpdate', action: 'add', text: undefined }),
    ]);
    expect(statuses).to.deep.equal([200, 200]);
    expect(welcomes(bea.conversationId)).to.have.length(1);
    expect(cardOf(welcomes(bea.conversationId)[0]!)?.version).to.equal('1.5');
    // ...and not again on their first message.
    await bea.say('hello');
    expect(welcomes(bea.conversationId)).to.have.length(1);
  });

  it('is not sent for other people joining a conversation', async () => {
    const bea = t.user(DEMO_USERS.bea);
    await bea.post({ type: 'conversationUpdate', membersAdded: [{ id: '29:someone-else' }], text: undefined });
    expect(welcomes(bea.conversationId)).to.have.length(0);
  });

  it('is sent with the answer when the first thing someone does is ask a question', async () => {
    const dana = t.user(DEMO_USERS.dana);
    const replies = await dana.say('what are the password rules');
    const texts = replies.map(replyText);
    expect(texts[0]).to.contain("I'm the ESR Helpdesk");
    expect(texts.join('\n')).to.contain('At least 12 characters');
  });

  it('survives a restart: nobody is welcomed twice', async () => {
    const alex = t.user({ ...DEMO_USERS.alex, conversationId: 'a:alex-welcome' });
    await alex.say('hello');
    await t.stop();
    t = await startTestApp({ dataDir: t.dataDir });
    const again = t.user({ ...DEMO_USERS.alex, conversationId: 'a:alex-welcome' });
    const replies = await again.say('hello');
    expect(replies.map(replyText).join('\n')).not.to.contain("I'm the ESR Helpdesk");
  });
});
