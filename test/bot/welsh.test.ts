// A Welsh conversation over the real endpoint: a Welsh Teams client gets the Welsh menu, a flow in Welsh,
// an email in Welsh through a real SMTP server, a page in Welsh in a real browser, and can switch back to
// English with the menu's button or by typing it; the choice is remembered over the client's locale.
import { expect } from 'chai';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { ManualClock } from '../../core/clock.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';
import { cardOf, replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('a conversation in Welsh', function () {
  this.timeout(30_000);
  let smtp: TestSmtpServer;
  let t: TestApp;

  beforeEach(async () => {
    smtp = await startSmtpServer();
    t = await startTestApp({ clock: new ManualClock('2026-01-05T10:00:00Z'), env: { SMTP_URL: smtp.url } });
  });
  afterEach(async () => {
    await t.stop({ keepData: false });
    await smtp.stop();
  });

  const all = (calls: Parameters<typeof replyText>[0][]) => calls.map((c) => `${replyText(c)} ${JSON.stringify(cardOf(c) ?? {})}`).join('\n');
  const buttonsOf = (calls: Parameters<typeof replyText>[0][]) =>
    calls.flatMap((c) => JSON.stringify(cardOf(c) ?? {}).match(/"action":"language","language":"[\w-]+"/g) ?? []);

  it('greets a Welsh Teams client in Welsh, runs the unlock flow in Welsh, emails in Welsh and opens a Welsh page', async () => {
    const chris = t.user(DEMO_USERS.chris);
    const hello = await chris.post({ text: 'shwmae', locale: 'cy-GB' }).then(() => t.connector.activitiesFor(chris.conversationId));
    expect(all(hello)).to.contain('Desg Gymorth ESR ydw i').and.contain('Datgloi fy nghyfrif');
    expect(buttonsOf(hello), 'the menu offers English').to.deep.include('"action":"language","language":"en-GB"');

    const steps = ['datgloi fy nghyfrif', 'chris.test@nhs-trust.example', '30/11/1978'];
    const said: string[] = [];
    for (const text of steps) said.push(all(await chris.submitText(text, 'cy-GB')));
    expect(said[0]).to.contain('Gallaf anfon dolen atoch drwy e-bost sy\'n datgloi eich cyfrif ESR');
    const confirmation = all(await chris.submitText('241CTEST01', 'cy-GB'));
    expect(confirmation).to.contain("Os yw'r manylion yn cyfateb i gyfrif ESR");

    await t.app.background.idle();
    await t.app.mail.deliverDue();
    const mail = await smtp.waitFor((m) => m.subject === 'Datgloi eich cyfrif ESR');
    expect(mail.text).to.contain('Annwyl Chris').and.contain('Enw defnyddiwr: 241CTEST01');
    expect(mail.html).to.contain('<html lang="cy">');
    const href = /https?:\/\/\S+\/unlock\?token=[\w-]+&lang=cy/.exec(mail.text)?.[0];
    expect(href, 'an unlock link carrying the language').to.be.a('string');
    const emailed = new URL(href!);
    const link = new URL(`${emailed.pathname}${emailed.search}`, t.url);

    const page = await fetch(link);
    const html = await page.text();
    expect(page.status).to.equal(200);
    expect(html).to.contain('<html lang="cy">').and.contain('Datgloi eich cyfrif ESR').and.contain('name="lang" value="cy"');

    if (!existsSync(CHROMIUM)) return console.log(`      (no Chromium at ${CHROMIUM}: the browser half is skipped)`);
    const browser: Browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    try {
      const tab = await browser.newPage();
      await tab.goto(link.href);
      expect(await tab.getAttribute('html', 'lang')).to.equal('cy');
      expect(await tab.textContent('h1')).to.equal('Datgloi eich cyfrif ESR');
      await tab.click('button[type="submit"]');
      await tab.waitForLoadState('load');
      expect(await tab.getAttribute('html', 'lang')).to.equal('cy');
      expect(await tab.textContent('h1')).to.equal("Cyfrif wedi'i ddatgloi ar y copi hyfforddi");
      // The next link (a new practice password) keeps the language.
      expect(await tab.getAttribute('a.button--secondary', 'href')).to.match(/&lang=cy$/);
    } finally {
      await browser.close();
    }
    await t.app.background.idle();
    await t.app.mail.deliverDue();
    const unlocked = await smtp.waitFor((m) => m.subject === 'Datglowyd eich cyfrif ESR');
    expect(unlocked.text).to.contain('Datglowyd eich cyfrif ESR 241CTEST01');
  });

  it('switches back to English with the menu button and to Welsh and back by typing, remembering it over the client locale', async () => {
    const bea = t.user(DEMO_USERS.bea);
    await bea.post({ text: 'helo', locale: 'cy-GB' });
    const english = await bea.submitValue({ action: 'language', language: 'en-GB' }, 'cy-GB');
    expect(all(english)).to.contain("I'll write to you in English").and.contain('Forgotten password');
    // Still a Welsh client, but the choice wins.
    expect(all(await bea.submitText('menu', 'cy-GB'))).to.contain('What do you need help with?');
    const welsh = await bea.submitText('Cymraeg', 'cy-GB');
    expect(all(welsh)).to.contain('Iawn, byddaf yn ysgrifennu atoch yn Gymraeg').and.contain('Gyda beth sydd angen help arnoch chi?');
    expect(all(await bea.submitText('Saesneg', 'cy-GB'))).to.contain("I'll write to you in English");
    expect(all(await bea.submitText('Welsh', 'en-GB'))).to.contain('yn Gymraeg');
    expect(all(await bea.submitText('English', 'en-GB'))).to.contain("I'll write to you in English");
  });

  it('understands Welsh typed to a Welsh client', async () => {
    const dana = t.user(DEMO_USERS.dana);
    await dana.post({ text: 'helo', locale: 'cy' });
    expect(all(await dana.submitText('beth yw rheolau cyfrinair ESR', 'cy'))).to.contain('O leiaf 12 nod');
    expect(all(await dana.submitText('ble mae fy slipiau cyflog', 'cy'))).to.contain('Slipiau cyflog');
  });
});
