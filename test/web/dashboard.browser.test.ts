// The agents' dashboard in a real headless Chromium, against the real server, tickets, key set check and
// helpdesk. Only teams-js is replaced, at the page's boundary: /static/teams-js.js is answered with a tiny fake
// `microsoftTeams` that initialises like Teams, gives a theme in its context, and hands out a token signed by
// the test's own key pair (which the server checks against the key set it fetches, as in production).
// Needs Debian's chromium (CI installs it); set CHROMIUM_PATH to use another build. Set DASHBOARD_SCREENSHOTS to
// a folder to keep screenshots of each state.
import { existsSync } from 'node:fs';
import { appendFile, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { HOUR, ManualClock, MINUTE } from '../../core/clock.js';
import type { Ticket } from '../../tickets/types.js';
import { createTicket } from '../support/dashboardFixtures.js';
import { AGENTS_GROUP, AGENTS_SETTING, PEOPLE, startTestEntra, TEST_APP_ID, TEST_TENANT, type TestEntra } from '../support/entraTokens.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = process.env.DASHBOARD_SCREENSHOTS;
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

type Person = (typeof PEOPLE)[keyof typeof PEOPLE];
type Theme = 'default' | 'dark' | 'contrast';

/** The fake teams-js: what a tab sees of Teams, and nothing more. */
function fakeTeamsJs(options: { token?: string; theme?: Theme; fail?: 'initialize' | 'token' }): string {
  return `window.microsoftTeams = (function () {
  var themeHandler = null;
  window.__teams = { saved: null, valid: null, config: null, themeHandlerRegistered: false,
    changeTheme: function (t) { if (themeHandler) themeHandler(t); } };
  return {
    app: {
      initialize: function () { return ${options.fail === 'initialize' ? "Promise.reject(new Error('Initialization Failed. No Parent window found.'))" : 'Promise.resolve()'}; },
      getContext: function () { return Promise.resolve({ app: { theme: ${JSON.stringify(options.theme ?? 'default')}, locale: 'en-GB', host: { name: 'Teams', clientType: 'web' } }, page: { id: 'esr-helpdesk-tickets', frameContext: 'content' }, user: { id: 'x', loginHint: 'agent@nhs-trust.example' } }); },
      registerOnThemeChangeHandler: function (handler) { themeHandler = handler; window.__teams.themeHandlerRegistered = true; },
      notifySuccess: function () { return Promise.resolve(); }
    },
    authentication: {
      getAuthToken: function () { return ${options.fail === 'token' ? "Promise.reject(new Error('resourceRequiresConsent'))" : `Promise.resolve(${JSON.stringify(options.token ?? '')})`}; }
    },
    pages: { config: {
      setValidityState: function (v) { window.__teams.valid = v; },
      registerOnSaveHandler: function (handler) { window.__teams.saveHandler = handler; },
      setConfig: function (c) { window.__teams.config = c; return Promise.resolve(); }
    } }
  };
})();`;
}

describe('the agents\' dashboard in a real browser (teams-js stubbed at the page boundary)', function () {
  this.timeout(40_000);
  let browser: Browser;
  let clock: ManualClock;
  let entra: TestEntra;
  let t: TestApp;
  let context: BrowserContext;
  let page: Page;
  let cspViolations: string[];
  let apiRequests: string[];
  const tickets: Record<string, Ticket> = {};

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      Skipping the dashboard browser tests: no Chromium at ${CHROMIUM}. Install Debian's chromium, or set CHROMIUM_PATH to a Chromium binary.`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    clock = new ManualClock('2026-01-07T08:00:00Z'); // a Wednesday
    entra = await startTestEntra(clock);
    t = await startTestApp({
      clock,
      housekeeping: false,
      env: { MicrosoftAppId: TEST_APP_ID, MicrosoftAppPassword: 'not-a-real-secret', MicrosoftAppTenantId: TEST_TENANT, DASHBOARD_AGENTS: AGENTS_SETTING, DASHBOARD_AGENT_GROUP: AGENTS_GROUP, ENTRA_JWKS_URL: entra.jwksUrl },
    });
    // The week so far: one ticket resolved after an hour, one taken over after half an hour, two waiting.
    tickets.training = await createTicket(t, { description: 'The fire safety module will not load', category: 'training', name: 'Bea Sample', userId: '29:bea' });
    clock.advance(10 * MINUTE);
    tickets.app = await createTicket(t, { description: 'The My ESR app asks for a code I never get', category: 'app', name: 'Chris Test', userId: '29:chris' });
    clock.advance(30 * MINUTE);
    await t.app.desk.act('takeOver', tickets.app.id, { id: PEOPLE.ria.oid, name: PEOPLE.ria.name }, 'teams');
    clock.advance(20 * MINUTE);
    await t.app.desk.act('resolve', tickets.training.id, { id: PEOPLE.ria.oid, name: PEOPLE.ria.name }, 'teams');
    tickets.login = await createTicket(t, { description: 'ESR says my account is locked', category: 'login', screenshot: true });
    clock.advance(15 * MINUTE);
    tickets.payslip = await createTicket(t, { description: 'My December payslip is missing', category: 'payslip', name: 'Dana Example', userId: '29:dana' });
    clock.advance(2 * HOUR);
    // Usage this week (the bot's own usage log): 12 people helped by self-service, and the flows they started.
    const at = clock.now().toISOString();
    const lines = [
      ...Array.from({ length: 9 }, () => ({ at, flow: 'forgotPassword', kind: 'started' })),
      ...Array.from({ length: 5 }, () => ({ at, flow: 'register', kind: 'started' })),
      ...Array.from({ length: 3 }, () => ({ at, flow: 'faq', kind: 'started' })),
      ...Array.from({ length: 12 }, () => ({ at, flow: 'forgotPassword', kind: 'self_served' })),
      { at: '2025-12-30T10:00:00.000Z', flow: 'unlock', kind: 'started' }, // last week: not counted
    ];
    await appendFile(join(t.dataDir, 'usage.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  });

  after(async () => {
    await browser?.close();
    await t?.stop({ keepData: false });
    await entra?.stop();
  });

  afterEach(async () => {
    expect(cspViolations, 'no Content Security Policy violations').to.deep.equal([]);
    await context?.close();
  });

  async function open(path: string, teams: Parameters<typeof fakeTeamsJs>[0] | 'real', viewport = { width: 1280, height: 900 }): Promise<void> {
    context = await browser.newContext({ viewport, ...(viewport.width < 500 ? { isMobile: true, hasTouch: true } : {}) });
    page = await context.newPage();
    cspViolations = [];
    apiRequests = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('request', (request) => {
      if (request.url().includes('/api/dashboard/')) apiRequests.push(request.url());
    });
    if (teams !== 'real') {
      const body = fakeTeamsJs(teams);
      await page.route('**/static/teams-js.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body }));
    }
    const response = await page.goto(`${t.url}${path}`);
    expect(response?.status()).to.equal(200);
  }

  async function asAgent(person: Person, options: { theme?: Theme; viewport?: { width: number; height: number }; claims?: Record<string, unknown> } = {}): Promise<void> {
    const token = await entra.token(person, options.claims ?? {}, { now: clock.now() });
    await open('/dashboard', { token, theme: options.theme ?? 'default' }, options.viewport);
    await page.waitForSelector('body[data-loaded="queue"]');
  }

  const rows = () => page.$$eval('#queue-body tr', (trs) => trs.map((tr) => ({ ref: tr.getAttribute('data-ticket') ?? '', status: tr.getAttribute('data-status') ?? '', text: (tr.textContent ?? '').replace(/\s+/g, ' ').trim() })));
  const text = (selector: string) => page.$eval(selector, (el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim());
  const shot = async (name: string) => {
    if (!SHOTS) return;
    await mkdir(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  };

  it('shows the queue and the week\'s figures', async () => {
    await asAgent(PEOPLE.sam);
    expect(await page.getAttribute('body', 'data-mode')).to.equal('teams');
    expect(await text('#who')).to.equal('Signed in as Sam Agent');
    expect(await text('#fig-open')).to.equal('2');
    expect(await text('#fig-open-detail')).to.equal('waiting, and 1 being handled');
    expect(await text('#fig-median')).to.equal('45 min'); // 30 and 60 minutes
    expect(await text('#fig-deflection')).to.equal('75%'); // 12 self-served of 12 + 4 tickets
    expect(await text('#fig-deflection-detail')).to.equal('12 of 16 requests, without a ticket');
    expect(await page.$$eval('#fig-flows li', (lis) => lis.map((li) => (li.textContent ?? '').trim()))).to.deep.equal([
      'Resetting your password (9)',
      'Setting up ESR from home (5)',
      'Common questions (3)',
    ]);
    // Open and assigned by default, waiting longest first; resolved ones are filtered out.
    const queue = await rows();
    expect(queue.map((r) => r.ref)).to.deep.equal([tickets.login!.ref, tickets.payslip!.ref, tickets.app!.ref]);
    expect(queue[0]!.text).to.contain('Open').and.contain('2 h 15 min').and.contain('Log in to ESR').and.contain('Nobody yet').and.contain('Aisha Shah');
    expect(queue[2]!.text).to.contain('Assigned').and.contain('Ria Agent').and.contain('live chat');
    await shot('queue-default');
  });

  it('filters by category, status and "only tickets I hold"', async () => {
    await asAgent(PEOPLE.ria);
    await page.selectOption('#filter-category', 'payslip');
    await page.waitForFunction(() => document.querySelectorAll('#queue-body tr').length === 1);
    expect((await rows()).map((r) => r.ref)).to.deep.equal([tickets.payslip!.ref]);
    await page.selectOption('#filter-category', '');
    await page.selectOption('#filter-status', 'resolved');
    await page.waitForFunction((ref) => document.querySelector('#queue-body tr')?.getAttribute('data-ticket') === ref && document.querySelectorAll('#queue-body tr').length === 1, tickets.training!.ref);
    await page.selectOption('#filter-status', 'active');
    await page.check('#filter-mine');
    // Waits for the very ticket: a count of one would also match the table the "resolved" filter left.
    await page.waitForFunction((ref) => document.querySelector('#queue-body tr')?.getAttribute('data-ticket') === ref && document.querySelectorAll('#queue-body tr').length === 1, tickets.app!.ref);
    expect((await rows()).map((r) => r.ref)).to.deep.equal([tickets.app!.ref]);
    expect(apiRequests.some((u) => u.includes('mine=true'))).to.equal(true);
  });

  it('shows the answer to the latest filters when an earlier answer comes back after it', async () => {
    await asAgent(PEOPLE.ria);
    // The queue asked for without "mine" is held back until the one with "mine" has been answered.
    let mineAnswered!: () => void;
    const answeredFirst = new Promise<void>((resolve) => (mineAnswered = resolve));
    await page.route('**/api/dashboard/tickets?*', async (route) => {
      const url = route.request().url();
      if (url.includes('mine=true')) {
        await route.continue();
        mineAnswered();
      } else if (url.includes('category=payslip')) {
        await answeredFirst;
        await route.continue();
      } else await route.continue();
    });
    try {
      await page.selectOption('#filter-category', 'payslip');
      await page.selectOption('#filter-category', '');
      await page.check('#filter-mine');
      await answeredFirst;
      await page.waitForFunction((ref) => document.querySelector('#queue-body tr')?.getAttribute('data-ticket') === ref, tickets.app!.ref);
      // The late answer (payslip, not mine) has arrived by now and must not have replaced the table.
      await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('category=payslip')));
      await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      expect((await rows()).map((r) => r.ref)).to.deep.equal([tickets.app!.ref]);
    } finally {
      await page.unroute('**/api/dashboard/tickets?*');
      await page.uncheck('#filter-mine');
    }
  });

  it('opens a ticket with its details, conversation and screenshot, and Take over makes the agent its holder', async () => {
    await asAgent(PEOPLE.sam);
    await page.click(`#queue-body tr[data-ticket="${tickets.login!.ref}"] a`);
    await page.waitForSelector('body[data-loaded="ticket"]');
    expect(await text('#ticket-title')).to.equal(tickets.login!.ref);
    const view = await text('#ticket-view');
    expect(view).to.contain('aisha.shah@nhs-trust.example').and.contain('241ASHAH01').and.contain('Resetting your password / dateOfBirth');
    expect(view).to.contain('ESR says my account is locked').and.contain('Your account has been locked');
    expect(view).to.contain('I cannot log in').and.contain('What is your date of birth?');
    // The screenshot really loads (same origin, signed link) under the page's CSP.
    await page.waitForFunction(() => {
      const img = document.querySelector<HTMLImageElement>('.shots img');
      return Boolean(img && img.complete && img.naturalWidth === 48);
    });
    expect(await page.$$eval('#ticket-actions button', (bs) => bs.map((b) => b.textContent))).to.deep.equal(['Take over', 'Resolve']);
    await shot('ticket-before');

    await page.click('#ticket-actions button[data-verb="takeOver"]');
    await page.waitForFunction(() => document.querySelector('#ticket-holder')?.textContent === 'Held by Sam Agent');
    expect(await text('#action-message')).to.contain(`You hold ${tickets.login!.ref}`);
    expect(await page.$$eval('#ticket-actions button', (bs) => bs.map((b) => b.textContent))).to.deep.equal(['Unassign', 'Resolve']);
    const stored = await t.app.tickets.get(tickets.login!.id);
    expect(stored?.status).to.equal('assigned');
    expect(stored?.assignee).to.deep.equal({ id: PEOPLE.sam.oid, name: PEOPLE.sam.name });
    expect(stored?.events.at(-1)).to.deep.include({ action: 'taken_over' });
    await shot('ticket-taken-over');

    // Back in the queue, the row shows the holder.
    await page.click('#back');
    await page.waitForFunction((ref) => document.querySelector(`#queue-body tr[data-ticket="${ref}"]`)?.textContent?.includes('Sam Agent'), tickets.login!.ref);
  });

  it('shows what people typed as text, never as HTML', async () => {
    const hostile = await createTicket(t, { description: '<img src="x" onerror="window.__xss = 1"><script>window.__xss = 2</script> **not bold**', name: '<b>Eve</b>', userId: '29:eve' });
    await asAgent(PEOPLE.sam);
    expect((await rows()).find((r) => r.ref === hostile.ref)?.text).to.contain('<b>Eve</b>');
    await page.click(`#queue-body tr[data-ticket="${hostile.ref}"] a`);
    await page.waitForSelector('body[data-loaded="ticket"]');
    expect(await text('#ticket-view')).to.contain('<img src="x" onerror="window.__xss = 1"><script>window.__xss = 2</script> **not bold**');
    expect(await page.$$('#ticket-view .panel img:not(.shots img)')).to.have.length(0);
    expect(await page.evaluate('window.__xss')).to.equal(undefined);
    await t.app.desk.act('resolve', hostile.id, { id: PEOPLE.ria.oid, name: PEOPLE.ria.name }, 'teams');
  });

  it('tells the loser of a race who holds the ticket', async () => {
    await asAgent(PEOPLE.sam);
    await page.click(`#queue-body tr[data-ticket="${tickets.payslip!.ref}"] a`);
    await page.waitForSelector('body[data-loaded="ticket"]');
    // Ria takes it over in the agents' channel while Sam is looking at it.
    await t.app.desk.act('takeOver', tickets.payslip!.id, { id: PEOPLE.ria.oid, name: PEOPLE.ria.name }, 'teams');
    await page.click('#ticket-actions button[data-verb="takeOver"]');
    await page.waitForFunction(() => document.querySelector('#action-message')?.textContent === 'Ria Agent has already taken this ticket.');
    expect(await text('#ticket-holder')).to.equal('Held by Ria Agent');
    expect((await t.app.tickets.get(tickets.payslip!.id))?.assignee?.name).to.equal('Ria Agent');
  });

  it('follows the Teams theme: default, dark and high contrast look different, and a theme change applies at once', async () => {
    const colours: Record<string, { background: string; text: string; figure: string; theme: string | null }> = {};
    for (const theme of ['default', 'dark', 'contrast'] as const) {
      await asAgent(PEOPLE.sam, { theme });
      colours[theme] = await page.evaluate(() => ({
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        figure: getComputedStyle(document.querySelector('.figure')!).borderTopColor,
        theme: document.documentElement.getAttribute('data-theme'),
      }));
      await shot(`queue-${theme}`);
      if (theme !== 'contrast') await context.close();
    }
    expect(colours.default!.theme).to.equal('default');
    expect(colours.dark!.theme).to.equal('dark');
    expect(colours.contrast!.theme).to.equal('contrast');
    expect(new Set([colours.default!.background, colours.dark!.background, colours.contrast!.background]).size, JSON.stringify(colours)).to.equal(3);
    expect(colours.default!.text).to.not.equal(colours.dark!.text);
    expect(colours.contrast!.figure, 'high contrast draws borders in the text colour').to.equal(colours.contrast!.text);
    // Teams says the theme changed: the page follows without reloading.
    expect(await page.evaluate(() => (window as unknown as { __teams: { themeHandlerRegistered: boolean } }).__teams.themeHandlerRegistered)).to.equal(true);
    await page.evaluate(() => (window as unknown as { __teams: { changeTheme(t: string): void } }).__teams.changeTheme('dark'));
    expect(await page.getAttribute('html', 'data-theme')).to.equal('dark');
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).to.equal(colours.dark!.background);
  });

  it('works at phone width (375 px): the table becomes a list, nothing scrolls sideways', async () => {
    await asAgent(PEOPLE.sam, { viewport: { width: 375, height: 740 } });
    const layout = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
      rowDisplay: getComputedStyle(document.querySelector('#queue-body tr')!).display,
      headerHeight: document.querySelector('#queue thead')!.getBoundingClientRect().height,
      labels: Array.from(document.querySelectorAll('#queue-body tr:first-child td')).map((td) => getComputedStyle(td, '::before').content),
    }));
    expect(layout.innerWidth).to.equal(375);
    expect(layout.scrollWidth, 'no horizontal scroll on the queue').to.be.at.most(375);
    expect(layout.rowDisplay).to.equal('block');
    expect(layout.headerHeight).to.be.at.most(1);
    expect(layout.labels).to.deep.equal(['"Reference"', '"Status"', '"Age"', '"Trying to"', '"Held by"', '"From"']);
    await shot('queue-phone');
    await page.click(`#queue-body tr[data-ticket="${tickets.login!.ref}"] a`);
    await page.waitForSelector('body[data-loaded="ticket"]');
    expect(await page.evaluate(() => document.documentElement.scrollWidth), 'no horizontal scroll on a ticket').to.be.at.most(375);
    await shot('ticket-phone');
  });

  it('outside Teams (teams-js cannot initialise) says it must be opened in Teams, and asks the API for nothing', async () => {
    await open('/dashboard', { fail: 'initialize' });
    await page.waitForSelector('body[data-mode="outside-teams"]');
    expect(await text('#notice')).to.contain('This dashboard works inside Microsoft Teams');
    expect(await page.isVisible('#app')).to.equal(false);
    expect(apiRequests).to.deep.equal([]);
    await shot('outside-teams');
  });

  it('outside Teams with the real teams-js bundle says the same', async () => {
    await open('/dashboard', 'real');
    await page.waitForSelector('body[data-mode="outside-teams"]', { timeout: 15_000 });
    expect(await text('#notice')).to.contain('This dashboard works inside Microsoft Teams');
    expect(apiRequests).to.deep.equal([]);
  });

  it('in Teams, someone who is not an agent is told so and sees no tickets', async () => {
    const token = await entra.token(PEOPLE.nina, {}, { now: clock.now() });
    await open('/dashboard', { token });
    await page.waitForFunction(() => document.querySelector('#notice')?.textContent?.includes('not one of the ESR Helpdesk agents'));
    expect(await page.isVisible('#app')).to.equal(false);
    expect(await page.$$('#queue-body tr')).to.have.length(0);
  });

  it('in Teams, a failed single sign-on is explained', async () => {
    await open('/dashboard', { fail: 'token' });
    await page.waitForFunction(() => document.querySelector('#notice')?.textContent?.includes('Teams could not sign you in'));
    expect(await text('#notice')).to.contain('resourceRequiresConsent');
  });

  it('the channel tab\'s configuration page marks itself valid and saves the dashboard\'s address', async () => {
    await open('/dashboard/configure', { theme: 'dark' });
    await page.waitForSelector('body[data-loaded="configure"]');
    expect(await page.getAttribute('html', 'data-theme')).to.equal('dark');
    // (A string, not a function: the test runner's compiler would add helpers the page does not have.)
    const result = await page.evaluate(`new Promise((resolve) => {
      const teams = window.__teams;
      teams.saveHandler({
        notifySuccess: () => resolve({ valid: teams.valid, config: teams.config, outcome: 'success' }),
        notifyFailure: (reason) => resolve({ outcome: reason }),
      });
    })`);
    expect(result).to.deep.equal({
      valid: true,
      outcome: 'success',
      config: { entityId: 'esr-helpdesk-tickets', contentUrl: 'http://localhost:3978/dashboard', websiteUrl: 'http://localhost:3978/dashboard', suggestedDisplayName: 'ESR tickets' },
    });
  });
});

describe('the agents\' dashboard in development mode (DASHBOARD_DEV_LOGIN=true), in a real browser', function () {
  this.timeout(30_000);
  let browser: Browser;
  let t: TestApp;

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      Skipping: no Chromium at ${CHROMIUM}.`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    t = await startTestApp({ clock: new ManualClock('2026-01-07T10:00:00Z'), housekeeping: false, env: { NODE_ENV: 'development', DASHBOARD_DEV_LOGIN: 'true' } });
    await createTicket(t);
  });

  after(async () => {
    await browser?.close();
    await t?.stop({ keepData: false });
  });

  it('outside Teams, says it is in development mode and shows the queue as the fictional local agent', async () => {
    const page = await browser.newPage();
    await page.goto(`${t.url}/dashboard`);
    await page.waitForSelector('body[data-loaded="queue"]');
    expect(await page.getAttribute('body', 'data-mode')).to.equal('development');
    expect(await page.isVisible('#dev-banner')).to.equal(true);
    expect(await page.textContent('#dev-banner')).to.contain('Development mode');
    expect(await page.textContent('#who')).to.equal('Signed in as Dev Agent (local)');
    expect(await page.$$('#queue-body tr')).to.have.length(1);
    if (SHOTS) await page.screenshot({ path: join(SHOTS, 'development-mode.png'), fullPage: true });
    await page.close();
  });
});
