// Settings: defaults, every bad value refused by name, production's extra demands; then the real entry
// point started as a child process, the way `npm start` runs it.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { parse as parseDotenv } from 'dotenv';
import { ConfigError, configSchema, loadConfig } from '../../bot/config.js';
import { packageSettingsSchema } from '../../scripts/package.js';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const APP_ID = '11111111-2222-4333-8444-555555555555';
const TENANT_ID = '66666666-7777-4888-9999-000000000000';

function configErrorOf(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).to.be.instanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  describe('with nothing set', () => {
    // The Bot Framework credentials and SMTP have no sensible default; WORKFORCE_PHONE falls back to the
    // Workforce email where it is shown (bot/app.ts trustValues). The dashboard's agent group is optional, and
    // its key set URL's default depends on the tenant (web/dashboard/auth.ts).
    const WITHOUT_DEFAULT = ['MicrosoftAppId', 'MicrosoftAppPassword', 'MicrosoftAppTenantId', 'SMTP_URL', 'DATABASE_URL', 'WORKFORCE_PHONE', 'DASHBOARD_AGENT_GROUP', 'ENTRA_JWKS_URL', 'ESR_AUTOMATION_URL', 'ESR_AUTOMATION_SECRET'];

    it('gives every other setting a default', () => {
      const config = loadConfig({}) as Record<string, unknown>;
      for (const setting of Object.keys(configSchema.shape)) {
        if (WITHOUT_DEFAULT.includes(setting)) expect(config[setting], setting).to.equal(undefined);
        else expect(config[setting], setting).to.not.equal(undefined);
      }
    });

    it('runs as a local development bot on port 3978, Monday to Friday 9 to 5, London time', () => {
      const config = loadConfig({});
      expect(config).to.include({
        NODE_ENV: 'development',
        PORT: 3978,
        PUBLIC_URL: 'http://localhost:3978',
        MicrosoftAppType: 'SingleTenant',
        ESR_ORG_CODE: '241',
        TIME_ZONE: 'Europe/London',
        LOCALE: 'en-GB',
        MAX_FAILED_SIGNINS: 5,
        RESET_LINK_HOURS: 4,
        SEED_DEMO_DATA: true,
        LOG_LEVEL: 'info',
      });
      expect(config.TRUST_PROXY, 'no proxy trusted').to.deep.equal({ hops: 0 });
      expect(config.OFFICE_HOURS).to.deep.equal({ days: [1, 2, 3, 4, 5], opensAt: 9 * 60, closesAt: 17 * 60 });
    });

    it('treats empty values as unset, so .env.example (which shows every default) changes nothing', async () => {
      const example = parseDotenv(await readFile(join(PROJECT_ROOT, '.env.example'), 'utf8'));
      // The bot's settings, then the ones only `npm run package` reads (it also reads some of the bot's).
      const packageOnly = Object.keys(packageSettingsSchema.shape).filter((k) => !(k in configSchema.shape));
      expect(Object.keys(example)).to.have.members([...Object.keys(configSchema.shape), ...packageOnly]);
      const withoutUnset = (config: object) => Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined));
      const botPart = Object.fromEntries(Object.entries(example).filter(([k]) => k in configSchema.shape));
      expect(withoutUnset(loadConfig(botPart))).to.deep.equal(withoutUnset(loadConfig({})));
    });
  });

  it('builds the default PUBLIC_URL from PORT, so emailed links follow a changed port', () => {
    expect(loadConfig({ PORT: '8080' }).PUBLIC_URL).to.equal('http://localhost:8080');
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: '' }).PUBLIC_URL).to.equal('http://localhost:8080');
    expect(loadConfig({ PORT: '8080', PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk/' }).PUBLIC_URL).to.equal('https://esr-helpdesk.example.nhs.uk');
  });

  it('seeds demo staff by default on a laptop but never by default in production', () => {
    expect(loadConfig({}).SEED_DEMO_DATA).to.equal(true);
    const production = { NODE_ENV: 'production', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppTenantId: APP_ID, PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk' };
    expect(loadConfig(production).SEED_DEMO_DATA).to.equal(false);
    expect(loadConfig({ ...production, SEED_DEMO_DATA: 'true' }).SEED_DEMO_DATA).to.equal(true);
  });

  it('accepts good values of each kind', () => {
    const config = loadConfig({
      PORT: '8080',
      PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk/',
      SMTP_URL: 'smtps://user:pass@mail.example.nhs.uk:465',
      OFFICE_HOURS: 'Sat-Mon 08:30-12:00',
      TIME_ZONE: 'Europe/Dublin',
      SEED_DEMO_DATA: 'no',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'client-secret',
      MicrosoftAppTenantId: TENANT_ID,
    });
    expect(config.PORT).to.equal(8080);
    expect(config.PUBLIC_URL).to.equal('https://esr-helpdesk.example.nhs.uk');
    expect(config.SMTP_URL).to.equal('smtps://user:pass@mail.example.nhs.uk:465');
    expect(config.OFFICE_HOURS).to.deep.equal({ days: [6, 0, 1], opensAt: 8 * 60 + 30, closesAt: 12 * 60 });
    expect(config.SEED_DEMO_DATA).to.equal(false);
  });

  it('accepts DATABASE_URL as a postgres:// or postgresql:// URL, sslmode included', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://bot:pw@db.example.nhs.uk:5432/esr?sslmode=require' }).DATABASE_URL).to.equal('postgres://bot:pw@db.example.nhs.uk:5432/esr?sslmode=require');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db.example/esr' }).DATABASE_URL).to.equal('postgresql://db.example/esr');
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).to.equal(undefined);
  });

  it('reads TRUST_PROXY as a number of proxies or their addresses', () => {
    expect(loadConfig({ TRUST_PROXY: '1' }).TRUST_PROXY).to.deep.equal({ hops: 1 });
    expect(loadConfig({ TRUST_PROXY: '10.0.0.5,10.1.0.0/16' }).TRUST_PROXY).to.deep.equal({ proxies: ['10.0.0.5', '10.1.0.0/16'] });
  });

  describe('refuses a bad value with a ConfigError that names the setting', () => {
    const cases: Array<[setting: string, value: string]> = [
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PUBLIC_URL', 'not-a-url'],
      ['SMTP_URL', 'http://x'],
      ['DATABASE_URL', 'mysql://db.example/esr'],
      ['DATABASE_URL', 'esr_helpdesk'],
      ['ESR_ORG_CODE', '24'],
      ['OFFICE_HOURS', '9-5'],
      ['OFFICE_HOURS', 'Mon-Fri 17:00-09:00'],
      ['TIME_ZONE', 'Mars/Base'],
      ['WORKFORCE_EMAIL', 'nope'],
      ['MAX_FAILED_SIGNINS', '0'],
      ['LOG_LEVEL', 'loud'],
      ['SEED_DEMO_DATA', 'maybe'],
      ['TRUST_PROXY', 'maybe'],
      ['TRUST_PROXY', '10.0.0.0/40'],
      ['DATABASE_POOL_SIZE', '1'],
      ['DATABASE_LOCK_POOL_SIZE', 'many'],
    ];
    for (const [setting, value] of cases) {
      it(`${setting}=${value}`, () => {
        const error = configErrorOf({ [setting]: value });
        expect(error.problems.map((p) => p.setting)).to.deep.equal([setting]);
        expect(error.message).to.contain(setting);
      });
    }

    it('and lists every bad setting at once, not just the first', () => {
      const error = configErrorOf({ PORT: 'abc', LOG_LEVEL: 'loud' });
      expect(error.problems.map((p) => p.setting)).to.have.members(['PORT', 'LOG_LEVEL']);
    });
  });

  describe('in production', () => {
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk' };
    const credentials = { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'client-secret', MicrosoftAppTenantId: TENANT_ID };

    it('starts with credentials, a tenant and an https address', () => {
      expect(loadConfig({ ...production, ...credentials }).NODE_ENV).to.equal('production');
    });

    it('refuses to start without the app id and password, naming both', () => {
      const error = configErrorOf({ ...production, MicrosoftAppTenantId: TENANT_ID });
      const settings = error.problems.map((p) => p.setting);
      expect(settings).to.include.members(['MicrosoftAppId', 'MicrosoftAppPassword']);
      expect(error.message).to.contain('MicrosoftAppId').and.contain('MicrosoftAppPassword');
    });

    it('refuses a SingleTenant bot without MicrosoftAppTenantId', () => {
      const { MicrosoftAppTenantId: _tenant, ...withoutTenant } = credentials;
      const error = configErrorOf({ ...production, ...withoutTenant, MicrosoftAppType: 'SingleTenant' });
      expect(error.problems.map((p) => p.setting)).to.deep.equal(['MicrosoftAppTenantId']);
    });

    it('lets a MultiTenant bot start without a tenant id, given the tenants it allows', () => {
      const { MicrosoftAppTenantId: _tenant, ...withoutTenant } = credentials;
      const config = loadConfig({ ...production, ...withoutTenant, MicrosoftAppType: 'MultiTenant', ALLOWED_TENANT_IDS: ` ${TENANT_ID.toUpperCase()} , ${APP_ID}` });
      expect(config.MicrosoftAppType).to.equal('MultiTenant');
      expect(config.ALLOWED_TENANT_IDS).to.deep.equal([TENANT_ID, APP_ID]);
    });

    it('refuses an http:// PUBLIC_URL, since reset links go out by email', () => {
      const error = configErrorOf({ ...production, ...credentials, PUBLIC_URL: 'http://esr-helpdesk.example.nhs.uk' });
      expect(error.problems.map((p) => p.setting)).to.deep.equal(['PUBLIC_URL']);
    });
  });
});

describe('the Bot Framework credentials, in every combination the SDK would otherwise crash on', () => {
  const OTHER_TENANT = '0b4f1a2c-3d4e-4f50-8a6b-7c8d9e0f1a2b';
  // Each is refused in development too: the SDK asserts these when the adapter is built.
  const cases: Array<{ name: string; env: Record<string, string>; settings: string[]; says: RegExp }> = [
    { name: 'a SingleTenant app id without a tenant id', env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' }, settings: ['MicrosoftAppTenantId'], says: /MicrosoftAppTenantId is required with MicrosoftAppId for a SingleTenant bot/ },
    { name: 'a SingleTenant app id without a password', env: { MicrosoftAppId: APP_ID, MicrosoftAppTenantId: TENANT_ID }, settings: ['MicrosoftAppPassword'], says: /MicrosoftAppPassword is required/ },
    { name: 'a MultiTenant app id without a password', env: { MicrosoftAppType: 'MultiTenant', MicrosoftAppId: APP_ID, ALLOWED_TENANT_IDS: TENANT_ID }, settings: ['MicrosoftAppPassword'], says: /MicrosoftAppPassword is required/ },
    { name: 'a password without an app id', env: { MicrosoftAppPassword: 'secret' }, settings: ['MicrosoftAppId'], says: /MicrosoftAppId is required when MicrosoftAppPassword is set/ },
    { name: 'UserAssignedMSI without the managed identity\'s client id', env: { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT_ID }, settings: ['MicrosoftAppId'], says: /managed identity's client id/ },
    { name: 'UserAssignedMSI without a tenant id', env: { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: APP_ID }, settings: ['MicrosoftAppTenantId'], says: /MicrosoftAppTenantId is required for UserAssignedMSI/ },
    { name: 'UserAssignedMSI with a client secret', env: { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: APP_ID, MicrosoftAppTenantId: TENANT_ID, MicrosoftAppPassword: 'secret' }, settings: ['MicrosoftAppPassword'], says: /must be empty for UserAssignedMSI/ },
    { name: 'MultiTenant without the tenants it allows', env: { MicrosoftAppType: 'MultiTenant', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' }, settings: ['ALLOWED_TENANT_IDS'], says: /ALLOWED_TENANT_IDS is required for a MultiTenant bot/ },
    { name: 'allowed tenants on a SingleTenant bot', env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppTenantId: TENANT_ID, ALLOWED_TENANT_IDS: OTHER_TENANT }, settings: ['ALLOWED_TENANT_IDS'], says: /only for MultiTenant bots/ },
    { name: 'an allowed tenant that is not a GUID', env: { MicrosoftAppType: 'MultiTenant', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', ALLOWED_TENANT_IDS: `${TENANT_ID},contoso.onmicrosoft.com` }, settings: ['ALLOWED_TENANT_IDS'], says: /not valid: "contoso.onmicrosoft.com"/ },
    { name: 'an app id that is not a GUID', env: { MicrosoftAppId: 'not-a-guid', MicrosoftAppPassword: 'secret', MicrosoftAppTenantId: TENANT_ID }, settings: ['MicrosoftAppId'], says: /MicrosoftAppId should be a GUID/ },
    { name: 'a tenant id that is not a GUID', env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppTenantId: 'nhs-trust.example' }, settings: ['MicrosoftAppTenantId'], says: /should be your Entra tenant id, a GUID/ },
  ];
  for (const c of cases) {
    it(`refuses ${c.name}, naming ${c.settings.join(' and ')}`, () => {
      const error = configErrorOf(c.env);
      expect(error.problems.map((p) => p.setting)).to.deep.equal(c.settings);
      expect(error.message).to.match(c.says);
    });
  }

  it('accepts each app type when it has what it needs', () => {
    expect(loadConfig({ MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', MicrosoftAppTenantId: TENANT_ID }).MicrosoftAppType).to.equal('SingleTenant');
    expect(loadConfig({ MicrosoftAppType: 'MultiTenant', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret', ALLOWED_TENANT_IDS: TENANT_ID }).MicrosoftAppType).to.equal('MultiTenant');
    expect(loadConfig({ MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppId: APP_ID, MicrosoftAppTenantId: TENANT_ID }).MicrosoftAppType).to.equal('UserAssignedMSI');
  });

  it('names a setting only once when production and the app type both want it', () => {
    const error = configErrorOf({ NODE_ENV: 'production', PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk', MicrosoftAppId: APP_ID });
    expect(error.problems.map((p) => p.setting)).to.deep.equal(['MicrosoftAppPassword', 'MicrosoftAppTenantId']);
  });
});

// ---- The real entry point, as `npm start` runs it -------------------------------------------------------

interface Started {
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the exit code (or the signal's name) once the process has ended. */
  exited: Promise<number | string>;
  /** Resolves with the first stdout line matching, rejects if the process ends first. */
  lineMatching(pattern: RegExp): Promise<string>;
  stop(): Promise<number | string>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function startEntryPoint(env: Record<string, string>): Started {
  const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'bot/index.ts'], {
    cwd: PROJECT_ROOT,
    // A clean environment: nothing from the test run's own settings leaks into the bot's.
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), TMPDIR: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const watchers: Array<() => void> = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    watchers.forEach((w) => w());
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    stdout: () => out,
    stderr: () => err,
    exited,
    lineMatching: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const line = out.split('\n').find((l) => pattern.test(l));
          if (line !== undefined) resolve(line);
        };
        watchers.push(check);
        check();
        void exited.then((code) => reject(new Error(`the bot exited (${code}) before logging ${String(pattern)}:\n${err}`)));
      }),
    stop: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

describe('starting the bot with `npm start` (bot/index.ts in a child process)', function () {
  this.timeout(30_000);
  let dataDir: string;
  let started: Started | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'esr-start-'));
  });
  afterEach(async () => {
    await started?.stop();
    started = undefined;
    await rm(dataDir, { recursive: true, force: true });
  });

  const baseEnv = () => ({ DATA_DIR: dataDir, PORT: '0', SEED_DEMO_DATA: 'false' });

  it('exits non-zero, naming the setting, when a value is bad (PORT=abc)', async () => {
    started = startEntryPoint({ ...baseEnv(), PORT: 'abc' });
    expect(await started.exited).to.not.equal(0);
    expect(started.stderr()).to.contain('PORT');
  });

  it('exits non-zero, naming MicrosoftAppId, in production without credentials', async () => {
    started = startEntryPoint({ ...baseEnv(), NODE_ENV: 'production', PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk' });
    expect(await started.exited).to.not.equal(0);
    expect(started.stderr()).to.contain('MicrosoftAppId');
  });

  // These once reached the SDK, which crashed with a stack trace instead of naming the setting.
  const crashers: Array<{ name: string; env: Record<string, string>; setting: string }> = [
    { name: 'an app id without a tenant id', env: { MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' }, setting: 'MicrosoftAppTenantId' },
    { name: 'UserAssignedMSI without its client id', env: { MicrosoftAppType: 'UserAssignedMSI', MicrosoftAppTenantId: TENANT_ID }, setting: 'MicrosoftAppId' },
    { name: 'MultiTenant without the tenants it allows', env: { MicrosoftAppType: 'MultiTenant', MicrosoftAppId: APP_ID, MicrosoftAppPassword: 'secret' }, setting: 'ALLOWED_TENANT_IDS' },
  ];
  for (const c of crashers) {
    it(`exits 1, naming ${c.setting} and printing no stack trace, given ${c.name}`, async () => {
      started = startEntryPoint({ ...baseEnv(), ...c.env });
      expect(await started.exited).to.equal(1);
      expect(started.stderr()).to.contain(c.setting);
      expect(started.stderr()).to.not.match(/\n\s+at /);
    });
  }

  it('exits non-zero, naming the file, when staff.json is corrupt, and leaves the file as it was', async () => {
    const staffFile = join(dataDir, 'staff.json');
    await writeFile(staffFile, '{not json');
    started = startEntryPoint(baseEnv());
    expect(await started.exited).to.not.equal(0);
    expect(started.stderr()).to.contain(staffFile);
    expect(await readFile(staffFile, 'utf8')).to.equal('{not json');
  });

  it('logs one JSON line saying it is listening, and stops cleanly on SIGTERM', async () => {
    started = startEntryPoint(baseEnv());
    const line = await started.lineMatching(/listening/);
    const entry = JSON.parse(line) as { level: number; msg: string; endpoint: string };
    expect(entry.msg).to.contain('listening');
    expect(entry.endpoint).to.match(/^http:\/\/localhost:\d+\/api\/messages$/);
    const code = await started.stop();
    expect(code, started.stdout() + started.stderr()).to.equal(0);
    expect(started.stdout().split('\n').filter((l) => l.startsWith('{') && l.includes('listening'))).to.have.length(1);
    expect(started.stderr()).to.equal('');
  });

  it('prints one plain summary line: mode, port, public URL, data, store and mail, with the emulator hint', async () => {
    const port = await freePort();
    started = startEntryPoint({ ...baseEnv(), PORT: String(port) });
    const summary = await started.lineMatching(/^ESR Helpdesk: /);
    // With PORT changed and no PUBLIC_URL, the public URL (and so every emailed link) follows the port.
    expect(summary).to.equal(`ESR Helpdesk: development mode, ESR simulated (a training copy), listening on port ${port}, public URL http://localhost:${port}, data in ${dataDir}, embedded store, mail written to ${dataDir}/outbox`);
    await started.lineMatching(/npm run playground/);
    expect(await started.stop()).to.equal(0);
    expect(started.stdout().split('\n').filter((l) => l.startsWith('ESR Helpdesk: '))).to.have.length(1);
  });

  it('leaves out the emulator hint in production', async () => {
    started = startEntryPoint({
      ...baseEnv(),
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://esr-helpdesk.example.nhs.uk',
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppTenantId: TENANT_ID,
      SMTP_URL: 'smtp://user:secret-password@127.0.0.1:1',
    });
    const summary = await started.lineMatching(/^ESR Helpdesk: /);
    expect(summary).to.match(/^ESR Helpdesk: production mode, ESR guided, listening on port \d+, public URL https:\/\/esr-helpdesk\.example\.nhs\.uk, /);
    expect(summary).to.contain('mail sent through smtp://127.0.0.1:1').and.not.contain('secret-password');
    await started.lineMatching(/listening/);
    expect(await started.stop()).to.equal(0);
    expect(started.stdout()).to.not.contain('playground');
  });
});
