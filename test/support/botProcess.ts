// The real helpdesk as a separate process (`bot/index.ts`, as `npm start` runs it) on a free port, with auth
// off (development mode, as the benchmark runs it): for tests that need what only separate processes show,
// such as an instance killed with SIGKILL. Its output is kept for when it fails.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface BotProcess {
  url: string;
  child: ChildProcess;
  /** Every line it wrote (stdout and stderr). */
  output: string[];
  readonly exited: boolean;
  /** Resolves once /healthz answers 200; rejects if the process exits first or `timeoutMs` passes. */
  healthy(timeoutMs?: number): Promise<void>;
  /** SIGKILL: no shutdown at all, as a crash or a pulled plug. Resolves once the process is gone. */
  killHard(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s), then removes its data folder. */
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/** `compiled`: a `dist/bot/index.js` that `npm run build` made (relative to the project), run by plain node. */
export async function startBotProcess(env: Record<string, string>, options: { compiled?: string } = {}): Promise<BotProcess> {
  const port = await freePort();
  const dataDir = await mkdtemp(join(tmpdir(), 'esr-bot-process-'));
  const args = options.compiled ? ['--disable-warning=DEP0111', options.compiled] : ['--import', 'tsx', '--disable-warning=DEP0111', 'bot/index.ts'];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'development', MicrosoftAppId: '', MicrosoftAppPassword: '', SMTP_URL: '', LOG_LEVEL: 'warn', SEED_DEMO_DATA: 'false', DATA_DIR: dataDir, ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let exited = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));
  const collect = (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter((l) => l.trim()));
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    child,
    output,
    get exited() {
      return exited;
    },
    async healthy(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exited) throw new Error(`the bot exited while starting:\n  ${output.join('\n  ')}`);
        const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
        if (ok) return;
        if (Date.now() > deadline) throw new Error(`the bot was not healthy after ${timeoutMs / 1000} s:\n  ${output.join('\n  ')}`);
        // Polling /healthz, as a load balancer does; the only way to see a separate process become ready.
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async killHard() {
      if (!exited) child.kill('SIGKILL');
      await gone;
    },
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await gone;
        clearTimeout(timer);
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
