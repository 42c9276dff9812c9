// The emails staff receive, as a mail client sees them: StaffMailer through the real SmtpTransport to a
// real local SMTP server, each message parsed back into its plain-text and HTML parts.
import { expect } from 'chai';
import { loadContent, type Content, type Params } from '../../content/content.js';
import { newToken } from '../../esr/tokens.js';
import { StaffMailer } from '../../mail/staffMailer.js';
import { SmtpTransport } from '../../mail/transport.js';
import { startSmtpServer, type ReceivedMail, type TestSmtpServer } from '../support/smtpServer.js';

const PUBLIC_URL = 'https://esr-help.nhs-trust.example';
// A real Trust name with an ampersand, to see it escaped in HTML and left alone in text.
const TRUST: Params = {
  trustName: 'Wrightington, Wigan & Leigh Teaching Hospitals NHS Foundation Trust',
  orgName: '241 Wigan Hospitals',
  orgCode: '241',
  workforceEmail: 'workforce.information@nhs-trust.example',
  workforcePhone: '01942 000000',
  workforceLocation: 'the Education Centre',
  leadEmployerEmail: 'lead.employer@nhs-trust.example',
  officeHours: 'Monday to Friday, 9am to 5pm',
  esrLoginUrl: 'https://my.esr.nhs.uk',
  botName: 'ESR Helpdesk',
};
const AISHA = { to: 'aisha.shah@nhs-trust.example', firstName: 'Aisha', username: '241ASHAH01' };

describe('StaffMailer emails (real SMTP)', () => {
  let smtp: TestSmtpServer;
  let transport: SmtpTransport;
  let content: Content;
  let mailer: StaffMailer;

  before(async () => {
    smtp = await startSmtpServer();
    transport = new SmtpTransport(smtp.url, 'ESR Helpdesk <esr-helpdesk@nhs-trust.example>', { connectionTimeoutMs: 1_000 });
    content = await loadContent({ locale: 'en-GB', globals: TRUST });
    mailer = new StaffMailer(content, transport, { publicUrl: PUBLIC_URL, timeZone: 'Europe/London', tokenTtlHours: 2 });
  });
  after(async () => {
    transport.close();
    await smtp.stop();
  });
  beforeEach(() => smtp.clear());

  /** The one message received, checked to have both a plain-text and an HTML part. */
  function received(): ReceivedMail {
    expect(smtp.messages).to.have.length(1);
    const mail = smtp.messages[0]!;
    const raw = mail.raw.toString('utf8');
    expect(raw).to.match(/Content-Type: multipart\/alternative/i);
    expect(raw).to.match(/Content-Type: text\/plain/i);
    expect(raw).to.match(/Content-Type: text\/html/i);
    expect(mail.text).not.to.equal('');
    expect(mail.html).not.to.equal('');
    expect(mail.envelope.from).to.equal('esr-helpdesk@nhs-trust.example');
    return mail;
  }

  const linkPattern = (page: string) => new RegExp(`${PUBLIC_URL.replace(/[.]/g, '\\.')}/${page}\\?token=([A-Za-z0-9_-]+)`, 'g');

  it('sends a password reset email with a link from PUBLIC_URL carrying a 43-character token, in both parts', async () => {
    const token = newToken();
    await mailer.sendAccountHelp({
      kind: 'password',
      to: AISHA.to,
      firstName: AISHA.firstName,
      accounts: [{ username: AISHA.username, token }],
      expiresAt: new Date('2026-07-06T11:30:00Z'),
    });
    const mail = received();

    expect(mail.envelope.to).to.deep.equal([AISHA.to]);
    expect(mail.to).to.deep.equal([AISHA.to]);
    expect(mail.subject).to.equal(content.t('email.password.subject')).and.to.equal('Reset your ESR password');
    for (const part of [mail.text, mail.html]) {
      const links = [...part.matchAll(linkPattern('reset'))].map((m) => m[1]!);
      expect(links.length, 'reset links').to.be.at.least(1);
      for (const found of links) {
        expect(found).to.have.length(43);
        expect(found).to.equal(token);
      }
      expect(part).to.include(AISHA.username);
      expect(part).to.include('Dear Aisha,');
      expect(part).to.include('2 hours');
      expect(part).to.include('Monday, 6 July 2026 at 12:30'); // British Summer Time
    }
    expect(mail.html).to.include(`href="${PUBLIC_URL}/reset?token=${token}"`);
    expect(mail.text).to.include(`${PUBLIC_URL}/reset?token=${token}`);
    expect(mail.text).to.include(TRUST.trustName);
    expect(mail.html).to.include('Wrightington, Wigan &amp; Leigh Teaching Hospitals NHS Foundation Trust');
  });

  it('gives each of two usernames its own reset link', async () => {
    const tokens = [newToken(), newToken()];
    await mailer.sendAccountHelp({
      kind: 'password',
      to: 'morgan.price-jones@nhs-trust.example',
      firstName: 'Morgan',
      accounts: [
        { username: '241MPRICEJONES01', token: tokens[0] },
        { username: '241MPRICEJONES02', token: tokens[1] },
      ],
    });
    const mail = received();
    expect([...mail.text.matchAll(linkPattern('reset'))].map((m) => m[1])).to.deep.equal(tokens);
    expect(mail.text).to.include(content.t('email.accountsIntroMany'));
    expect(mail.text).to.include('Reset the password for 241MPRICEJONES02');
  });

  it('sends an unlock email whose link opens the unlock page', async () => {
    const token = newToken();
    await mailer.sendAccountHelp({ kind: 'unlock', to: AISHA.to, firstName: 'Aisha', accounts: [{ username: AISHA.username, token }] });
    const mail = received();
    expect(mail.subject).to.equal('Unlock your ESR account');
    expect([...mail.text.matchAll(linkPattern('unlock'))].map((m) => m[1])).to.deep.equal([token]);
    expect(mail.text).not.to.include('/reset?');
  });

  it('sends a username reminder with the username and no link to the helpdesk', async () => {
    await mailer.sendAccountHelp({ kind: 'username', to: AISHA.to, firstName: 'Aisha', accounts: [{ username: AISHA.username }] });
    const mail = received();
    expect(mail.subject).to.equal('Your ESR username');
    for (const part of [mail.text, mail.html]) {
      expect(part).to.include(AISHA.username);
      expect(part).to.include(TRUST.orgName);
      expect(part).not.to.include(PUBLIC_URL);
      expect(part).not.to.include('token');
    }
    // The only link is ESR's own sign-in page.
    expect(mail.text.match(/https?:\/\/\S+/g)).to.deep.equal([TRUST.esrLoginUrl]);
  });

  it('sends a password-changed notice with no password or link, saying who to contact if it was not them', async () => {
    await mailer.sendPasswordChanged({ to: AISHA.to, firstName: 'Aisha', username: AISHA.username, at: new Date('2026-01-05T10:00:00Z'), channel: 'web' });
    const mail = received();
    expect(mail.subject).to.equal('Your ESR password was changed');
    // The text part is exactly these words: a greeting, what changed and when, who to contact.
    expect(mail.text.trim()).to.equal(
      [
        'Dear Aisha,',
        `The password for your ESR account ${AISHA.username} was changed on Monday, 5 January 2026 at 10:00.`,
        `If this was not you, contact the Workforce Information team straight away at ${TRUST.workforceEmail}.`,
        '--',
        content.t('email.footer'),
      ].join('\n\n'),
    );
    // The HTML part shows the same words and nothing more: no password, no link.
    const visible = mail.html
      .replace(/<head>[\s\S]*<\/head>/, '')
      .replace(/<[^>]+>/g, ' ')
      .replace(/\s+/g, ' ');
    expect(visible).to.include(`The password for your ESR account ${AISHA.username} was changed on Monday, 5 January 2026 at 10:00.`);
    expect(visible).to.include(`If this was not you, contact the Workforce Information team straight away at ${TRUST.workforceEmail}.`);
    expect(visible.match(/password/gi)).to.have.length(1);
    expect(mail.html).not.to.match(/href=|token=/);
  });

  it('sends an account-unlocked notice saying who to contact', async () => {
    await mailer.sendAccountUnlocked({ to: AISHA.to, firstName: 'Aisha', username: AISHA.username, at: new Date('2026-01-05T10:00:00Z') });
    const mail = received();
    expect(mail.subject).to.equal('Your ESR account was unlocked');
    expect(mail.text).to.include(content.t('email.unlocked.notYou'));
  });

  it('escapes every value in the HTML part, and leaves the plain text as typed', async () => {
    const token = newToken();
    await mailer.sendAccountHelp({ kind: 'password', to: AISHA.to, firstName: '<b>Al</b> "O\'Neil"', accounts: [{ username: AISHA.username, token }] });
    const mail = received();
    expect(mail.html).not.to.include('<b>Al</b>');
    expect(mail.html).to.include('Dear &lt;b&gt;Al&lt;/b&gt; &quot;O&#39;Neil&quot;,');
    expect(mail.html).not.to.match(/<b[\s>]/i);
    expect(mail.html).to.include('Wigan &amp; Leigh');
    expect(mail.html).not.to.include('Wigan & Leigh');
    expect(mail.text).to.include('Dear <b>Al</b> "O\'Neil",');
    expect(mail.text).to.include('Wigan & Leigh');
  });
});
