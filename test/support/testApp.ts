// Starts the real helpdesk (composition root, restify, CloudAdapter, lowdb) on a free port with its own
// temp data folder, next to a capture connector. Logs are kept in memory so tests can inspect them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createHelpdesk, type AppOptions, type HelpdeskApp } from '../../bot/app.js';
import { loadConfig } from '../../bot/config.js';
import { createLogger } from '../../bot/logger.js';
import { CaptureConnector } from './captureConnector.js';
import { TeamsUser } from './teamsUser.js';

export interface TestApp {
  app: HelpdeskApp;
  url: string;
  connector: CaptureConnector;
  dataDir: string;
  /** Every log line written so far, raw JSON text. */
  logs: string[];
  /** Resolves with the first log line (written already or yet to come) that contains `text`. */
  waitForLog(text: string, timeoutMs?: number): Promise<string>;
  user(options: { userId: string; aadObjectId?: string; name?: string; conversationId?: string }): TeamsUser;
  /**
   * Sets a demo person's username up for use from home, as they would at work with a smartcard (reset and
   * unlock links are only sent for usernames that are set up). One argon2 hash.
   */
  setUpAtWork(user: { aadObjectId: string }, username: string, password?: string): Promise<void>;
  /** Stops the server (keeping the data folder unless `keepData` is false). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

export async function startTestApp(
  options: { env?: Record<string, string>; dataDir?: string; connector?: CaptureConnector } & Partial<Omit<AppOptions, 'logger'>> = {},
): Promise<TestApp> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'esr-app-')));
  const logs: string[] = [];
  let logWaiters: Array<{ text: string; resolve: (line: string) => void }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      const line = chunk.toString('utf8');
      logs.push(line);
      logWaiters = logWaiters.filter((w) => (line.includes(w.text) ? (w.resolve(line), false) : true));
      done();
    },
  });
  const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, PORT: '0', PUBLIC_URL: 'http://localhost:3978', LOG_LEVEL: 'debug', ...options.env });
  const { env: _env, dataDir: _d, connector: _c, ...appOptions } = options;
  const app = await createHelpdesk(config, { ...appOptions, logger: createLogger('debug', sink) });
  const port = await app.listen(0);
  const connector = options.connector ?? (await new CaptureConnector().start());
  const url = `http://127.0.0.1:${port}`;
  return {
    app,
    url,
    connector,
    dataDir,
    logs,
    waitForLog: (text, timeoutMs = 5000) => {
      const found = logs.find((line) => line.includes(text));
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a log line containing "${text}"`)), timeoutMs);
        logWaiters.push({
          text,
          resolve: (line) => {
            clearTimeout(timer);
            resolve(line);
          },
        });
      });
    },
    user: (u) => new TeamsUser({ botUrl: url, connector, ...u }),
    setUpAtWork: async (user, username, password = SET_UP_AT_WORK_PASSWORD) => {
      await app.esr.registerInternetAccess({ identity: { entraObjectId: user.aadObjectId }, username, password, confirmPassword: password, actor: { kind: 'staff', id: user.aadObjectId }, channel: 'teams' });
    },
    stop: async ({ keepData = true } = {}) => {
      await app.close();
      if (!options.connector) await connector.stop();
      if (!keepData) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The password `setUpAtWork` gives, unless told otherwise. */
export const SET_UP_AT_WORK_PASSWORD = 'lighthouse gravel pepper tundra';

/** The demo people (see bot/demoStaff.ts) as Teams users. */
export const DEMO_USERS = {
  alex: { userId: '29:alex', aadObjectId: '00000000-0000-4000-8000-000000000020', name: 'Alex Demo' },
  bea: { userId: '29:bea', aadObjectId: '00000000-0000-4000-8000-000000000021', name: 'Bea Sample' },
  chris: { userId: '29:chris', aadObjectId: '00000000-0000-4000-8000-000000000022', name: 'Chris Test' },
  dana: { userId: '29:dana', aadObjectId: '00000000-0000-4000-8000-000000000023', name: 'Dana Example' },
  stranger: { userId: '29:stranger', aadObjectId: '00000000-0000-4000-8000-000000000099', name: 'Sam Stranger' },
} as const;
