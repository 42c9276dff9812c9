// Entry point for `npm start`: read settings, build the app, listen, and shut down cleanly on a signal.
// Anything wrong at start-up (a bad setting, an unreadable data file) is reported plainly and exits 1.
import { config as loadDotenv } from 'dotenv';
import { ContentError } from '../content/content.js';
import { DataFileError } from '../storage/atomicJsonFile.js';
import { createHelpdesk } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createLogger } from './logger.js';
import { startupSummary, summaryParts } from './startupSummary.js';
import { describeEsrMode } from './esrMode.js';

loadDotenv({ quiet: true });

let config: Config;
try {
  config = loadConfig(process.env);
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\nSee .env.example and the configuration table in README.md.\n`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger(config.LOG_LEVEL);
// Allowed only with ESR_SIMULATED_IN_PRODUCTION=true (a training deployment); said once, loudly.
if (config.ESR_MODE === 'simulated' && config.NODE_ENV === 'production') {
  logger.warn({ esrMode: config.ESR_MODE }, 'ESR_MODE=simulated in production (ESR_SIMULATED_IN_PRODUCTION=true): staff see a training copy of ESR; nothing they do changes a real ESR account');
}

try {
  const app = await createHelpdesk(config, { logger });
  const port = await app.listen();
  const endpoint = `http://localhost:${port}/api/messages`;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'Stopping: finishing work in progress');
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'Error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Said only once the signal handlers are in place: whoever waits for this line may stop us at once.
  const emulatorHint = config.NODE_ENV === 'production' ? '' : ' Try it in the Teams emulator: run "npm run playground" in another terminal and open http://localhost:56150.';
  logger.info(
    { endpoint, publicUrl: config.PUBLIC_URL, mail: app.mail.description, dataDir: config.DATA_DIR, auth: config.MicrosoftAppId ? 'on' : 'off (local only)', esrMode: config.ESR_MODE },
    `ESR Helpdesk is listening on ${endpoint}. ${describeEsrMode(config.ESR_MODE)}.${emulatorHint} Emails go to ${app.mail.description}.`,
  );
  // For the person at the terminal: one plain line among the JSON ones.
  process.stdout.write(`${startupSummary(summaryParts(config, { port, mail: app.mail.description }))}\n`);
} catch (error) {
  // A bad organisations file is a bad setting, found once DATA_DIR is known.
  if (error instanceof DataFileError || error instanceof ContentError || error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    process.stderr.write(`Port ${config.PORT} is already in use. Stop the other program or set PORT to a free port.\n`);
    process.exit(1);
  }
  throw error;
}
