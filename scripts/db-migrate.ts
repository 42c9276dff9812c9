// `npm run db:migrate`: applies the PostgreSQL migrations (storage/postgres/migrations) to DATABASE_URL and
// nothing else, and says what it applied. The bot applies them at start-up too; this is for a deployment
// that migrates before it starts new instances. Exit codes: 0 done (or nothing to do); 2 it could not.
import { config as loadDotenv } from 'dotenv';
import { loadConfig } from '../bot/config.js';
import { migrate } from '../storage/postgres/migrate.js';
import { createPool, describeDatabaseUrl } from '../storage/postgres/pool.js';

async function main(): Promise<number> {
  // The same .env as the bot, so this migrates the database the bot uses.
  loadDotenv({ quiet: true });
  const { DATABASE_URL } = loadConfig(process.env);
  if (!DATABASE_URL) {
    console.error('DATABASE_URL is not set: the bot keeps its data in files in DATA_DIR, so there is nothing to migrate.');
    return 2;
  }
  const where = describeDatabaseUrl(DATABASE_URL);
  const pool = createPool(DATABASE_URL, { applicationName: 'esr-helpdesk-migrate', max: 1 });
  try {
    const applied = await migrate(pool);
    if (applied.length === 0) console.log(`${where}: the schema is up to date; nothing to apply.`);
    for (const m of applied) console.log(`${where}: applied ${String(m.version).padStart(3, '0')}_${m.name}`);
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Could not migrate: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
