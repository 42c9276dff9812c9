// The organisations file: checked at start-up with every bad entry and field named; without it, the
// settings describe the one organisation exactly as before.
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { organisationValues, trustValues } from '../../bot/app.js';
import { ConfigError, loadConfig } from '../../bot/config.js';
import { loadOrganisations, parseOrganisations } from '../../bot/organisations.js';
import { TWO_ORGANISATIONS } from '../support/organisations.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const [BOLTON, WIGAN] = TWO_ORGANISATIONS.organisations as unknown as [Record<string, unknown>, Record<string, unknown>];

function problemsOf(entries: unknown): string[] {
  try {
    parseOrganisations(JSON.stringify(entries));
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return (error as ConfigError).message.split('\n').slice(1).map((l) => l.trim());
  }
  throw new Error('expected a ConfigError');
}

describe('the organisations file', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'esr-orgfile-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('reads each organisation with its hours parsed like OFFICE_HOURS, the first being the default', () => {
    const orgs = parseOrganisations(JSON.stringify(TWO_ORGANISATIONS));
    expect(orgs.all().map((o) => o.code)).to.deep.equal(['241', '242']);
    expect(orgs.default.code).to.equal('241');
    expect(orgs.get('242')).to.deep.include({ trustName: 'Wigan Teaching Hospitals', workforcePhone: '01942 000000', defaultLanguage: 'cy-GB', officeHours: { days: [6, 0], opensAt: 600, closesAt: 840 } });
    expect(orgs.forUsername('242ABC01').code).to.equal('242');
    expect(orgs.forUsername('999ABC01').code, 'an unknown code falls back to the first').to.equal('241');
    expect(orgs.forRecord({ username: '241ABC01', organisationCode: '242' }).code, 'the record\'s own code wins').to.equal('242');
  });

  it('accepts a bare list of organisations too, defaulting the time zone and language', () => {
    const { timeZone: _tz, defaultLanguage: _lang, ...bare } = WIGAN;
    const orgs = parseOrganisations(JSON.stringify([bare]));
    expect(orgs.default).to.deep.include({ code: '242', timeZone: 'Europe/London', defaultLanguage: 'en-GB' });
  });

  it('names the entry and field of every bad value at once', () => {
    const problems = problemsOf({
      organisations: [
        BOLTON,
        { ...WIGAN, workforceEmail: 'not-an-email', officeHours: '9 to 5' },
        { ...WIGAN, code: '24', timeZone: 'Mars/Base', defaultLanguage: 'fr-FR', colour: 'blue' },
        { ...BOLTON, trustName: undefined },
        BOLTON,
      ],
    });
    expect(problems).to.include('organisations.json: entry 2 ("242") workforceEmail should be an email address');
    expect(problems).to.include('organisations.json: entry 2 ("242") officeHours should look like "Mon-Fri 09:00-17:00" (got "9 to 5")');
    expect(problems).to.include('organisations.json: entry 3 ("24") code should be the three-digit ESR organisation code, like "242"');
    expect(problems).to.include('organisations.json: entry 3 ("24") timeZone should be an IANA time zone, like Europe/London');
    expect(problems).to.include('organisations.json: entry 3 ("24") defaultLanguage should be en-GB or cy-GB');
    expect(problems).to.include('organisations.json: entry 3 ("24") has unknown field(s) colour');
    expect(problems).to.include('organisations.json: entry 4 ("241") trustName is required');
    expect(problems).to.include('organisations.json: entry 5 ("241") code repeats entry 1\'s');
  });

  it('refuses a file that is not JSON, or lists no organisations', () => {
    expect(() => parseOrganisations('{ nope')).to.throw(ConfigError, /organisations\.json: is not valid JSON/);
    expect(problemsOf({ organisations: [] })).to.deep.equal(['organisations.json: should be a list of organisations (see README "Organisations"), with at least one entry']);
  });

  it('without the file, describes the one organisation from the settings, with the same values as before', async () => {
    const config = loadConfig({ DATA_DIR: dataDir, ESR_ORG_CODE: '300', TRUST_NAME: 'Some Trust', OFFICE_HOURS: 'Mon-Thu 08:00-16:00' });
    const orgs = await loadOrganisations(config);
    expect(orgs.all()).to.have.length(1);
    expect(orgs.default).to.deep.include({ code: '300', trustName: 'Some Trust', workforceEmail: config.WORKFORCE_EMAIL, timeZone: 'Europe/London' });
    expect(organisationValues(orgs.default, config)).to.deep.equal(trustValues(config));
    expect(trustValues(config)).to.deep.include({ orgCode: '300', trustName: 'Some Trust', officeHours: 'Monday to Thursday, 8am to 4pm' });
  });

  it('reads the file ORGANISATIONS_FILE names (inside DATA_DIR when relative), and refuses one that is missing', async () => {
    await writeFile(join(dataDir, 'orgs.json'), JSON.stringify(TWO_ORGANISATIONS));
    expect((await loadOrganisations(loadConfig({ DATA_DIR: dataDir, ORGANISATIONS_FILE: 'orgs.json' }))).all()).to.have.length(2);
    const missing = await loadOrganisations(loadConfig({ DATA_DIR: dataDir, ORGANISATIONS_FILE: 'gone.json' })).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(missing).to.be.instanceOf(ConfigError);
    expect((missing as ConfigError).message).to.contain('ORGANISATIONS_FILE names').and.contain('gone.json').and.contain('ENOENT');
  });

  it('stops `npm start` with exit code 1 and the bad entry named, without a stack trace', async function () {
    this.timeout(30_000);
    await writeFile(join(dataDir, 'organisations.json'), JSON.stringify([BOLTON, { ...WIGAN, workforceEmail: 'nope' }]));
    const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'bot/index.ts'], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, PORT: '0', SEED_DEMO_DATA: 'false' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.stdout.resume();
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).to.equal(1);
    expect(stderr).to.contain('organisations.json: entry 2 ("242") workforceEmail should be an email address');
    expect(stderr).not.to.match(/\n\s+at /);
  });
});
