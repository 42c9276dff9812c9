// The dashboard's trend charts in a real headless Chromium: each chart is drawn (SVG, described for screen
// readers) with its figures in a captioned table, under the page's strict CSP, and the organisation filter
// redraws them. The development login stands in for Teams sign-in (dashboard.browser.test.ts covers that).
import { existsSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ManualClock } from '../../core/clock.js';
import { TWO_ORGANISATIONS } from '../support/organisations.js';
import { seedTrends, TRENDS_NOW } from '../support/trendsFixtures.js';
import { startTestApp, type TestApp } from '../support/testApp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

describe('the dashboard\'s trend charts in a real browser', function () {
  this.timeout(40_000);
  let browser: Browser;
  let t: TestApp;
  let page: Page;
  let cspViolations: string[];

  before(async function () {
    if (!existsSync(CHROMIUM)) {
      console.log(`      Skipping the trend chart browser tests: no Chromium at ${CHROMIUM}. Set CHROMIUM_PATH to a Chromium binary.`);
      this.skip();
    }
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    const clock = new ManualClock(TRENDS_NOW);
    const dataDir = await mkdtemp(join(tmpdir(), 'esr-trends-browser-'));
    await writeFile(join(dataDir, 'organisations.json'), JSON.stringify(TWO_ORGANISATIONS));
    t = await startTestApp({ dataDir, clock, housekeeping: false, env: { DASHBOARD_DEV_LOGIN: 'true' } });
    await seedTrends(t, clock);
  });
  after(async () => {
    await browser?.close();
    await t?.stop({ keepData: false });
  });

  beforeEach(async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    cspViolations = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    // Outside Teams: teams-js is absent, so the page uses the development login at once.
    await page.route('**/static/teams-js.js', (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: 'window.microsoftTeams = undefined;' }));
    expect((await page.goto(`${t.url}/dashboard`))?.status()).to.equal(200);
    await page.waitForSelector('body[data-loaded="queue"]');
  });
  afterEach(async () => {
    expect(cspViolations, 'no Content Security Policy violations').to.deep.equal([]);
    await page.context().close();
  });

  const tableRows = (id: string) =>
    page.$$eval(`#${id} tbody tr`, (trs) => trs.map((tr) => Array.from(tr.children).map((cell) => (cell.textContent ?? '').trim())));

  it('draws both charts as described images, each with a captioned table of every figure', async () => {
    for (const id of ['trend-daily-chart', 'trend-weekly-chart']) {
      const chart = await page.$eval(`#${id} svg`, (svg) => ({ role: svg.getAttribute('role'), label: svg.getAttribute('aria-label') ?? '', bars: svg.querySelectorAll('rect').length, width: svg.getBoundingClientRect().width }));
      expect(chart.role, id).to.equal('img');
      expect(chart.label, id).to.match(/^Bar chart: /);
      expect(chart.width, `${id} is drawn at a visible size`).to.be.greaterThan(300);
      expect(chart.bars, id).to.be.greaterThan(0);
    }
    expect(await page.$eval('#trend-daily-chart svg', (svg) => svg.querySelectorAll('rect').length)).to.equal(80 * 2);
    expect(await page.$eval('#trend-weekly-chart svg', (svg) => svg.querySelectorAll('rect').length)).to.equal(12);
    expect(await page.$eval('#trend-daily-table caption', (c) => c.textContent)).to.contain('Tickets opened and resolved per day');
    expect(await page.$eval('#trend-weekly-table caption', (c) => c.textContent)).to.contain('Self-service share per week');

    const daily = await tableRows('trend-daily-table');
    expect(daily).to.have.length(80);
    expect(daily).to.deep.include(['5 Jan', '1', '0']);
    expect(daily).to.deep.include(['18 Mar', '0', '1']);
    const weekly = await tableRows('trend-weekly-table');
    expect(weekly).to.have.length(12);
    expect(weekly[0]).to.deep.equal(['29 Dec', '0', '0', 'no requests']);
    expect(weekly).to.deep.include(['5 Jan', '1', '1', '50%']);
    expect(weekly.at(-1)).to.deep.equal(['16 Mar', '3', '2', '60%']);
  });

  it('opens a table from its "Show the figures as a table" summary, by keyboard', async () => {
    expect(await page.isVisible('#trend-weekly-table')).to.equal(false);
    await page.focus('#trend-weekly summary');
    await page.keyboard.press('Enter');
    expect(await page.isVisible('#trend-weekly-table')).to.equal(true);
  });

  it('redraws the charts and tables for the organisation chosen in the filter', async () => {
    const options = await page.$$eval('#filter-organisation option', (os) => os.map((o) => o.textContent));
    expect(options).to.deep.equal(['All organisations', '241 Bolton NHS Foundation Trust', '242 Wigan Teaching Hospitals']);
    const allLoaded = page.waitForResponse((r) => r.url().includes('/api/dashboard/tickets?status=all'));
    await page.selectOption('#filter-status', 'all');
    await allLoaded;
    const trendsLoaded = page.waitForResponse((r) => r.url().includes('/api/dashboard/trends?organisation=242'));
    await page.selectOption('#filter-organisation', '242');
    await trendsLoaded;
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#trend-weekly-table tbody tr')).at(-1)?.textContent?.includes('no requests'));
    const weekly = await tableRows('trend-weekly-table');
    expect(weekly.at(-1)).to.deep.equal(['16 Mar', '0', '0', 'no requests']);
    expect(weekly).to.deep.include(['5 Jan', '1', '1', '50%']);
    expect(await page.$$eval('#queue-body tr', (trs) => trs.map((tr) => tr.getAttribute('data-ticket')))).to.deep.equal(['ESR-00002']);
  });
});
