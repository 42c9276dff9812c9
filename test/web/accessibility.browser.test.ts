// Every page a person opens, audited with axe-core's WCAG 2.2 A and AA rules in a real headless Chromium:
// the reset and unlock pages of the training copy of ESR in every state, /about, /privacy and /terms, and the
// agents' dashboard (development login, with tickets). Each in the light and the dark colour scheme, at a
// 375 px phone and a 1280 px desktop, where the layout differs. The pages keep their strict CSP throughout
// (axe runs through page.evaluate, see test/support/axe.ts), and a CSP complaint fails the test too. Each state is
// also tabbed through: every focus stop must show an indicator with 3:1 contrast (test/support/focus.ts), which axe
// cannot check.
// Needs Debian's chromium (CI installs it); set CHROMIUM_PATH to use another build.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ManualClock } from '../../core/clock.js';
import { expectNoAxeViolations } from '../support/axe.js';
import { createTicket } from '../support/dashboardFixtures.js';
import { expectVisibleFocus } from '../support/focus.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';
import { KeepingTransport } from '../support/keepingTransport.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const ALEX = { username: '241ADEMO01', email: 'alex.demo@nhs-trust.example', dateOfBirth: '1985-03-14' };

const SCHEMES = ['light', 'dark'] as const;
const WIDTHS = [375, 1280] as const;
type Scheme = (typeof SCHEMES)[number];
type Width = (typeof WIDTHS)[number];
const VIEWS: Array<{ scheme: Scheme; width: Width }> = SCHEMES.flatMap((scheme) => WIDTHS.map((width) => ({ scheme, width })));
/** A different good password for each view, so none is refused as one of the previous four. */
const PASSWORDS: Record<string, string> = {
  'light 375': 'juniper saddle marble orchard',
  'light 1280': 'copper meadow violin tide',
  'dark 375': 'lantern thistle harbour pebble',
  'dark 1280': 'walnut ferry granite sparrow',
};


describe('accessibility: every page a person opens passes axe-core\'s WCAG 2.2 A and AA rules, light and dark, phone and desktop', function () {
  this.timeout(60_000);
  let browser: Browser;
  let context: BrowserContext | undefined;
  let cspViolations: string[];
  /** Every page and state audited, for the summary printed at the end. */
  const audited: string[] = [];
  let focusChecked = 0;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      Skipping the accessibility browser tests: no Chromium at ${CHROMIUM}. Install Debian's chromium, or set CHROMIUM_PATH to a Chromium binary.`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  });

  after(async () => {
    await browser?.close();
    if (audited.length > 0) console.log(`      axe audited ${audited.length} page states with no WCAG 2.2 A or AA violations; ${focusChecked} keyboard focus stops all visible.`);
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  async function openPage(view: { scheme: Scheme; width: Width }): Promise<Page> {
    context = await browser.newContext({
      viewport: { width: view.width, height: view.width < 500 ? 740 : 900 },
      colorScheme: view.scheme,
      ...(view.width < 500 ? { isMobile: true, hasTouch: true } : {}),
    });
    const page = await context.newPage();
    cspViolations = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    return page;
  }

  /** Audits the page as it stands, and checks the colour scheme asked for is the one shown. */
  async function audit(page: Page, view: { scheme: Scheme; width: Width }, state: string): Promise<void> {
    const label = `${state} (${view.scheme}, ${view.width} px)`;
    const shown = await page.evaluate(() => ({
      dark: window.matchMedia('(prefers-color-scheme: dark)').matches,
      background: getComputedStyle(document.body).backgroundColor,
      width: window.innerWidth,
      scrollWidth: document.documentElement.scrollWidth,
    }));
    expect(shown.dark, `${label}: the browser asks for the ${view.scheme} scheme`).to.equal(view.scheme === 'dark');
    const [r, g, b] = (shown.background.match(/\d+/g) ?? []).map(Number) as [number, number, number];
    const lightness = (Math.max(r, g, b) + Math.min(r, g, b)) / 2 / 255;
    expect(lightness, `${label}: the page background (${shown.background}) follows the scheme`)[view.scheme === 'dark' ? 'below' : 'above'](0.5);
    expect(shown.width).to.equal(view.width);
    expect(shown.scrollWidth, `${label}: no sideways scrolling`).to.be.at.most(view.width);
    await expectNoAxeViolations(page, label);
    const stops = await expectVisibleFocus(page, label);
    focusChecked += stops.length;
    expect(cspViolations, `${label}: no Content Security Policy violations`).to.deep.equal([]);
    audited.push(label);
  }

  it('the audit itself fails a page that breaks the rules, naming each rule and node, and finds focus that cannot be seen', async () => {
    const page = await openPage({ scheme: 'light', width: 1280 });
    await page.setContent(`<!doctype html><html><head><title>Broken</title><style>
      .faint { color: #9a9a9a; background: #ffffff; } .tiny { width: 10px; height: 10px; padding: 0; } .tiny + .tiny { margin-left: 2px; }
      button:focus { outline: none; }</style></head>
      <body><main><h1>A page with problems</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
      <input type="text"><p class="faint">Hard to read</p><button class="tiny">a</button><button class="tiny">b</button></main></body></html>`);
    const failure = await expectNoAxeViolations(page, 'a broken page').then(() => undefined, (error: Error) => error.message);
    expect(failure, 'the audit failed').to.be.a('string');
    for (const rule of ['html-has-lang', 'image-alt', 'label', 'color-contrast', 'target-size']) expect(failure).to.contain(`${rule} (`);
    expect(failure).to.contain('<input type="text">').and.contain('https://dequeuniversity.com/rules/axe/');
    const unseen = await expectVisibleFocus(page, 'a broken page').then(() => undefined, (error: Error) => error.message);
    expect(unseen).to.be.a('string').and.contain('button "a": none, contrast 0:1');
  });

  describe('the reset and unlock pages (ESR_MODE=simulated)', () => {
    let t: TestApp;
    let mail: KeepingTransport;
    let asked = 0;

    before(async function () {
      if (!browser) this.skip();
      mail = new KeepingTransport();
      t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), mailTransport: mail, env: { ACCOUNT_HELP_PER_HOUR: '50' } });
      // Links are only sent for a username set up for use from home.
      await t.setUpAtWork({ aadObjectId: DEMO_USERS.alex.aadObjectId }, ALEX.username);
    });

    after(async () => {
      await t?.stop({ keepData: false });
    });

    /** Asks for an unlock link for Alex as the chat would, and returns the address the email gives. */
    async function unlockLink(): Promise<string> {
      const before = mail.sent.length;
      t.app.esr.requestAccountHelp({ kind: 'unlock', email: ALEX.email, dateOfBirth: ALEX.dateOfBirth, username: ALEX.username, actor: { kind: 'staff', id: `a11y-${++asked}` }, channel: 'teams' });
      await t.app.background.idle();
      await t.app.mail.deliverDue();
      const path = /http:\/\/localhost:3978(\/unlock\?token=[\w-]+)/.exec(mail.sent.slice(before).map((m) => m.text).join('\n'))?.[1];
      expect(path, 'an unlock link in the email').to.be.a('string');
      return `${t.url}${path!}`;
    }

    async function submit(page: Page): Promise<number> {
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
      return response?.status() ?? 0;
    }

    for (const view of VIEWS) {
      it(`finds no violations on the unlock page, its confirmation, the reset form, the form with every error, the confirmation and the used link, ${view.scheme} at ${view.width} px`, async () => {
        const page = await openPage(view);
        const unlock = await unlockLink();
        expect((await page.goto(unlock))?.status()).to.equal(200);
        expect(await page.textContent('h1')).to.equal('Unlock your ESR account');
        await audit(page, view, 'the unlock page');

        expect(await submit(page)).to.equal(200);
        expect(await page.locator('.panel--confirmation h1').count()).to.equal(1);
        await audit(page, view, 'the unlock confirmation');

        // The confirmation offers a new password: its link opens the reset form.
        await Promise.all([page.waitForNavigation(), page.click('a.button--secondary')]);
        const reset = page.url();
        expect(reset).to.match(/\/reset\?token=/);
        expect(await page.locator('#password').count()).to.equal(1);
        await audit(page, view, 'the reset form');

        await page.fill('#username', '');
        await page.fill('#password', 'password1234');
        await page.fill('#confirm', 'not the same at all');
        expect(await submit(page)).to.equal(400);
        expect(await page.locator('.error-summary li').count(), 'an error for each field').to.equal(3);
        expect(await page.evaluate(() => document.activeElement?.classList.contains('error-summary')), 'the summary has focus').to.equal(true);
        await audit(page, view, 'the reset form with every error shown');

        const password = PASSWORDS[`${view.scheme} ${view.width}`]!;
        await page.fill('#username', ALEX.username);
        await page.fill('#password', password);
        await page.fill('#confirm', password);
        expect(await submit(page)).to.equal(200);
        expect(await page.textContent('.panel--confirmation h1')).to.equal('Practice password saved');
        await audit(page, view, 'the reset confirmation');

        expect((await page.goto(reset))?.status()).to.equal(410);
        expect(await page.textContent('h1')).to.equal('This link cannot be used');
        await audit(page, view, 'the used link page');
      });
    }

    for (const view of VIEWS) {
      it(`finds no violations on the Welsh unlock page, its confirmation and the reset form with every error (lang=cy), ${view.scheme} at ${view.width} px`, async () => {
        const page = await openPage(view);
        expect((await page.goto(`${await unlockLink()}&lang=cy`))?.status()).to.equal(200);
        expect(await page.getAttribute('html', 'lang'), 'the page says it is in Welsh').to.equal('cy');
        await audit(page, view, 'the Welsh unlock page');

        expect(await submit(page)).to.equal(200);
        expect(await page.getAttribute('html', 'lang')).to.equal('cy');
        await audit(page, view, 'the Welsh unlock confirmation');

        await Promise.all([page.waitForNavigation(), page.click('a.button--secondary')]);
        expect(page.url(), 'the language goes with the link to the reset form').to.match(/lang=cy/);
        await page.fill('#username', '');
        await page.fill('#password', 'password1234');
        await page.fill('#confirm', 'not the same at all');
        expect(await submit(page)).to.equal(400);
        expect(await page.getAttribute('html', 'lang')).to.equal('cy');
        await audit(page, view, 'the Welsh reset form with every error shown');
      });
    }
  });

  describe('the about, privacy and terms pages', () => {
    let t: TestApp;

    before(async function () {
      if (!browser) this.skip();
      t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z') });
    });

    after(async () => {
      await t?.stop({ keepData: false });
    });

    for (const view of VIEWS) {
      it(`finds no violations on /about, /privacy and /terms, ${view.scheme} at ${view.width} px`, async () => {
        const page = await openPage(view);
        for (const path of ['/about', '/privacy', '/terms', '/about?lang=cy', '/privacy?lang=cy', '/terms?lang=cy']) {
          expect((await page.goto(`${t.url}${path}`))?.status()).to.equal(200);
          expect(await page.locator('h1').count(), `${path} has one main heading`).to.equal(1);
          expect(await page.getAttribute('html', 'lang'), path).to.equal(path.endsWith('lang=cy') ? 'cy' : 'en-GB');
          await audit(page, view, path);
        }
      });
    }
  });

  describe('the agents\' dashboard (DASHBOARD_DEV_LOGIN=true, with tickets)', () => {
    let t: TestApp;
    let ref: string;

    before(async function () {
      if (!browser) this.skip();
      t = await startTestApp({ clock: new ManualClock('2026-01-07T10:00:00Z'), housekeeping: false, env: { NODE_ENV: 'development', DASHBOARD_DEV_LOGIN: 'true' } });
      ref = (await createTicket(t, { screenshot: true })).ref;
      await createTicket(t, { description: 'My December payslip is missing', category: 'payslip', name: 'Dana Example', userId: '29:dana' });
      const app = await createTicket(t, { description: 'The My ESR app asks for a code I never get', category: 'app', name: 'Chris Test', userId: '29:chris' });
      await t.app.desk.act('takeOver', app.id, { id: 'dev-agent', name: 'Ria Agent' }, 'teams');
      // A question the bot could not answer, so the "couldn't answer" table has a row with its choice and button.
      const bea = t.user(DEMO_USERS.bea);
      await bea.say('hello'); // the first message is answered with the welcome
      await bea.say('is there a parking permit for my bicycle');
      // The log is written after the reply: wait until the dashboard's API lists it.
      for (let tries = 0; tries < 100; tries++) {
        const listed = (await (await fetch(`${t.url}/api/dashboard/unanswered`, { headers: { accept: 'application/json' } })).json()) as { rows?: unknown[] };
        if (listed.rows?.length === 1) break;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    });

    after(async () => {
      await t?.stop({ keepData: false });
    });

    for (const view of VIEWS) {
      it(`finds no violations on the queue and on a ticket's page, ${view.scheme} at ${view.width} px`, async () => {
        const page = await openPage(view);
        expect((await page.goto(`${t.url}/dashboard`))?.status()).to.equal(200);
        await page.waitForSelector('body[data-loaded="queue"]');
        expect(await page.getAttribute('body', 'data-mode')).to.equal('development');
        expect(await page.getAttribute('html', 'data-theme'), 'outside Teams the dashboard follows the browser').to.equal(view.scheme === 'dark' ? 'dark' : 'default');
        expect(await page.locator('#queue-body tr').count()).to.equal(3);
        expect(await page.locator('#unanswered-body tr').count(), 'the question the bot could not answer').to.equal(1);
        // The trend charts, drawn, with their tables of figures open.
        await page.waitForSelector('#trend-daily-chart svg');
        await page.waitForSelector('#trend-weekly-chart svg');
        await page.$$eval('details', (all) => all.forEach((d) => d.setAttribute('open', '')));
        expect(await page.isVisible('#trend-weekly-table')).to.equal(true);
        await audit(page, view, 'the dashboard queue with its trend charts and their tables');

        await page.click(`#queue-body tr[data-ticket="${ref}"] a`);
        await page.waitForSelector('body[data-loaded="ticket"]');
        await page.waitForFunction(() => {
          const img = document.querySelector<HTMLImageElement>('.shots img');
          return Boolean(img && img.complete && img.naturalWidth === 48);
        });
        expect(await page.textContent('#ticket-title')).to.equal(ref);
        await audit(page, view, 'a ticket\'s page on the dashboard');
      });
    }
  });
});
