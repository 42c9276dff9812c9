// The real server over HTTP: restify, CloudAdapter with auth off, replies captured on a local connector.
import { expect } from 'chai';
import { cardOf, replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

describe('the bot over its real HTTP endpoint', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
    t.connector.roster.set(DEMO_USERS.alex.userId, { id: DEMO_USERS.alex.userId, name: 'Alex Demo', givenName: 'Alex', aadObjectId: DEMO_USERS.alex.aadObjectId, email: 'alex.demo@nhs-trust.example' });
  });
  after(() => t.stop({ keepData: false }));

  it('answers the health check with 200 while the store is readable', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).to.equal(200);
    expect(await res.json()).to.include({ status: 'ok', staff: 7 });
  });

  it('welcomes a new user by first name with the menu, on their first message', async () => {
    const alex = t.user(DEMO_USERS.alex);
    const replies = await alex.say('hello');
    expect(replies).to.have.length(1);
    const card = cardOf(replies[0]!);
    expect(card?.version).to.equal('1.5');
    expect(replyText(replies[0]!)).to.contain('Hello Alex').and.contain('Forgotten password');
  });

  it('routes free text to the right flow', async () => {
    const alex = t.user(DEMO_USERS.alex);
    const replies = await alex.say('what are the password rules?');
    expect(replies.map(replyText).join('\n')).to.contain('At least 12 characters');
  });

  it('refuses a malformed activity with 400 and a reason', async () => {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ type: 'message' }) });
    expect(res.status).to.equal(400);
    expect(((await res.json()) as { error: string }).error).to.match(/Malformed activity: serviceUrl/);
  });

  it('refuses a body that is not JSON with 400', async () => {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' });
    expect(res.status).to.equal(400);
  });

  it('answers an invoke the bot does not handle with 400, not a 5xx', async () => {
    const alex = t.user(DEMO_USERS.alex);
    for (const name of [undefined, 'composeExtension/query', 'no/such/invoke']) {
      const status = await alex.post({ type: 'invoke', ...(name ? { name } : {}), value: {} });
      expect(status, String(name)).to.equal(400);
    }
  });

  it('refuses a body that is not sent as JSON with 415', async () => {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hello' });
    expect(res.status).to.equal(415);
  });
});
