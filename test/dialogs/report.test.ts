// "Report a problem" and "Speak to someone", end to end over HTTP: the real app, a capture connector for
// Teams, and real images served from a local server. Screenshots are fetched only from ATTACHMENT_HOSTS
// (here: localhost), so the same server reached as 127.0.0.1 is a host the bot must never contact.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { ManualClock } from '../../core/clock.js';
import type { MailTransport, OutgoingMail } from '../../mail/transport.js';
import { gif, jpeg, largeImage, MB, png, recordFetches, startImageServer, textFile, webp, type ImageServer } from '../support/images.js';
import type { CapturedCall } from '../support/captureConnector.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const MONDAY_10AM = '2026-01-05T10:00:00Z';
const SATURDAY_11AM = '2026-01-10T11:00:00Z';
const QUEUE = '19:queue@thread.tacv2';
const LEAD_QUEUE = '19:lead@thread.tacv2';
const TEAM = '19:team@thread.tacv2';
const LEAD_EMPLOYER_EMAIL = 'lead.employer.team@nhs-trust.example';
const WORKFORCE_EMAIL = 'workforce.information@nhs-trust.example';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/** Keeps every email the outbox hands on. */
class RecordingTransport implements MailTransport {
  readonly description = 'recorder';
  readonly sent: OutgoingMail[] = [];
  send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    return Promise.resolve();
  }
  close(): void {}
}

/** A pasted image: Teams gives its contentUrl, fetched with the bot's token. */
const pasted = (url: string, name: string) => ({ contentType: 'image/png', contentUrl: url, name });
/** An attached file: Teams gives a pre-authenticated downloadUrl. */
const attachedFile = (url: string, name: string) => ({ contentType: 'application/vnd.microsoft.teams.file.download.info', name, content: { downloadUrl: url, uniqueId: name, fileType: name.split('.').pop() } });

describe('reporting a problem over HTTP', () => {
  let images: ImageServer;
  let clock: ManualClock;
  let mail: RecordingTransport;
  let t: TestApp;

  before(async () => {
    images = await startImageServer();
  });
  after(async () => {
    await images.stop();
  });

  beforeEach(async () => {
    clock = new ManualClock(MONDAY_10AM);
    mail = new RecordingTransport();
    t = await startTestApp({ clock, mailTransport: mail, env: { ATTACHMENT_HOSTS: 'localhost', LEAD_EMPLOYER_EMAIL, WORKFORCE_EMAIL } });
    await useChannel(t, QUEUE, 'use this channel');
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
  });

  /** What the bot said to this user in reply to one activity. */
  async function send(user: TeamsUser, fields: Record<string, unknown>): Promise<string> {
    const before = t.connector.activitiesFor(user.conversationId).length;
    const status = await user.post(fields);
    expect(status, 'HTTP status of the turn').to.equal(200);
    return t.connector.activitiesFor(user.conversationId).slice(before).map(replyText).join('\n');
  }

  async function say(user: TeamsUser, text: string): Promise<string> {
    return (await user.say(text)).map(replyText).join('\n');
  }

  /** Walks the form up to the screenshots question. */
  async function reportUpTo(user: TeamsUser, errorMessage = 'skip'): Promise<void> {
    expect(await say(user, 'report a problem')).to.contain('What were you trying to do?');
    expect(await say(user, 'Log in to ESR')).to.contain('What happened?');
    expect(await say(user, 'I get an error after I log in')).to.contain('error message');
    expect(await say(user, errorMessage)).to.contain('Paste or attach up to 5 screenshots');
  }

  /** "Done", then "Send"; returns the final reply. */
  async function finish(user: TeamsUser): Promise<string> {
    expect(await say(user, 'done')).to.contain('Send this to the team?');
    return say(user, 'send');
  }

  /** The ticket cards posted as new threads in the agents' channels. */
  function channelPosts(): CapturedCall[] {
    return t.connector.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations');
  }

  describe('screenshots', () => {
    it('accepts a real PNG from the allowed host and keeps it with the ticket byte for byte', async () => {
      const bytes = png({ width: 8, height: 6 });
      const url = images.serve('/real.png', bytes);
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);

      const reply = await send(alex, { text: '', attachments: [pasted(url, 'login-error.png')] });
      expect(reply).to.contain('Got it: login-error.png').and.contain('1 of 5');
      expect(images.requestsFor('/real.png').map((r) => r.host)).to.deep.equal([`localhost:${images.port}`]);
      expect(await finish(alex)).to.contain('ESR-00001');

      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.screenshots).to.have.length(1);
      expect(ticket.screenshots[0]).to.include({ fileName: 'login-error.png', contentType: 'image/png', bytes: bytes.length, sha256: sha256(bytes) });
      const stored = await t.app.tickets.getScreenshot(1, ticket.screenshots[0]!.id);
      expect(stored!.bytes.equals(bytes)).to.be.true;
    });

    it('reads the type from the bytes, whatever the name says, for pasted images and attached files alike', async () => {
      const files = { '/a': png(), '/b': jpeg(), '/c': gif(), '/d': webp() };
      for (const [path, body] of Object.entries(files)) images.serve(path, body, { contentType: 'application/octet-stream' });
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);

      const reply = await send(alex, {
        text: '',
        attachments: [pasted(images.url('/a'), 'one.jpg'), attachedFile(images.url('/b'), 'two.png'), pasted(images.url('/c'), 'three.png'), attachedFile(images.url('/d'), 'four.gif')],
      });
      expect(reply).to.contain('4 of 5');
      await finish(alex);

      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.screenshots.map((s) => [s.fileName, s.contentType])).to.deep.equal([
        ['one.jpg', 'image/png'],
        ['two.png', 'image/jpeg'],
        ['three.png', 'image/gif'],
        ['four.gif', 'image/webp'],
      ]);
    });

    it('refuses a text file named .png with a clear message and keeps the other screenshots', async () => {
      const good = png();
      images.serve('/good.png', good);
      images.serve('/notes.png', textFile());
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);

      const reply = await send(alex, { text: '', attachments: [pasted(images.url('/notes.png'), 'notes.png'), pasted(images.url('/good.png'), 'screen.png')] });
      expect(reply).to.contain("notes.png isn't a picture I can accept (PNG, JPEG, GIF or WebP only), so I've left it out.");
      expect(reply).to.contain('Got it: screen.png').and.contain('1 of 5');
      await finish(alex);

      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.screenshots.map((s) => s.fileName)).to.deep.equal(['screen.png']);
      expect(ticket.screenshots[0]!.sha256).to.equal(sha256(good));
    });

    it('refuses a 12 MB image as too large, hanging up without downloading it', async () => {
      images.serve('/huge.png', largeImage(12 * MB));
      const spy = recordFetches();
      const alex = t.user(DEMO_USERS.alex);
      let reply: string;
      try {
        await reportUpTo(alex);
        reply = await send(alex, { text: '', attachments: [pasted(images.url('/huge.png'), 'huge.png')] });
      } finally {
        spy.restore();
      }
      expect(reply).to.contain("huge.png is over 10 MB, so I've left it out.");
      await images.settled();
      const [request] = images.requestsFor('/huge.png');
      expect(request!.aborted, 'the bot hung up before the end of the body').to.be.true;
      expect(request!.bytesSent).to.be.below(12 * MB);
      // The declared Content-Length was enough: at most a chunk or so of the body was ever read.
      expect(spy.to('localhost')[0]!.bytesRead).to.be.below(MB);
      expect(await say(alex, 'skip')).to.contain('**Screenshots:** none');
    });

    it('refuses a 12 MB image sent without Content-Length, stopping at the 10 MB limit', async () => {
      images.serve('/chunked.png', largeImage(12 * MB), { contentLength: false });
      const spy = recordFetches();
      const alex = t.user(DEMO_USERS.alex);
      let reply: string;
      try {
        await reportUpTo(alex);
        reply = await send(alex, { text: '', attachments: [pasted(images.url('/chunked.png'), 'chunked.png')] });
      } finally {
        spy.restore();
      }
      expect(reply).to.contain("chunked.png is over 10 MB, so I've left it out.");
      // It read just past the limit and cancelled. (What the server managed to write before the cancel says
      // little here: the kernel's socket buffers on loopback hold most of the last 2 MB.)
      const read = spy.to('localhost')[0]!.bytesRead;
      expect(read).to.be.above(10 * MB).and.below(11 * MB);
    });

    it('keeps five of six screenshots and tells the user the sixth was left out, without downloading it', async () => {
      const shots = [1, 2, 3, 4, 5, 6].map((n) => ({ n, bytes: png({ width: n, height: n }) }));
      for (const s of shots) images.serve(`/six-${s.n}.png`, s.bytes);
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);

      const reply = await send(alex, { text: '', attachments: shots.map((s) => pasted(images.url(`/six-${s.n}.png`), `shot-${s.n}.png`)) });
      expect(reply).to.contain("That's the most I can take (5), so I've left out shot-6.png.");
      expect(reply).to.contain('5 of 5');
      // Reaching the most moves straight on to the check before sending.
      expect(reply).to.contain('Send this to the team?').and.contain('shot-1.png, shot-2.png, shot-3.png, shot-4.png, shot-5.png');
      expect(images.requestsFor('/six-6.png')).to.have.length(0);

      expect(await say(alex, 'send')).to.contain('ESR-00001');
      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.screenshots.map((s) => s.sha256)).to.deep.equal(shots.slice(0, 5).map((s) => sha256(s.bytes)));
    });

    it('never requests a contentUrl on 127.0.0.1, and says why it was left out', async () => {
      images.serve('/internal.png', png());
      images.serve('/fine.png', png());
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);

      const reply = await send(alex, { text: '', attachments: [pasted(images.ipUrl('/internal.png'), 'internal.png'), pasted(images.url('/fine.png'), 'fine.png')] });
      expect(reply).to.contain("I can't download internal.png from where it is stored, so I've left it out.");
      expect(reply).to.contain('Got it: fine.png');
      expect(images.requestsFor('/internal.png'), 'requests for the 127.0.0.1 URL').to.have.length(0);
      expect(images.requests.filter((r) => r.host.startsWith('127.0.0.1'))).to.have.length(0);
      expect(t.logs.join('')).to.contain('Refused to download an attachment from a host not on the allow-list').and.contain(`127.0.0.1:${images.port}`);
    });

    it('never requests 169.254.169.254 (the cloud metadata address), pasted or attached', async () => {
      const spy = recordFetches();
      const alex = t.user(DEMO_USERS.alex);
      let reply: string;
      const started = Date.now();
      try {
        await reportUpTo(alex);
        reply = await send(alex, {
          text: '',
          attachments: [
            pasted('http://169.254.169.254/latest/meta-data/iam/security-credentials/', 'metadata.png'),
            attachedFile('http://169.254.169.254/metadata/identity/oauth2/token', 'token.png'),
          ],
        });
      } finally {
        spy.restore();
      }
      expect(reply).to.contain("I can't download metadata.png from where it is stored").and.contain("I can't download token.png from where it is stored");
      expect(spy.to('169.254.169.254'), 'fetches to the metadata address').to.have.length(0);
      // Nothing answers there: a fetch would have hung until its 20 s timeout, or failed with a different message.
      expect(Date.now() - started).to.be.below(10_000);
      expect(reply).not.to.contain("I couldn't download");
    });
  });

  describe('the ticket and the reply', () => {
    it('puts what the bot already knows in the ticket: who, ESR username, staff group and the flow they came from', async () => {
      const alex = t.user(DEMO_USERS.alex);
      expect(await say(alex, 'I forgot my password')).to.contain('work email');
      // Half-way through, they press "Report a problem" on the menu.
      const started = await send(alex, { text: '', value: { action: 'flow', flow: 'report' } });
      expect(started).to.contain('What were you trying to do?');
      await say(alex, 'Log in to ESR');
      await say(alex, 'The reset email never arrives');
      await say(alex, 'skip');
      expect(await say(alex, 'skip')).to.contain('**From:** Alex Demo, 241ADEMO01');
      await say(alex, 'send');

      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.requester).to.include({ teamsUserId: DEMO_USERS.alex.userId, name: 'Alex Demo', email: 'alex.demo@nhs-trust.example', staffGroup: 'substantive' });
      expect(ticket.requester.esrUsernames).to.deep.equal(['241ADEMO01']);
      expect(ticket.context.flow).to.equal('forgotPassword');
      expect(ticket).to.include({ category: 'login', description: 'The reset email never arrives', wantsPerson: false });
      expect(ticket.transcript.map((e) => e.text)).to.include('I forgot my password');

      // The agents' card carries the same context.
      const [post] = channelPosts();
      const card = replyText({ ...post!, body: post!.body.activity as Record<string, unknown> });
      expect(card).to.contain('ESR-00001');
      expect(JSON.stringify(post!.body.activity)).to.contain('241ADEMO01').and.contain('Substantive').and.contain('forgotPassword');
    });

    it('replies with the reference and, on a Saturday, says the team is out and when it is next in', async () => {
      clock.set(SATURDAY_11AM);
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);
      const reply = await finish(alex);
      expect(reply).to.contain('Sent to the team: ESR-00001').and.contain('Your reference is **ESR-00001**');
      expect(reply).to.contain('out of the office now (Monday to Friday, 9am to 5pm)').and.contain("they're next in **Monday at 9am**");
    });

    it('in office hours says the team is in now', async () => {
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex);
      const reply = await finish(alex);
      expect(reply).to.contain('Your reference is **ESR-00001**').and.contain('The Workforce Information team is in now');
      expect(reply).not.to.contain('out of the office');
    });

    it('emails the Workforce Information team and posts the card in the registered channel', async () => {
      const alex = t.user(DEMO_USERS.alex);
      await reportUpTo(alex, 'Error 403: access denied');
      await finish(alex);
      await t.app.mail.deliverDue();
      expect(mail.sent.map((m) => m.to)).to.deep.equal([WORKFORCE_EMAIL]);
      expect(mail.sent[0]!.subject).to.contain('ESR-00001');
      expect(mail.sent[0]!.text).to.contain('Error 403: access denied');
      const posts = channelPosts();
      expect(posts).to.have.length(1);
      expect(posts[0]!.body.channelData).to.deep.include({ channel: { id: QUEUE } });
      expect((await t.app.tickets.get(1))!.channelPost?.threadConversationId).to.match(new RegExp(`^${QUEUE};messageid=`));
    });
  });

  describe('speak to someone', () => {
    it('opens a ticket straight away without the form, and a second request reuses it', async () => {
      const alex = t.user(DEMO_USERS.alex);
      const first = await say(alex, 'speak to someone');
      expect(first).to.contain("I'll ask someone from the team to pick this up").and.contain('Your reference is **ESR-00001**');
      expect(first).not.to.contain('What were you trying to do?');
      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket).to.include({ wantsPerson: true, category: 'other', status: 'open' });

      const second = await say(alex, 'speak to someone');
      expect(second).to.contain('You already have **ESR-00001** open').and.contain('Your reference is **ESR-00001**');
      expect(await t.app.tickets.list()).to.have.length(1);
      expect(channelPosts(), 'cards posted to the channel').to.have.length(1);
      expect((await t.app.tickets.get(1))!.transcript.at(-1)).to.include({ from: 'user', text: 'Asked to speak to someone from the team.' });
    });

    it('a report from someone whose ticket is still open adds to that ticket, screenshots and all', async () => {
      const alex = t.user(DEMO_USERS.alex);
      expect(await say(alex, 'speak to someone')).to.contain('ESR-00001');
      const bytes = png({ width: 3, height: 7 });
      images.serve('/later.png', bytes);
      await reportUpTo(alex);
      expect(await send(alex, { text: '', attachments: [pasted(images.url('/later.png'), 'later.png')] })).to.contain('Got it: later.png');
      const reply = await finish(alex);
      expect(reply).to.contain("You already have **ESR-00001** open, so I've added this to it");

      expect(await t.app.tickets.list()).to.have.length(1);
      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.transcript.at(-1)!.text).to.contain('I get an error after I log in');
      expect(ticket.screenshots.map((s) => s.sha256), 'the screenshot sent with the second report').to.deep.equal([sha256(bytes)]);
      expect(ticket.transcript.at(-1)!.screenshotIds).to.deep.equal([ticket.screenshots[0]!.id]);
      // The agents see it in the ticket's thread, as a signed link.
      const inThread = t.connector.activitiesFor(ticket.channelPost!.threadConversationId!).map(replyText).join('\n');
      expect(inThread).to.contain('**Alex Demo:** Log in to ESR – I get an error after I log in').and.contain(`[later\\.png](http://localhost:3978/screenshots/1/${ticket.screenshots[0]!.id}?`);
    });

    it('from the middle of a flow, records the flow it came from', async () => {
      const alex = t.user(DEMO_USERS.alex);
      await say(alex, 'I forgot my password');
      expect(await say(alex, 'speak to someone')).to.contain('ESR-00001');
      const ticket = (await t.app.tickets.get(1))!;
      expect(ticket.context.flow).to.equal('forgotPassword');
      expect(ticket.category).to.equal('login');
    });
  });

  describe('lead employer doctors', () => {
    it("emails a lead employer doctor's ticket to LEAD_EMPLOYER_EMAIL and posts it in the lead employer channel", async () => {
      await useChannel(t, LEAD_QUEUE, 'use this channel for lead employer doctors');
      const dana = t.user(DEMO_USERS.dana);
      await reportUpTo(dana);
      const reply = await finish(dana);
      expect(reply).to.contain('ESR-00001').and.contain('your lead employer');

      await t.app.mail.deliverDue();
      expect(mail.sent.map((m) => m.to)).to.deep.equal([LEAD_EMPLOYER_EMAIL]);
      expect(mail.sent[0]!.text).to.contain('241DEXAMPLE01').and.contain('Lead employer doctor');
      const posts = channelPosts();
      expect(posts).to.have.length(1);
      expect(posts[0]!.body.channelData).to.deep.include({ channel: { id: LEAD_QUEUE } });
      expect((await t.app.tickets.get(1))!.requester.staffGroup).to.equal('lead_employer_doctor');

      // Everyone else still goes to Workforce Information and the general channel.
      const alex = t.user(DEMO_USERS.alex);
      expect(await say(alex, 'speak to someone')).to.contain('ESR-00002');
      await t.app.mail.deliverDue();
      expect(mail.sent.map((m) => m.to)).to.deep.equal([LEAD_EMPLOYER_EMAIL, WORKFORCE_EMAIL]);
      expect(channelPosts()[1]!.body.channelData).to.deep.include({ channel: { id: QUEUE } });
    });
  });
});

/** An agent mentions the bot in a channel: "use this channel [for ...]". */
async function useChannel(t: TestApp, channelId: string, text: string): Promise<void> {
  const agent = t.user({ userId: '29:agent-setup', aadObjectId: 'agent-setup', name: 'Setup Agent' });
  const status = await agent.post({
    text,
    conversation: { id: channelId, conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
    channelData: { channel: { id: channelId }, team: { id: TEAM }, tenant: { id: 'tenant-1' } },
  });
  expect(status).to.equal(200);
  await t.connector.waitFor((c) => c.conversationId === channelId && replyText(c).includes('will be posted in this channel'));
}
