// Welsh is a whole translation: start-up refuses a Welsh file (shipped or override) that lacks a text the
// English file has or uses a placeholder the English text does not, naming the file and the key; emails to
// someone whose language is unknown are in both languages; Welsh phrasings are understood.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ContentError, loadContent, SHIPPED_DIR } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { languageFor } from '../../content/language.js';
import { StaffMailer } from '../../mail/staffMailer.js';
import { SmtpTransport } from '../../mail/transport.js';
import { understandingSource } from '../../understanding/source.js';
import { Understander } from '../../understanding/understander.js';
import { welshStem, welshWords } from '../../understanding/welsh.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';

const TRUST = { trustName: 'Test NHS Trust', workforceEmail: 'wfi@nhs-trust.example', officeHours: 'Monday to Friday, 9am to 5pm', orgName: '241 Test', esrLoginUrl: 'https://my.esr.nhs.uk' };

describe('Welsh content', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'esr-cy-'));
    for (const f of ['en-GB.json', 'cy-GB.json', 'faq.en-GB.json', 'faq.cy-GB.json']) await copyFile(join(SHIPPED_DIR, f), join(dir, f));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  const edit = async (file: string, change: (json: Record<string, Record<string, unknown>>) => void) => {
    const json = JSON.parse(await readFile(file, 'utf8')) as Record<string, Record<string, unknown>>;
    change(json);
    await writeFile(file, JSON.stringify(json));
  };
  const refusal = async (load: () => Promise<unknown>): Promise<string> => {
    try {
      await load();
    } catch (error) {
      expect(error).to.be.instanceOf(ContentError);
      return (error as Error).message;
    }
    throw new Error('expected the content to be refused');
  };

  it('loads the shipped Welsh with every key the English file has', async () => {
    const cy = await loadContent({ locale: 'cy-GB', globals: TRUST });
    expect(cy.t('menu.flows.forgotPassword.label')).to.equal('Wedi anghofio cyfrinair');
    expect((await loadFaq('cy-GB')).entries.map((e) => e.id)).to.deep.equal((await loadFaq('en-GB')).entries.map((e) => e.id));
  });

  it('refuses a shipped Welsh file that lacks a key, naming the file and the key', async () => {
    await edit(join(dir, 'cy-GB.json'), (j) => delete j.email!.ignore);
    const message = await refusal(() => loadContent({ locale: 'cy-GB', shippedDir: dir }));
    expect(message).to.contain(join(dir, 'cy-GB.json')).and.contain('email.ignore is missing');
  });

  it('refuses a Welsh override with a placeholder the English text does not have, naming the key', async () => {
    const overrides = join(dir, 'override');
    await mkdir(overrides);
    await writeFile(join(overrides, 'cy-GB.json'), JSON.stringify({ email: { greeting: 'Annwyl {firstName} {surname},' } }));
    const message = await refusal(() => loadContent({ locale: 'cy-GB', shippedDir: dir, overrideDir: overrides }));
    expect(message).to.contain(join(overrides, 'cy-GB.json')).and.contain('email.greeting uses {surname}');
  });

  it('accepts a Welsh override that changes only some texts (the rest come from the shipped file)', async () => {
    const overrides = join(dir, 'override');
    await mkdir(overrides);
    await writeFile(join(overrides, 'cy-GB.json'), JSON.stringify({ common: { yes: 'Iawn' } }));
    const cy = await loadContent({ locale: 'cy-GB', shippedDir: dir, overrideDir: overrides });
    expect(cy.t('common.yes')).to.equal('Iawn');
    expect(cy.t('common.no')).to.equal('Na');
  });

  it('refuses a Welsh common-questions override that leaves a question out', async () => {
    const overrides = join(dir, 'override');
    await mkdir(overrides);
    const faq = JSON.parse(await readFile(join(SHIPPED_DIR, 'faq.cy-GB.json'), 'utf8')) as { entries: Array<{ id: string }> };
    faq.entries = faq.entries.filter((e) => e.id !== 'egress');
    await writeFile(join(overrides, 'faq.cy-GB.json'), JSON.stringify(faq));
    const message = await refusal(() => loadFaq('cy-GB', overrides));
    expect(message).to.contain('faq.cy-GB.json').and.contain('id "egress") is missing');
  });

  it('lists every missing key with npm run content:check, and exits 1', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'esr-cy-data-'));
    try {
      await mkdir(join(dataDir, 'content'));
      await writeFile(join(dataDir, 'content', 'cy-GB.json'), JSON.stringify({ common: { yes: 'Ie {nope}' } }));
      const root = fileURLToPath(new URL('../..', import.meta.url));
      const run = promisify(execFile)('npx', ['tsx', 'scripts/content-check.ts', '--data-dir', dataDir], { cwd: root });
      const failure = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stdout: string } | undefined;
      expect(failure?.code).to.equal(1);
      expect(failure?.stdout).to.contain('ok       ').and.contain('common.yes uses {nope}');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe('each person\'s language', () => {
  it('is the stored choice, else Welsh for a Welsh client or a Welsh organisation, else English', () => {
    expect(languageFor({ activityLocale: 'cy-GB', stored: 'en-GB', orgDefault: 'en-GB' })).to.equal('en-GB');
    expect(languageFor({ activityLocale: 'cy', orgDefault: 'en-GB' })).to.equal('cy-GB');
    expect(languageFor({ activityLocale: 'en-GB', orgDefault: 'cy-GB' })).to.equal('cy-GB');
    expect(languageFor({ activityLocale: 'en-US', orgDefault: 'en-GB' })).to.equal('en-GB');
    expect(languageFor({ activityLocale: undefined, stored: 'fr', orgDefault: 'en-GB' })).to.equal('en-GB');
  });
});

describe('an email to someone whose language is unknown', () => {
  let smtp: TestSmtpServer;
  before(async () => (smtp = await startSmtpServer()));
  after(() => smtp.stop());

  it('is in both languages, Welsh first when the organisation default is Welsh', async () => {
    const contents = { 'en-GB': await loadContent({ locale: 'en-GB', globals: TRUST }), 'cy-GB': await loadContent({ locale: 'cy-GB', globals: TRUST }) };
    const transport = new SmtpTransport(smtp.url, 'ESR Helpdesk <esr@nhs-trust.example>', { connectionTimeoutMs: 1_000 });
    const mailer = new StaffMailer(contents, transport, { orgDefault: 'cy-GB', publicUrl: 'https://esr.example', timeZone: 'Europe/London', tokenTtlHours: 4 });
    // An agent unlocked the account: the person never chose a language with the bot.
    await mailer.sendAccountUnlocked({ to: 'alex.demo@nhs-trust.example', firstName: 'Alex', username: '241ADEMO01', at: new Date('2026-01-05T10:00:00Z'), languageUnknown: true });
    const mail = await smtp.waitFor((m) => m.subject.includes('Datglowyd'));
    expect(mail.subject).to.equal('Datglowyd eich cyfrif ESR / Your ESR account was unlocked');
    expect(mail.text.indexOf('Annwyl Alex')).to.be.greaterThan(-1).and.lessThan(mail.text.indexOf('Dear Alex'));
    expect(mail.html).to.contain('<html lang="cy">').and.contain('lang="en-GB"').and.contain('This message is in Welsh and English');
  });

  it('is in one language when the person\'s language is known', async () => {
    const contents = { 'en-GB': await loadContent({ locale: 'en-GB', globals: TRUST }), 'cy-GB': await loadContent({ locale: 'cy-GB', globals: TRUST }) };
    const transport = new SmtpTransport(smtp.url, 'ESR Helpdesk <esr@nhs-trust.example>', { connectionTimeoutMs: 1_000 });
    const mailer = new StaffMailer(contents, transport, { orgDefault: 'cy-GB', publicUrl: 'https://esr.example', timeZone: 'Europe/London', tokenTtlHours: 4 });
    await mailer.sendAccountUnlocked({ to: 'bea.sample@nhs-trust.example', firstName: 'Bea', username: '241BSAMPLE01', at: new Date('2026-01-05T10:00:00Z'), language: 'en-GB' });
    const mail = await smtp.waitFor((m) => m.envelope.to.includes('bea.sample@nhs-trust.example'));
    expect(mail.subject).to.equal('Your ESR account was unlocked');
    expect(mail.text).not.to.contain('Annwyl');
  });
});

describe('understanding Welsh', () => {
  let u: Understander;
  before(async () => (u = new Understander(understandingSource(await loadContent({ locale: 'cy-GB' }), await loadFaq('cy-GB')))));

  it('undoes the common mutations, so nghyfrinair, gyfrinair and chyfrinair are cyfrinair', () => {
    expect(['cyfrinair', 'gyfrinair', 'nghyfrinair', 'chyfrinair'].map(welshStem)).to.deep.equal(Array(4).fill(welshStem('cyfrinair')));
    expect(welshStem('slipiau')).to.equal(welshStem('slip'));
  });

  it('meets the soft mutations of m, ll, rh and a dropped g: fynediad, lwytho, reolau and wall', () => {
    expect(welshStem('fynediad')).to.equal(welshStem('mynediad'));
    expect(welshStem('lwytho')).to.equal(welshStem('llwytho'));
    expect(welshStem('reolau')).to.equal(welshStem('rheolau'));
    expect(welshStem('wall')).to.equal(welshStem('gwall'));
    expect(welshStem('ffôn')).not.to.equal(welshStem('mon'));
  });

  it('undoes the mutations the blanket rules cannot for the helpdesk words: dudalen, nyddiad, fotwm, osod, hanfon', () => {
    for (const [mutated, plain] of [['dudalen', 'tudalen'], ['drio', 'trio'], ['nyddiad', 'dyddiad'], ['fotwm', 'botwm'], ['mlocio', 'blocio'], ['osod', 'gosod'], ['ormod', 'gormod'], ['hanfon', 'anfon'], ['hamgryptio', 'amgryptio']]) {
      expect(welshStem(mutated!), mutated).to.equal(welshStem(plain!));
    }
  });

  it('leaves words of their own alone: dim is not tîm, and mand (stat a mand) is not band', () => {
    expect(welshStem('dim')).not.to.equal(welshStem('tîm'));
    expect(welshStem('mand')).not.to.equal(welshStem('band'));
  });

  it('meets spoken -e and -a endings with -au, and an imperative -a with its verb: llythrenne, weithia, ffonia', () => {
    expect(welshStem('llythrenne')).to.equal(welshStem('llythrennau'));
    expect(welshStem('weithia')).to.equal(welshStem('weithiau'));
    expect(welshStem('dechre')).to.equal(welshStem('dechrau'));
    expect(welshStem('ffonia')).to.equal(welshStem('ffonio'));
  });

  it('forgives one slip in the key words, Welsh or English: usernme, passwod, cyfriair, nghyfrinir', () => {
    for (const [slip, right] of [['usernme', 'username'], ['passwod', 'password'], ['pasword', 'password'], ['cyfriair', 'cyfrinair'], ['nghyfrinir', 'nghyfrinair'], ['hyforddiant', 'hyfforddiant']]) {
      expect(welshStem(slip!), slip).to.equal(welshStem(right!));
    }
  });

  it('leaves a real word near a key word alone: contract is not contact', () => {
    expect(welshStem('contract')).not.to.equal(welshStem('contact'));
  });

  it('reads a soft-mutated byr (yn rhy fyr) as byr', () => {
    expect(welshStem('fyr')).to.equal(welshStem('byr'));
  });

  it("splits words at an apostrophe, so cofio'r and dwi'n are two words each", () => {
    expect(welshWords("Dwi'n methu cofio'r cyfrinair")).to.deep.equal(['dwi', 'n', 'methu', 'cofio', 'r', 'cyfrinair']);
  });

  it('reads the same words typed without the apostrophe as two words too: chin, maer, man, cofior, oriaur, but not anghywir', () => {
    expect(welshWords('chin methu cofior cyfrinair')).to.deep.equal(['chi', 'n', 'methu', 'cofio', 'r', 'cyfrinair']);
    expect(welshWords('man deud')).to.deep.equal(['ma', 'n', 'deud']);
    expect(welshWords('maer oriaur swyddfa')).to.deep.equal(['mae', 'r', 'oriau', 'r', 'swyddfa']);
    expect(welshWords('cyfrinair anghywir')).to.deep.equal(['cyfrinair', 'anghywir']);
  });

  const cases: Array<[string, string]> = [
    ['dw i wedi anghofio fy nghyfrinair', 'forgotPassword'],
    ['beth yw fy enw defnyddiwr', 'forgotUsername'],
    ['mae fy nghyfrif wedi cloi', 'unlock'],
    ['sut mae cael yr ap ar fy ffôn', 'app'],
    ['hyfforddiant gorfodol', 'faq:training'],
    // How people actually type: North and South words, no accents, English loan words.
    ["dwi di anghofio'n password", 'forgotPassword'],
    ["sa i'n gwbod fy username", 'forgotUsername'],
    ['mae fy nghyfrif ar glo', 'unlock'],
    ['isio defnyddio ESR adra ar fy laptop', 'register'],
    ['mae ESR i lawr', 'report'],
    ['pryd dach chi ar agor', 'faq:office-hours'],
    ['be di ESR', 'faq:what-is-esr'],
    // A word on its own that names one answer; a lock denied or only feared; another app.
    ['methu gweld fy hyfforddiant', 'faq:training'],
    ["dwi ddim wedi cloi allan, jyst wedi anghofio'r cyfrinair", 'forgotPassword'],
    ["Dwi di anghofio fy nghyfrinair a dwi ofn trio eto rhag ofn i fi gloi fy hun allan", 'forgotPassword'],
    ["ma'r ap NHS ddim yn gweithio", 'none'],
  ];
  for (const [text, intent] of cases) {
    it(`understands "${text}" as ${intent}`, () => {
      const got = u.understand(text);
      const label = got.kind === 'answer' ? got.intent : got.kind === 'diagnosis' && got.action.kind === 'flow' ? got.action.flow : got.kind;
      expect(label).to.equal(intent);
    });
  }
});
