// The email a report sends to the team, through the durable outbox and the real SmtpTransport to a real
// SMTP server on 127.0.0.1: what arrives (details and screenshots, byte for byte), and what happens when
// the mail server is down at the moment of the report (the ticket and the reply do not wait for it; the
// email is queued and delivered once, when the server is back).
import { expect } from 'chai';
import { ManualClock, MINUTE } from '../../core/clock.js';
import { jpeg, png, startImageServer, type ImageServer } from '../support/images.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';
import { replyText, type TeamsUser } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const WORKFORCE_EMAIL = 'workforce.information@nhs-trust.example';
const MAIL_FROM = 'esr-helpdesk@nhs-trust.example';

describe('the ticket email to the team (real SMTP)', () => {
  let images: ImageServer;
  let smtp: TestSmtpServer;
  let clock: ManualClock;
  let t: TestApp;

  before(async () => {
    images = await startImageServer();
  });
  after(async () => {
    await images.stop();
  });

  beforeEach(async () => {
    smtp = await startSmtpServer();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    t = await startTestApp({ clock, env: { SMTP_URL: smtp.url, ATTACHMENT_HOSTS: 'localhost', WORKFORCE_EMAIL } });
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await smtp.stop();
  });

  async function say(user: TeamsUser, text: string): Promise<string> {
    return (await user.say(text)).map(replyText).join('\n');
  }

  /** A full report with the given screenshots; returns the final reply. */
  async function report(user: TeamsUser, screenshots: Array<{ path: string; name: string; bytes: Buffer; asFile?: boolean }>): Promise<string> {
    await say(user, 'report a problem');
    await say(user, 'Log in to ESR');
    await say(user, 'I get an error after I log in with my new password');
    await say(user, 'Error 1001: the username or password is not valid');
    const attachments = screenshots.map((s) => {
      const url = images.serve(s.path, s.bytes);
      return s.asFile
        ? { contentType: 'application/vnd.microsoft.teams.file.download.info', name: s.name, content: { downloadUrl: url } }
        : { contentType: 'image/png', contentUrl: url, name: s.name };
    });
    if (attachments.length) expect(await user.post({ text: '', attachments })).to.equal(200);
    expect(await say(user, 'done')).to.contain('Send this to the team?');
    return say(user, 'send');
  }

  it('arrives with the description, the error, who sent it and the screenshots attached byte for byte', async () => {
    const shot = png({ width: 40, height: 30, rgb: [218, 41, 28] });
    const photo = jpeg();
    const alex = t.user(DEMO_USERS.alex);
    expect(await report(alex, [{ path: '/mail-1.png', name: 'error.png', bytes: shot }, { path: '/mail-2.jpg', name: 'phone photo.jpg', bytes: photo, asFile: true }])).to.contain('ESR-00001');

    const mail = await smtp.waitFor((m) => m.subject.includes('ESR-00001'), 5_000);
    expect(mail.envelope.to).to.deep.equal([WORKFORCE_EMAIL]);
    expect(mail.from).to.equal(MAIL_FROM);
    expect(mail.subject).to.equal('ESR-00001: Log in to ESR – Alex Demo');
    for (const part of [mail.text, mail.html]) {
      expect(part).to.contain('I get an error after I log in with my new password');
      expect(part).to.contain('Error 1001: the username or password is not valid');
      expect(part).to.contain('Alex Demo').and.contain('alex.demo@nhs-trust.example');
      expect(part).to.contain('241ADEMO01').and.contain('Substantive');
      expect(part).to.contain('2 screenshot(s) attached.');
    }
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).to.deep.equal([
      ['ESR-00001-1.png', 'image/png'],
      ['ESR-00001-2.jpg', 'image/jpeg'],
    ]);
    expect(mail.attachments[0]!.content.equals(shot), 'the PNG, byte for byte').to.be.true;
    expect(mail.attachments[1]!.content.equals(photo), 'the JPEG, byte for byte').to.be.true;
    await t.app.mail.idle();
    expect(await t.app.mail.pending()).to.deep.equal([]);
    expect(smtp.messages).to.have.length(1);
  });

  it('with the mail server down, still creates the ticket and replies, queues the email, and sends it once when the server is back', async () => {
    await smtp.stop();
    const shot = png({ width: 12, height: 12 });
    const alex = t.user(DEMO_USERS.alex);

    const reply = await report(alex, [{ path: '/outage.png', name: 'outage.png', bytes: shot }]);
    expect(reply).to.contain('Your reference is **ESR-00001**');
    const ticket = (await t.app.tickets.get(1))!;
    expect(ticket.screenshots).to.have.length(1);
    expect((await t.app.tickets.getScreenshot(1, ticket.screenshots[0]!.id))!.bytes.equals(shot)).to.be.true;

    // An attempt while the server is down fails and leaves the email queued, with its screenshot.
    const down = await t.app.mail.deliverDue();
    expect(down.sent).to.equal(0);
    const [queued] = await t.app.mail.pending();
    expect(await t.app.mail.pending()).to.have.length(1);
    expect(queued).to.include({ to: WORKFORCE_EMAIL, subject: 'ESR-00001: Log in to ESR – Alex Demo', status: 'waiting', attachments: 1 });
    expect(queued!.attempts).to.be.at.least(1);
    expect(queued!.lastError).to.match(/ECONNREFUSED/);

    await smtp.restart();
    // Not before its retry is due...
    expect(await t.app.mail.deliverDue()).to.include({ sent: 0, waiting: 1 });
    expect(smtp.messages).to.have.length(0);
    // ...and then exactly once.
    clock.advance(Date.parse(queued!.nextAttemptAt) - clock.now().getTime() + MINUTE);
    expect(await t.app.mail.deliverDue()).to.include({ sent: 1, waiting: 0 });
    const mail = await smtp.waitFor((m) => m.subject.includes('ESR-00001'));
    expect(mail.attachments).to.have.length(1);
    expect(mail.attachments[0]!.content.equals(shot)).to.be.true;
    expect(await t.app.mail.pending()).to.deep.equal([]);

    clock.advance(60 * MINUTE);
    expect(await t.app.mail.deliverDue()).to.include({ sent: 0, waiting: 0 });
    await t.app.mail.idle();
    expect(smtp.messages.filter((m) => m.subject.includes('ESR-00001'))).to.have.length(1);
  });
});
