// `npm run playground`: opens Microsoft 365 Agents Playground (the local Teams emulator) against the bot
// that `npm start` is running. Its users come from .m365agentsplayground.yml (the demo staff).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';

loadDotenv({ quiet: true });
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const port = process.env.PORT || '3978';
const playgroundPort = process.env.PLAYGROUND_PORT || '56150';
const endpoint = `http://localhost:${port}/api/messages`;

try {
  const res = await fetch(`http://localhost:${port}/healthz`);
  if (!res.ok) throw new Error(`health check answered ${res.status}`);
} catch (error) {
  console.error(`The bot is not answering on http://localhost:${port} (${error.message}).\nStart it first with "npm start" in another terminal, then run "npm run playground" again.`);
  process.exit(1);
}

const cli = join(dirname(createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/package.json')), 'cli.js');
console.log(`Teams emulator starting against ${endpoint}.\nOpen http://localhost:${playgroundPort} in your browser; you are "Alex Demo" (see README: demo staff).`);
const child = spawn(process.execPath, [cli, '-e', endpoint, '-c', 'msteams', '-p', playgroundPort, '--disable-telemetry'], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', APPLICATION_INSIGHTS_NO_STATSBEAT: 'true' },
});
child.on('exit', (code) => process.exit(code ?? 0));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
