// The reset page in a real headless Chromium, reached the way staff reach it: Alex asks the bot in Teams,
// the email travels through a real SMTP server on 127.0.0.1, and the link in it is opened in the browser.
// Each password rule is broken once (the message must appear next to its field, and the error summary must
// take focus so screen readers announce it), then a good password is set, then the link is refused.
// Needs Debian's chromium (CI installs it); set CHROMIUM_PATH to use another build.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../core/clock.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const USERNAME = '241ADEMO01';
const FIRST_PASSWORD = 'harbour thistle pebble ferry';
const NEW_PASSWORD = 'juniper saddle marble orchard';

interface Attempt {
  username?: string;
  password?: string;
  confirm?: string;
}

describe('the reset page in a real browser, from an email sent over SMTP', function () {
  this.timeout(30_000);
  let browser: Browser;
  let smtp: TestSmtpServer;
  let t: TestApp;
  let link: URL;
  let context: BrowserContext;
  let page: Page;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      Skipping the browser tests: no Chromium at ${CHROMIUM}. Install Debian's chromium, or set CHROMIUM_PATH to a Chromium binary.`);
      this.skip();
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
    smtp = await startSmtpServer();
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), env: { SMTP_URL: smtp.url } });
    let next = 0;
    t.connector.respond = (call) => (call.method === 'POST' && call.path.includes('/activities') ? { status: 200, body: { id: `bot-msg-${++next}` } } : undefined);

    // Alex sets up ESR from home first, so the history rule has a password to refuse.
    const alex = t.user(DEMO_USERS.alex);
    await alex.say('set up ESR from home');
    await alex.post({ value: { action: 'setPassword', newPassword: FIRST_PASSWORD, confirmPassword: FIRST_PASSWORD }, replyToId: `bot-msg-${next}` });
    expect((await t.app.esr.getAccount(USERNAME))?.status).to.equal('approved');

    // Then asks for a reset in the chat; the email goes through the SMTP server.
    for (const text of ['I forgot my password', 'alex.demo@nhs-trust.example', '14/03/1985']) await alex.say(text);
    const confirmation = await alex.say(USERNAME);
    expect(confirmation.map(replyText).join()).to.contain('If the details match an ESR account');
    await t.app.background.idle();
    await t.app.mail.deliverDue();
    const mail = await smtp.waitFor((m) => m.subject === 'Reset your ESR password');
    expect(mail.envelope.to).to.deep.equal(['alex.demo@nhs-trust.example']);
    const href = /https?:\/\/\S+\/reset\?token=[\w-]+/.exec(mail.text)?.[0];
    expect(href, 'a reset link in the email').to.be.a('string');
    const emailed = new URL(href!);
    expect(emailed.origin, 'built from PUBLIC_URL').to.equal('http://localhost:3978');
    // PUBLIC_URL names where staff reach the server; in the test it listens on a free port instead.
    link = new URL(`${emailed.pathname}${emailed.search}`, t.url);
  });

  after(async () => {
    await browser?.close();
    await t?.stop({ keepData: false });
    await smtp?.stop();
  });

  // One desktop browser tab for the journey; the phone and no-JavaScript checks open their own.
  let desktop: Page;
  before(async () => {
    desktop = await (await browser.newContext({ viewport: { width: 1024, height: 800 } })).newPage();
  });
  beforeEach(() => {
    page = desktop;
  });
  afterEach(async () => {
    if (page !== desktop) await context.close();
  });

  /** With SCREENSHOTS set to a folder, keeps a full-page picture of the page as it stands (for looking at, not for asserting). */
  async function shoot(name: string): Promise<void> {
    if (process.env.SCREENSHOTS) await page.screenshot({ path: `${process.env.SCREENSHOTS}/${name}.png`, fullPage: true });
  }

  async function openIn(options: Parameters<Browser['newContext']>[0]): Promise<void> {
    context = await browser.newContext(options);
    page = await context.newPage();
  }

  async function tryPassword(attempt: Attempt): Promise<void> {
    const response = await page.goto(link.href);
    expect(response?.status()).to.equal(200);
    await page.fill('#username', attempt.username ?? USERNAME);
    await page.fill('#password', attempt.password ?? NEW_PASSWORD);
    await page.fill('#confirm', attempt.confirm ?? attempt.password ?? NEW_PASSWORD);
    await page.click('button[type="submit"]');
    await page.waitForLoadState('load');
  }

  /** Whatever has focus, described for assertions. */
  const focused = () =>
    page.evaluate(() => {
      const el = document.activeElement;
      return { role: el?.getAttribute('role') ?? '', className: el?.className ?? '', text: el?.textContent ?? '' };
    });

  const broken: Array<{ rule: string; attempt: Attempt; field: 'username' | 'password' | 'confirm'; message: string; ruleIndex?: number }> = [
    { rule: 'too short', attempt: { password: 'short words' }, field: 'password', message: 'It needs at least 12 characters; it has 11.', ruleIndex: 0 },
    { rule: 'a commonly used password', attempt: { password: 'password1234' }, field: 'password', message: 'It is a commonly used password', ruleIndex: 1 },
    { rule: 'the username in it', attempt: { password: `lantern ${USERNAME.toLowerCase()} violin` }, field: 'password', message: 'It contains your ESR username.', ruleIndex: 3 },
    { rule: 'a previous password again', attempt: { password: FIRST_PASSWORD }, field: 'password', message: 'It is the same as one of your previous 4 passwords.', ruleIndex: 2 },
    { rule: 'a confirmation that does not match', attempt: { password: NEW_PASSWORD, confirm: `${NEW_PASSWORD}s` }, field: 'confirm', message: 'The passwords do not match' },
    { rule: 'no username', attempt: { username: '' }, field: 'username', message: 'Enter your ESR username' },
  ];
  for (const { rule, attempt, field, message, ruleIndex } of broken) {
    it(`explains ${rule} next to the field, and focuses the error summary`, async () => {
      await tryPassword(attempt);
      const group = page.locator('.form-group', { has: page.locator(`#${field}`) });
      const inPlace = group.locator(`#${field}-error`);
      expect(await inPlace.isVisible(), 'the message is shown by the field').to.equal(true);
      expect(await inPlace.textContent()).to.contain(message);
      expect(await page.getAttribute(`#${field}`, 'aria-invalid')).to.equal('true');
      expect(await page.getAttribute(`#${field}`, 'aria-describedby')).to.contain(`${field}-error`);
      const summary = await focused();
      expect(summary.role, 'the error summary has focus').to.equal('alert');
      expect(summary.className).to.contain('error-summary');
      expect(summary.text).to.contain(message);
      if (ruleIndex !== undefined) expect(await page.locator(`.rules li[data-rule="${ruleIndex}"]`).getAttribute('class')).to.contain('rule--failed');
      expect(await page.title()).to.match(/^Error: /);
    });
  }

  it('still explains a broken rule in place with JavaScript turned off', async () => {
    await openIn({ javaScriptEnabled: false });
    await tryPassword({ password: 'short words' });
    expect(await page.locator('#password-error').textContent()).to.contain('It needs at least 12 characters');
    expect(await page.locator('[role="alert"]').textContent()).to.contain('It needs at least 12 characters');
  });

  for (const state of ['as first opened', 'showing errors'] as const) {
    it(`fits a 375 px phone screen ${state}: no sideways scrolling, and every input has a visible label`, async () => {
      await openIn({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
      if (state === 'as first opened') await page.goto(link.href);
      else await tryPassword({ password: 'password1234', confirm: 'something else' });
      const layout = await page.evaluate(() => ({
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth: window.innerWidth,
        inputs: Array.from(document.querySelectorAll('input'))
          .filter((input) => input.type !== 'hidden' && input.getClientRects().length > 0)
          .map((input) => {
            const label = input.id ? document.querySelector<HTMLLabelElement>(`label[for="${input.id}"]`) : null;
            const box = input.getBoundingClientRect();
            const labelBox = label?.getBoundingClientRect();
            return {
              id: input.id,
              right: box.right,
              label: label?.textContent?.trim() ?? '',
              labelVisible: Boolean(label && labelBox && labelBox.width > 1 && labelBox.height > 1 && getComputedStyle(label).visibility !== 'hidden'),
            };
          }),
      }));
      expect(layout.innerWidth).to.equal(375);
      expect(layout.scrollWidth, 'no horizontal scroll').to.be.at.most(layout.innerWidth);
      expect(layout.inputs.map((i) => i.id)).to.include.members(['username', 'password', 'confirm']);
      for (const input of layout.inputs) {
        expect(input.label, `label for #${input.id}`).to.not.equal('');
        expect(input.labelVisible, `label for #${input.id} is visible`).to.equal(true);
        expect(input.right, `#${input.id} fits the screen`).to.be.at.most(375);
      }
    });
  }

  it('lays the form out on a 375 px phone with the training notice first and the rules above the button', async () => {
    await openIn({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await page.goto(link.href);
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    const [notice, confirm, rules, button] = [await box('.notice'), await box('#confirm'), await box('#rules'), await box('button[type="submit"]')];
    expect(notice.y + notice.height, 'the notice is above the form').to.be.at.most((await box('#username')).y);
    expect(rules.y, 'the rules are below the last box').to.be.at.least(confirm.y + confirm.height);
    expect(rules.y + rules.height, 'the rules end above the button').to.be.at.most(button.y);
    expect(await page.locator('#rules-title').textContent()).to.equal('Your password must:');
    expect(await page.locator('button[type="submit"]').textContent()).to.equal('Save new password');
    expect(await page.getAttribute('.notice', 'role')).to.equal('note');
    await shoot('reset-form-375');
  });

  it('lays the form out at 1280 px with the rules beside the boxes and the button under them', async () => {
    await openIn({ viewport: { width: 1280, height: 900 } });
    await page.goto(link.href);
    const box = async (selector: string) => (await page.locator(selector).boundingBox())!;
    const [password, rules, button] = [await box('#password'), await box('#rules'), await box('button[type="submit"]')];
    expect(rules.x, 'the rules sit to the right of the boxes').to.be.at.least(password.x + password.width);
    expect(rules.y, 'level with the boxes, not below them').to.be.below(password.y + password.height);
    expect(button.x, 'the button lines up with the boxes').to.be.closeTo(password.x, 1);
    expect(button.y).to.be.above(password.y);
    await shoot('reset-form-1280');
  });

  it('shows every error at once with a blank username, each linked from the focused summary to its field', async () => {
    await tryPassword({ username: '', password: 'password1234', confirm: 'not the same at all' });
    const summaryLinks = await page.locator('.error-summary a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
    expect(summaryLinks).to.deep.equal([
      ['#username', 'Enter your ESR username'],
      ['#password', 'It is a commonly used password, or a common word with numbers or symbols added. Choose something less predictable.'],
      ['#confirm', 'The passwords do not match. Type the same password in both boxes.'],
    ]);
    for (const field of ['username', 'password', 'confirm']) {
      expect(await page.locator(`#${field}-error`).isVisible(), `#${field}'s message`).to.equal(true);
      expect(await page.getAttribute(`#${field}`, 'aria-invalid')).to.equal('true');
    }
    expect((await focused()).role).to.equal('alert');
    await page.click('.error-summary a[href="#password"]');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('password');
    await shoot('reset-errors-1024');
  });

  it('changes the password with a good one and says so', async () => {
    await tryPassword({ password: NEW_PASSWORD });
    expect(await page.locator('h1').textContent()).to.equal('Practice password saved');
    expect(await page.locator('main').textContent()).to.contain(USERNAME);
    await shoot('reset-success-1024');
    const account = await t.app.esr.authenticate({ username: USERNAME, password: NEW_PASSWORD, actor: { kind: 'anonymous', id: 'browser-test' }, channel: 'web' });
    expect(account.status).to.equal('approved');
  });

  it('ends on a green confirmation panel, then what to do next, which is never "log in to the real ESR with it"', async () => {
    const panel = page.locator('.panel--confirmation');
    expect(await panel.isVisible()).to.equal(true);
    expect(await panel.evaluate((el) => getComputedStyle(el).backgroundColor)).to.equal('rgb(0, 127, 59)');
    expect(await panel.locator('h1').textContent()).to.equal('Practice password saved');
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).to.contain('What to do next').and.contain('your real ESR account and its password have not changed');
    expect(main).to.not.match(/You can now log in|with your new password at/i);
    await openIn({ viewport: { width: 375, height: 740 }, isMobile: true, hasTouch: true });
    await page.setContent(await desktop.content());
    await page.addStyleTag({ content: await (await fetch(new URL('/static/esr-helpdesk.css', t.url))).text() });
    await shoot('reset-success-375');
  });

  it('refuses the link once it has been used, and says how to get a new one', async () => {
    const response = await page.goto(link.href);
    expect(response?.status()).to.equal(410);
    expect(await page.locator('h1').textContent()).to.equal('This link cannot be used');
    const text = await page.locator('main').textContent();
    expect(text).to.contain('already been used').and.contain('To get a new link');
    expect(await page.locator('#password').count()).to.equal(0);
  });
});
