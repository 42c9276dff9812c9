// Live takeover over HTTP: the real app and CloudAdapter, with the capture connector standing in for
// Teams on both sides (the member of staff's personal chat and the agents' channel). Agents press the
// ticket card's Universal Actions (invoke activities) and write in the ticket's thread; the user chats
// in their personal conversation.
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { CaptureConnector, type CapturedCall } from '../support/captureConnector.js';
import { png, startImageServer, type ImageServer } from '../support/images.js';
import { cardOf, replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const QUEUE = '19:queue@thread.tacv2';
const TEAM = '19:team@thread.tacv2';
const PRIYA = { id: '29:agent-priya', name: 'Priya Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000001' };
const SAM = { id: '29:agent-sam', name: 'Sam Agent', aadObjectId: 'a0000000-0000-4000-8000-000000000002' };
type AgentId = typeof PRIYA;
let activityCount = 0;

interface InvokeAnswer {
  status: number;
  body: { statusCode: number; type: string; value: unknown };
}

describe('live takeover by agents in Teams', () => {
  let connector: CaptureConnector;
  let images: ImageServer;
  let clock: ManualClock;
  let sleeps: number[];
  let t: TestApp;
  let alex: TeamsUser;
  /** The ticket card's thread in the agents' channel. */
  let thread: string;
  /** The id of the ticket card (the thread's first message), which updates replace. */
  let cardId: string;

  const fakeSleep = (ms: number) => {
    sleeps.push(ms);
    return Promise.resolve();
  };

  before(async () => {
    images = await startImageServer();
  });
  after(async () => {
    await images.stop();
  });

  beforeEach(async () => {
    connector = await new CaptureConnector().start();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    sleeps = [];
    t = await startTestApp({ connector, clock, sleep: fakeSleep, env: { ATTACHMENT_HOSTS: 'localhost' } });
    expect(await channelPost(PRIYA, QUEUE, 'use this channel')).to.equal(200);
    alex = t.user(DEMO_USERS.alex);
    expect(replies(await alex.say('speak to someone'))).to.contain('ESR-00001');
    const post = (await t.app.tickets.get(1))!.channelPost!;
    thread = post.threadConversationId!;
    cardId = post.activityId!;
    expect(thread).to.equal(`${QUEUE};messageid=${cardId}`);
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await connector.stop();
  });

  // ---- how the agents' side talks to the bot ----

  function channelActivity(from: AgentId, conversationId: string, fields: Record<string, unknown>): Record<string, unknown> {
    return {
      type: 'message',
      id: `agent-${++activityCount}`,
      timestamp: new Date().toISOString(),
      channelId: 'msteams',
      serviceUrl: connector.url,
      from,
      recipient: { id: '28:bot', name: 'ESR Helpdesk' },
      conversation: { id: conversationId, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
      channelData: { channel: { id: QUEUE }, team: { id: TEAM }, tenant: { id: 'tenant-1' } },
      locale: 'en-GB',
      ...fields,
    };
  }

  async function channelPost(from: AgentId, conversationId: string, text: string): Promise<number> {
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(channelActivity(from, conversationId, { text })) });
    await res.arrayBuffer();
    return res.status;
  }

  /** An agent writes in the ticket's thread; returns what the bot answered in the thread. */
  async function agentSays(from: AgentId, text: string): Promise<string> {
    const before = connector.activitiesFor(thread).length;
    expect(await channelPost(from, thread, text)).to.equal(200);
    return replies(connector.activitiesFor(thread).slice(before));
  }

  /** An agent presses a button on the ticket card (Action.Execute → adaptiveCard/action invoke). */
  async function press(from: AgentId, verb: string, conversationId = QUEUE, ticketId = '1'): Promise<InvokeAnswer> {
    const activity = channelActivity(from, conversationId, {
      type: 'invoke',
      name: 'adaptiveCard/action',
      value: { action: { type: 'Action.Execute', verb, data: { ticketId } }, trigger: 'manual' },
    });
    const res = await fetch(`${t.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
    return { status: res.status, body: (await res.json()) as InvokeAnswer['body'] };
  }

  /** Everything sent to the user's chat from the `from`th call on. */
  function toUser(from = 0): string[] {
    return connector.activitiesFor(alex.conversationId).slice(from).map(replyText);
  }

  /** The card updates (PUT) of the ticket card in the channel. */
  function cardUpdates(): CapturedCall[] {
    return connector.calls.filter((c) => c.method === 'PUT' && c.activityId === cardId);
  }

  async function takeOver(agent: AgentId = PRIYA): Promise<void> {
    const answer = await press(agent, 'takeOver');
    expect(answer.body.type).to.equal('application/vnd.microsoft.card.adaptive');
  }

  // ---- the tests ----

  it('Take over updates the card in place for everyone and tells the user proactively who has it', async () => {
    const sentBefore = connector.activitiesFor(alex.conversationId).length;
    const answer = await press(PRIYA, 'takeOver');

    expect(answer.status).to.equal(200);
    expect(answer.body).to.include({ statusCode: 200, type: 'application/vnd.microsoft.card.adaptive' });
    const shown = cardText(answer.body.value);
    expect(shown).to.contain('ESR-00001').and.contain('Assigned').and.contain('Held by Priya Agent');
    expect(shown).to.contain('Unassign').and.contain('Resolve').and.not.contain('Take over');

    const [update] = cardUpdates();
    expect(update, 'a PUT replacing the card in the channel').to.exist;
    // The card opens its thread, so Teams addresses it through the thread's conversation id.
    expect(update!.conversationId).to.equal(thread);
    expect(replyText(update!)).to.contain('Held by Priya Agent').and.contain('Assigned');

    expect(toUser(sentBefore)).to.deep.equal([
      "**Priya Agent** from the Workforce Information team has picked up ESR-00001 and can see your messages now. Type **end chat** when you're done.",
    ]);
    const ticket = (await t.app.tickets.get(1))!;
    expect(ticket).to.include({ status: 'assigned', live: true });
    expect(ticket.assignee).to.deep.equal({ id: PRIYA.aadObjectId, name: 'Priya Agent' });
  });

  it("relays the user's messages to the thread and the agent's replies to the user, as the agent", async () => {
    await takeOver();
    const sentBefore = connector.activitiesFor(alex.conversationId).length;

    // The bot stays out of the way: no reply of its own, the message goes to the thread.
    expect(await alex.say('I still cannot log in, it says my account is locked')).to.deep.equal([]);
    const inThread = await connector.waitFor((c) => c.conversationId === thread && replyText(c).includes('account is locked'));
    expect(replyText(inThread)).to.equal('**Alex Demo:** I still cannot log in, it says my account is locked');

    expect(await agentSays(PRIYA, 'I have unlocked it, please try again now')).to.equal('');
    expect(toUser(sentBefore)).to.deep.equal(['**Priya Agent:** I have unlocked it, please try again now']);
  });

  it("relays the user's links, mentions and formatting to the thread as typed, never live", async () => {
    await takeOver();
    expect(await alex.say('[Open ESR securely](https://evil.example/phish) <at>Priya</at> **now**')).to.deep.equal([]);
    const inThread = await connector.waitFor((c) => c.conversationId === thread && replyText(c).includes('Open ESR securely'));
    expect(replyText(inThread)).to.equal('**Alex Demo:** \\[Open ESR securely\\]\\(https\\://evil\\.example/phish\\) \\<at\\>Priya\\</at\\> \\*\\*now\\*\\*');
    // The ticket keeps what they typed; only what agents are shown is escaped.
    expect((await t.app.tickets.get(1))!.transcript.at(-1)).to.deep.include({ from: 'user', text: '[Open ESR securely](https://evil.example/phish) <at>Priya</at> **now**' });
  });

  it('relays a screenshot the user pastes during the chat as a link in the thread, and keeps it with the ticket', async () => {
    await takeOver();
    const bytes = png({ width: 5, height: 5 });
    images.serve('/live.png', bytes);
    const status = await alex.post({ text: 'this is what I see', attachments: [{ contentType: 'image/png', contentUrl: images.url('/live.png'), name: 'locked.png' }] });
    expect(status).to.equal(200);

    const ticket = (await t.app.tickets.get(1))!;
    expect(ticket.screenshots.map((s) => s.fileName)).to.deep.equal(['locked.png']);
    const [posted] = connector.activitiesFor(thread).filter((c) => replyText(c).includes('this is what I see'));
    expect(replyText(posted!)).to.contain('**Alex Demo:** this is what I see').and.contain(`[locked\\.png](http://localhost:3978/screenshots/1/${ticket.screenshots[0]!.id}?`);
    expect(ticket.transcript.at(-1)).to.deep.include({ from: 'user', text: 'this is what I see', screenshotIds: [ticket.screenshots[0]!.id] });
  });

  it('of two Take over clicks at the same moment, exactly one wins and the other is told who holds it', async () => {
    const sentBefore = connector.activitiesFor(alex.conversationId).length;
    const answers = await Promise.all([press(PRIYA, 'takeOver'), press(SAM, 'takeOver')]);

    expect(answers.map((a) => a.status)).to.deep.equal([200, 200]);
    const cards = answers.filter((a) => a.body.type === 'application/vnd.microsoft.card.adaptive');
    const messages = answers.filter((a) => a.body.type === 'application/vnd.microsoft.activity.message');
    expect(cards, 'winners').to.have.length(1);
    expect(messages, 'losers').to.have.length(1);

    const ticket = (await t.app.tickets.get(1))!;
    const winner = ticket.assignee!.name;
    expect(['Priya Agent', 'Sam Agent']).to.include(winner);
    expect(cardText(cards[0]!.body.value)).to.contain(`Held by ${winner}`);
    expect(messages[0]!.body.value).to.equal(`${winner} has already taken this ticket.`);
    expect(ticket.events.filter((e) => e.action === 'taken_over')).to.have.length(1);
    expect(toUser(sentBefore).filter((text) => text.includes('has picked up ESR-00001'))).to.have.length(1);
  });

  it('of two Take over clicks from different conversations (turns that really run in parallel), exactly one wins', async () => {
    // Clicks in the channel and in the thread are turns of different conversations, so nothing queues them
    // behind each other: the ticket store's compare-and-set decides.
    const answers = await Promise.all([press(PRIYA, 'takeOver', QUEUE), press(SAM, 'takeOver', thread)]);
    const ticket = (await t.app.tickets.get(1))!;
    const winner = ticket.assignee!.name;
    expect(answers.map((a) => a.body.type).sort()).to.deep.equal(['application/vnd.microsoft.activity.message', 'application/vnd.microsoft.card.adaptive']);
    expect(answers.find((a) => a.body.type === 'application/vnd.microsoft.activity.message')!.body.value).to.equal(`${winner} has already taken this ticket.`);
    expect(ticket.events.filter((e) => e.action === 'taken_over')).to.have.length(1);
  });

  it('Unassign, Resolve and Reopen each change the card for everyone and tell the user', async () => {
    await takeOver();
    const steps: Array<{ verb: string; card: string[]; user: string; status: string }> = [
      { verb: 'unassign', card: ['Open', 'Waiting for someone to take over', 'Take over'], user: "ESR-00001 is back in the team's queue; someone will pick it up soon.", status: 'open' },
      { verb: 'resolve', card: ['Resolved', 'Held by Sam Agent', 'Reopen'], user: 'ESR-00001 has been marked as resolved by Sam Agent.', status: 'resolved' },
      { verb: 'reopen', card: ['Open', 'Waiting for someone to take over', 'Take over'], user: 'ESR-00001 has been reopened by Sam Agent.', status: 'open' },
    ];
    for (const step of steps) {
      const updatesBefore = cardUpdates().length;
      const sentBefore = connector.activitiesFor(alex.conversationId).length;
      const answer = await press(SAM, step.verb);
      const shown = cardText(answer.body.value);
      for (const words of step.card) expect(shown, `${step.verb}: the card answered`).to.contain(words);
      const updates = cardUpdates().slice(updatesBefore);
      expect(updates, `${step.verb}: card updates`).to.have.length(1);
      for (const words of step.card) expect(replyText(updates[0]!), `${step.verb}: the card in the channel`).to.contain(words);
      expect(toUser(sentBefore).join('\n'), `${step.verb}: told the user`).to.contain(step.user);
      expect((await t.app.tickets.get(1))!.status).to.equal(step.status);
    }
  });

  it('tells a Welsh speaker in Welsh when their report is taken over, relayed to and resolved; an English speaker still in English', async () => {
    const bea = t.user(DEMO_USERS.bea);
    expect(replies(await bea.submitText('siarad â rhywun', 'cy-GB'))).to.contain('ESR-00002');
    const ticket = (await t.app.tickets.get(2))!;
    expect(ticket.requester.language).to.equal('cy-GB');
    const toBea = (from: number) => connector.activitiesFor(bea.conversationId).slice(from);

    let before = connector.activitiesFor(bea.conversationId).length;
    const answer = await press(PRIYA, 'takeOver', QUEUE, '2');
    // The agent's card stays in the organisation's language.
    expect(cardText(answer.body.value)).to.contain('Held by Priya Agent');
    expect(toBea(before).map(replyText)).to.deep.equal([
      "Mae **Priya Agent** o'r tîm Gwybodaeth am y Gweithlu wedi cymryd ESR-00002 a gall weld eich negeseuon nawr. Teipiwch **gorffen sgwrs** pan fyddwch wedi gorffen.",
    ]);

    before = connector.activitiesFor(bea.conversationId).length;
    expect(await channelPost(PRIYA, (await t.app.tickets.get(2))!.channelPost!.threadConversationId!, 'Rydw i wedi edrych arno')).to.equal(200);
    expect(toBea(before).map(replyText)).to.deep.equal(['**Priya Agent:** Rydw i wedi edrych arno']);

    before = connector.activitiesFor(bea.conversationId).length;
    await press(PRIYA, 'resolve', QUEUE, '2');
    const [resolved, rating] = toBea(before);
    expect(replyText(resolved!)).to.equal("Mae ESR-00002 wedi'i farcio fel wedi'i ddatrys gan Priya Agent. Os oes angen help arnoch o hyd, dywedwch a byddaf yn ei ailagor.");
    expect(JSON.stringify(cardOf(rating!))).to.contain('Sut wnaethon ni?');

    // Alex raised ESR-00001 in English: still English.
    before = connector.activitiesFor(alex.conversationId).length;
    await takeOver();
    expect(toUser(before)[0]).to.contain('has picked up ESR-00001');
  });

  it('ends a Welsh speaker\'s live chat when they type the Welsh for "end chat", with the rating card in Welsh', async () => {
    const bea = t.user(DEMO_USERS.bea);
    await bea.submitText('siarad â rhywun', 'cy-GB');
    await press(PRIYA, 'takeOver', QUEUE, '2');
    const before = connector.activitiesFor(bea.conversationId).length;
    const said = (await bea.submitText('gorffen sgwrs', 'cy-GB')).map((c) => `${replyText(c)} ${JSON.stringify(cardOf(c) ?? {})}`).join('\n');
    expect((await t.app.tickets.get(2))!.live).to.equal(false);
    expect(said + connector.activitiesFor(bea.conversationId).slice(before).map((c) => JSON.stringify(cardOf(c) ?? {})).join('\n')).to.contain('Rydych yn ôl gyda bot Desg Gymorth ESR').and.contain('Sut wnaethon ni?');
  });

  it('a button on a card that is out of date answers with the card as it is now, not an error', async () => {
    await takeOver();
    await press(SAM, 'resolve');
    const before = connector.calls.length;
    // Priya's card still shows Unassign: she presses it after Sam has resolved the ticket.
    const answer = await press(PRIYA, 'unassign');
    expect(answer.status).to.equal(200);
    expect(answer.body.type).to.equal('application/vnd.microsoft.card.adaptive');
    expect(cardText(answer.body.value)).to.contain('Resolved').and.contain('Reopen').and.not.contain('Unassign');
    expect(connector.calls.slice(before).map(replyText).join('\n')).not.to.contain('something went wrong');
    expect((await t.app.tickets.get(1))!.status).to.equal('resolved');
  });

  it('"hand back" ends live mode: the user gets the bot back and a rating card', async () => {
    await takeOver();
    const sentBefore = connector.activitiesFor(alex.conversationId).length;
    expect(await agentSays(PRIYA, 'hand back')).to.contain('Alex Demo is back with the bot.');

    const toAlex = connector.activitiesFor(alex.conversationId).slice(sentBefore);
    expect(toAlex.map(replyText)[0]).to.equal("Priya Agent has finished the chat about ESR-00001. You're back with the ESR Helpdesk bot.");
    const rating = cardOf(toAlex[1]!);
    expect(rating, 'a rating card').to.exist;
    expect(ratingActions(rating).map((a) => a.data)).to.deep.equal([
      { action: 'rate', ticketId: 1, helpful: true },
      { action: 'rate', ticketId: 1, helpful: false },
    ]);
    expect(replyText(toAlex[1]!)).to.contain('Was the help with ESR-00001 useful?').and.contain('Helpful').and.contain('Not helpful');
    expect((await t.app.tickets.get(1))!.live).to.be.false;

    // The bot answers again, and nothing more goes to the agents' thread.
    const threadBefore = connector.activitiesFor(thread).length;
    const menu = await alex.say('menu');
    expect(menu.some((c) => cardOf(c) !== undefined), 'the menu card').to.be.true;
    expect(replies(menu)).to.contain('Forgotten password');
    expect(connector.activitiesFor(thread).slice(threadBefore)).to.deep.equal([]);
  });

  it('"end chat" from the user ends it too, telling the agents in the thread', async () => {
    await takeOver();
    const reply = replies(await alex.say('end chat'));
    expect(reply).to.contain("You're back with the ESR Helpdesk bot.").and.contain('Was the help with ESR-00001 useful?');
    await connector.waitFor((c) => c.conversationId === thread && replyText(c) === 'Alex Demo is back with the bot.');
    expect((await t.app.tickets.get(1))!.live).to.be.false;
  });

  it('stores a helpful rating with its comment on the ticket', async () => {
    await takeOver();
    const sentBefore = connector.activitiesFor(alex.conversationId).length;
    await agentSays(PRIYA, 'hand back');
    const ratingCard = connector.activitiesFor(alex.conversationId).slice(sentBefore).map(cardOf).find(Boolean);
    const helpful = ratingActions(ratingCard).find((a) => a.data.helpful === true)!;
    // Teams sends the button's data with the card's inputs merged in.
    const reply = replies(await alex.submit({ ...helpful.data, comment: 'Sorted in five minutes, thank you' }));
    expect(reply).to.contain('Thanks for your feedback.');
    const ticket = (await t.app.tickets.get(1))!;
    expect(ticket.rating).to.deep.include({ helpful: true, comment: 'Sorted in five minutes, thank you' });
    expect(ticket.events.map((e) => e.action)).to.include('rated');
  });

  it("keeps the whole exchange in the ticket's transcript", async () => {
    await takeOver();
    await alex.say('Hello, my account is locked');
    await agentSays(PRIYA, 'Unlocked, try now');
    await alex.say('It works, thanks');
    await agentSays(PRIYA, 'hand back');

    const transcript = (await t.app.tickets.get(1))!.transcript;
    const lines = transcript.map((e) => `${e.from}${e.name ? ` ${e.name}` : ''}: ${e.text}`);
    const expected = [
      'user Alex Demo: speak to someone',
      'system: **Priya Agent** from the Workforce Information team has picked up ESR-00001 and can see your messages now. Type **end chat** when you\'re done.',
      'user Alex Demo: Hello, my account is locked',
      'agent Priya Agent: Unlocked, try now',
      'user Alex Demo: It works, thanks',
      "system: Priya Agent has finished the chat about ESR-00001. You're back with the ESR Helpdesk bot.",
    ];
    let at = -1;
    for (const line of expected) {
      const found = lines.indexOf(line, at + 1);
      expect(found, `in order in the transcript: ${line}\n\n${lines.join('\n')}`).to.be.above(at);
      at = found;
    }
    expect(transcript.filter((e) => e.from === 'agent' || e.from === 'system').every((e) => e.delivered === true)).to.be.true;
  });

  it('stays in human mode across a restart: a user message still goes to the agents\' thread', async () => {
    await takeOver();
    await t.stop();
    t = await startTestApp({ dataDir: t.dataDir, connector, clock, sleep: fakeSleep, env: { ATTACHMENT_HOSTS: 'localhost' } });
    alex = t.user({ ...DEMO_USERS.alex, conversationId: alex.conversationId });

    expect(await alex.say('Are you still there?')).to.deep.equal([]);
    const relayed = await connector.waitFor((c) => c.conversationId === thread && replyText(c).includes('Are you still there?'));
    expect(replyText(relayed)).to.equal('**Alex Demo:** Are you still there?');
    const sentBefore = connector.activitiesFor(alex.conversationId).length;
    await agentSays(PRIYA, 'Yes, still here');
    expect(toUser(sentBefore)).to.deep.equal(['**Priya Agent:** Yes, still here']);
  });

  describe('when Teams refuses a message to the user', () => {
    it('403 (blocked): no crash, the transcript entry is marked undelivered and the agent sees "Not delivered" in the thread', async () => {
      await takeOver();
      connector.respond = (call) => (call.conversationId === alex.conversationId ? { status: 403, body: { error: { code: 'BotDisabledByAdmin', message: 'The bot is blocked' } } } : undefined);
      const sentBefore = connector.activitiesFor(alex.conversationId).length;

      const inThread = await agentSays(PRIYA, 'Did that work?');
      expect(inThread).to.equal('⚠ Not delivered to Alex Demo: they have blocked or removed the ESR Helpdesk app');
      const entry = (await t.app.tickets.get(1))!.transcript.at(-1)!;
      expect(entry).to.deep.include({ from: 'agent', text: 'Did that work?', delivered: false, note: 'they have blocked or removed the ESR Helpdesk app' });
      // One attempt only (403 is not worth retrying), and no "something went wrong" sent after it.
      expect(toUser(sentBefore)).to.deep.equal(['**Priya Agent:** Did that work?']);
      expect(sleeps).to.deep.equal([]);

      // Once Teams accepts messages again, the relay carries on.
      connector.respond = undefined;
      expect(await agentSays(PRIYA, 'Trying again')).to.equal('');
      expect((await t.app.tickets.get(1))!.transcript.at(-1)).to.deep.include({ text: 'Trying again', delivered: true });
    });

    it('429 with Retry-After: 2 is retried by the Bot Framework SDK itself after 2 seconds, then delivered', async () => {
      // The SDK's HTTP pipeline (@azure/core-rest-pipeline's default retry policy) honours Retry-After on a
      // 429 with a real timer before the helpdesk sees anything, so this test takes two real seconds.
      await takeOver();
      const attempts: number[] = [];
      connector.respond = (call) => {
        if (call.conversationId !== alex.conversationId) return undefined;
        attempts.push(Date.now());
        return attempts.length === 1 ? { status: 429, headers: { 'Retry-After': '2' }, body: { error: { code: 'Throttled' } } } : undefined;
      };

      expect(await agentSays(PRIYA, 'Here is the link you need')).to.equal('');
      expect(attempts).to.have.length(2);
      expect(attempts[1]! - attempts[0]!, 'ms between the 429 and the retry').to.be.at.least(1900);
      expect(sleeps, "the helpdesk's own wait was not needed").to.deep.equal([]);
      expect((await t.app.tickets.get(1))!.transcript.at(-1)).to.deep.include({ text: 'Here is the link you need', delivered: true });
    });

    it("429 beyond the SDK's own three retries: the helpdesk waits as long as Retry-After says (2000 ms), then delivers", async () => {
      await takeOver();
      // Four 429s in a row use up the SDK's first try and three retries (Retry-After: 0 keeps them instant);
      // the fourth asks for 2 seconds, which the helpdesk honours through its (here recording) sleep.
      let throttled = 0;
      connector.respond = (call) => {
        if (call.conversationId !== alex.conversationId || throttled >= 4) return undefined;
        throttled++;
        return { status: 429, headers: { 'Retry-After': throttled < 4 ? '0' : '2' }, body: { error: { code: 'Throttled' } } };
      };
      const sentBefore = connector.activitiesFor(alex.conversationId).length;

      expect(await agentSays(PRIYA, 'Sorry for the wait')).to.equal('');
      expect(sleeps).to.deep.equal([2000]);
      expect(toUser(sentBefore)).to.deep.equal(Array(5).fill('**Priya Agent:** Sorry for the wait'));
      expect((await t.app.tickets.get(1))!.transcript.at(-1)).to.deep.include({ text: 'Sorry for the wait', delivered: true });
    });

    it('429 that never ends: after its retries the helpdesk gives up, marks the message undelivered and tells the agent', async () => {
      await takeOver();
      connector.respond = (call) => (call.conversationId === alex.conversationId ? { status: 429, headers: { 'Retry-After': '0' }, body: { error: { code: 'Throttled' } } } : undefined);

      const inThread = await agentSays(PRIYA, 'Hello?');
      expect(inThread).to.equal('⚠ Not delivered to Alex Demo: Teams is busy; it was retried but still failed');
      expect(sleeps).to.deep.equal([0, 0, 0]);
      expect((await t.app.tickets.get(1))!.transcript.at(-1)).to.deep.include({ text: 'Hello?', delivered: false, note: 'Teams is busy; it was retried but still failed' });
    });
  });
});

function ratingActions(card: Record<string, unknown> | undefined): Array<{ title: string; data: Record<string, unknown> }> {
  return ((card?.actions ?? []) as Array<{ type: string; title: string; data: Record<string, unknown> }>).filter((a) => a.type === 'Action.Submit');
}

function replies(calls: CapturedCall[]): string {
  return calls.map(replyText).join('\n');
}

/** The text of an Adaptive Card (an invoke's answer), as the user would read it. */
function cardText(card: unknown): string {
  return replyText({ method: 'POST', path: '', conversationId: '', body: { attachments: [{ content: card }] } });
}
