import { startTestApp } from '../support/testApp.js';
describe('probe', function () {
  this.timeout(120000);
  it('acts with an app id', async () => {
    const t = await startTestApp({ env: { MicrosoftAppId: '11111111-2222-4333-8444-555555555555', MicrosoftAppTenantId: '66666666-7777-4888-9999-000000000000' } });
    const ticket = await t.app.tickets.create({ requester: { teamsUserId: '29:x', name: 'X Person', esrUsernames: [] }, category: 'login', description: 'cannot log in', userConversation: { conversation: { id: 'a:1' }, serviceUrl: t.connector.url, channelId: 'msteams', bot: { id: '28:bot' }, user: { id: '29:x' } } });
    const start = Date.now();
    const r = await t.app.desk.act('takeOver', ticket.id, { id: 'a1', name: 'Agent One' }, 'dashboard');
    console.log('took', Date.now() - start, r.ok, t.connector.calls?.length);
    console.log(t.logs.filter(l => l.includes('warn') || l.includes('"level":40')).slice(-3).join('\n').slice(0, 2000));
    await t.stop({ keepData: false });
  });
});
