// Tickets raised before the agents have chosen a channel: the real app and CloudAdapter over HTTP, with the
// capture connector standing in for Teams.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { CaptureConnector } from '../support/captureConnector.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const QUEUE = '19:queue@thread.tacv2';
const PRIYA = { id: '29:agent-priya', name: 'Priya Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000001' };

describe('tickets waiting for an agents\' channel', () => {
  let connector: CaptureConnector;
  let t: TestApp;

  beforeEach(async () => {
    connector = await new CaptureConnector().start();
    t = await startTestApp({ connector, clock: new ManualClock('2026-01-05T10:00:00Z'), sleep: () => Promise.resolve() });
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await connector.stop();
  });

  async function useThisChannel(): Promise<void> {
    const activity = {
      type: 'message',
      id: 'agent-1',
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from: PRIYA,
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: QUEUE, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { channel: { id: QUEUE }, team: { id: '19:team@thread.tacv2' }, tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      text: 'use this channel',
    };
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    await res.arrayBuffer();
    expect(res.status).to.equal(200);
  }

  /** The first message of each thread the bot started in the channel. */
  const threadsStarted = () =>
    connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations').map((c) => replyText({ ...c, body: c.body.activity as Record<string, unknown> }));

  it('posts open tickets raised before any channel was chosen once one is, oldest first, and leaves resolved ones', async () => {
    await t.user(DEMO_USERS.alex).say('speak to someone');
    await t.user(DEMO_USERS.bea).say('speak to someone');
    const beaTicket = (await t.app.tickets.get(2))!;
    await t.app.tickets.resolve(beaTicket.id, { id: 'agent', name: 'Agent' }, { channel: 'dashboard' });
    expect(threadsStarted()).to.deep.equal([]);
    expect((await t.app.tickets.get(1))!.channelPost).to.equal(undefined);

    await useThisChannel();

    const posted = threadsStarted();
    expect(posted).to.have.length(1);
    expect(posted[0]).to.contain('ESR-00001');
    expect((await t.app.tickets.get(1))!.channelPost?.threadConversationId).to.match(new RegExp(`^${QUEUE};messageid=`));
    expect((await t.app.tickets.get(2))!.channelPost).to.equal(undefined);
  });

  it('does not post a ticket twice when a channel is chosen again', async () => {
    await t.user(DEMO_USERS.alex).say('speak to someone');
    await useThisChannel();
    await useThisChannel();
    expect(threadsStarted()).to.have.length(1);
  });
});
