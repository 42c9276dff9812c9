// `npm start` says which ESR mode it runs in, in words, and warns once when the training copy runs in
// production. The real entry point in a child process, as config.test.ts starts it.
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';

const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Starts bot/index.ts, waits for the "listening" line, stops it, and returns every JSON log line. */
async function startAndStop(env: Record<string, string>): Promise<Array<{ level: number; msg: string; esrMode?: string }>> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--disable-warning=DEP0111', 'bot/index.ts'], {
    cwd: PROJECT_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), TMPDIR: tmpdir(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string>((resolve) => child.on('close', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('listening')) resolve();
    });
    void exited.then((code) => reject(new Error(`the bot exited (${code}) before listening:\n${err}`)));
  });
  child.kill('SIGTERM');
  expect(await exited, err).to.equal(0);
  return out
    .split('\n')
    // The JSON log lines; the one plain summary line for people is checked elsewhere.
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: number; msg: string; esrMode?: string });
}

describe('the ESR mode at start-up (bot/index.ts in a child process)', function () {
  this.timeout(30_000);
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'esr-mode-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('says in the "listening" line that simulated mode is a training copy that changes no real ESR account, and warns of nothing', async () => {
    const lines = await startAndStop({ DATA_DIR: dataDir, PORT: '0', SEED_DEMO_DATA: 'false' });
    const listening = lines.find((l) => l.msg.includes('listening'))!;
    expect(listening.esrMode).to.equal('simulated');
    expect(listening.msg).to.contain('ESR mode: simulated — a training copy of ESR; nothing changes real ESR accounts');
    expect(lines.filter((l) => l.level === 40)).to.deep.equal([]);
  });

  it('starts simulated in production with ESR_SIMULATED_IN_PRODUCTION=true, and warns once', async () => {
    const lines = await startAndStop({
      DATA_DIR: dataDir,
      PORT: '0',
      NODE_ENV: 'production',
      MicrosoftAppId: '11111111-2222-4333-8444-555555555555',
      MicrosoftAppPassword: 'not-a-real-secret',
      MicrosoftAppTenantId: '66666666-7777-4888-9999-000000000000',
      PUBLIC_URL: 'https://esr-training.nhs-trust.example',
      ESR_MODE: 'simulated',
      ESR_SIMULATED_IN_PRODUCTION: 'true',
    });
    // Other warnings may come too (production without a dashboard group, say): one, and only one, is about the mode.
    const warnings = lines.filter((l) => l.level === 40 && /simulated|training copy/i.test(l.msg));
    expect(warnings).to.have.length(1);
    expect(warnings[0]!.msg).to.contain('ESR_MODE=simulated in production').and.contain('nothing they do changes a real ESR account');
    expect(lines.find((l) => l.msg.includes('listening'))?.esrMode).to.equal('simulated');
  });

  it('says guided in words when told ESR_MODE=guided', async () => {
    const lines = await startAndStop({ DATA_DIR: dataDir, PORT: '0', SEED_DEMO_DATA: 'false', ESR_MODE: 'guided' });
    expect(lines.find((l) => l.msg.includes('listening'))?.msg).to.contain('ESR mode: guided — staff are walked through ESR\'s own pages');
  });
});
