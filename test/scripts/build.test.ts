// `npm run build` compiles the runtime to JavaScript for production, where start-up time counts (a second
// instance joining a load balancer, a restart): the compiled bot must start with plain node, find its
// templates, content and migrations beside its files, and answer a real turn.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { expect } from 'chai';
import { startBotProcess, type BotProcess } from '../support/botProcess.js';
import { CaptureConnector } from '../support/captureConnector.js';
import { replyText, TeamsUser } from '../support/teamsUser.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const run = promisify(execFile);

describe('npm run build', function () {
  this.timeout(120_000);
  // Inside the project, so the compiled files find node_modules as the real dist/ does.
  const out = `.dist-test-${randomBytes(4).toString('hex')}`;
  let bot: BotProcess | undefined;
  let connector: CaptureConnector | undefined;
  after(async () => {
    await bot?.stop();
    await connector?.stop();
    await rm(join(ROOT, out), { recursive: true, force: true });
  });

  it('makes a bot that starts with plain node and answers a chat turn from its compiled files', async () => {
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', out], { cwd: ROOT });
    await run(process.execPath, ['scripts/copy-runtime-assets.mjs', out], { cwd: ROOT });
    connector = await new CaptureConnector().start();
    bot = await startBotProcess({ SEED_DEMO_DATA: 'true' }, { compiled: `${out}/bot/index.js` });
    await bot.healthy(60_000);
    const health = (await (await fetch(`${bot.url}/healthz`)).json()) as { status: string; staff: number };
    expect(health).to.include({ status: 'ok' });
    expect(health.staff, 'the demo staff were seeded through the compiled stores').to.be.greaterThan(0);
    // A real turn through the compiled dialogs, content and card templates, its replies caught as Teams would.
    const teams = new TeamsUser({ botUrl: bot.url, connector: connector, userId: '29:build', aadObjectId: '00000000-0000-4000-8000-00000000b111', name: 'Build Test', conversationId: 'a:build' });
    const replies = await teams.say('password rules');
    expect(replies.map(replyText).join('\n'), bot.output.join('\n')).to.contain('12');
    expect(bot.output.join('\n')).to.not.match(/ENOENT|Cannot find module/);
  });
});
