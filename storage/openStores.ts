// Opens the stores behind the ESR and tickets ports: files in DATA_DIR (lowdb, JSON Lines, screenshot files)
// by default, or PostgreSQL when DATABASE_URL is set, with its migrations applied first. Bot state, the
// agents' queues and the once-registry are not ports yet and stay in DATA_DIR either way.
import { join } from 'node:path';
import type { Config } from '../bot/config.js';
import type { MailQueueStore } from '../mail/mailQueue.js';
import type { AccountStore, AuditLog, StaffDirectory, TokenStore } from '../esr/ports.js';
import type { PrunableRateLimitStore } from '../esr/rateLimiter.js';
import type { ScreenshotStore, TicketStore } from '../tickets/ports.js';
import type { UsageLog } from '../tickets/usage.js';
import { FileMailQueue } from './fileMailQueue.js';
import { FileScreenshotStore } from './fileScreenshotStore.js';
import { JsonlAuditLog } from './jsonlAuditLog.js';
import type { TornTail } from './jsonLines.js';
import { JsonlUsageLog } from './jsonlUsageLog.js';
import { LowdbAccountStore } from './lowdbAccountStore.js';
import { LowdbRateLimitStore } from './lowdbRateLimitStore.js';
import { LowdbStaffDirectory } from './lowdbStaffDirectory.js';
import { LowdbTicketStore } from './lowdbTicketStore.js';
import { LowdbTokenStore } from './lowdbTokenStore.js';
import { migrate, type Migration } from './postgres/migrate.js';
import { PgAccountStore } from './postgres/pgAccountStore.js';
import { PgAuditLog } from './postgres/pgAuditLog.js';
import { PgMailQueue } from './postgres/pgMailQueue.js';
import { PgRateLimitStore } from './postgres/pgRateLimitStore.js';
import { PgScreenshotStore } from './postgres/pgScreenshotStore.js';
import { PgStaffDirectory } from './postgres/pgStaffDirectory.js';
import { PgTicketStore } from './postgres/pgTicketStore.js';
import { PgTokenStore } from './postgres/pgTokenStore.js';
import { PgUsageLog } from './postgres/pgUsageLog.js';
import { createPool, describeDatabaseUrl } from './postgres/pool.js';

export interface Stores {
  /** Where they are, for the start-up line: "embedded store" or the database URL without its password. */
  description: string;
  staff: StaffDirectory;
  accounts: AccountStore;
  tokens: TokenStore;
  audit: AuditLog;
  limits: PrunableRateLimitStore;
  tickets: TicketStore;
  screenshots: ScreenshotStore;
  usage: UsageLog;
  /** The durable mail queue (MailOutbox's store): shared by every instance on PostgreSQL. */
  mailQueue: MailQueueStore;
  /** Migrations applied at this start-up (PostgreSQL only). */
  migrated: Migration[];
  /**
   * Follows changes another process (the staff import) makes to the directory; returns a stop function.
   * PostgreSQL reads the table on every lookup, so there is nothing to follow.
   */
  watchStaff(intervalMs: number, onReload: (error?: unknown) => void): () => void;
  close(): Promise<void>;
}

export interface OpenStoresOptions {
  /** DATA_DIR, resolved. */
  dataDir: string;
  /** Told when a JSON Lines file's torn last line was repaired (embedded only). */
  onTornTail?: (tail: TornTail) => void;
  /** Told of errors on idle database connections (PostgreSQL only). */
  onDatabaseError?: (error: Error) => void;
}

export function openStores(config: Pick<Config, 'DATABASE_URL'>, options: OpenStoresOptions): Promise<Stores> {
  return config.DATABASE_URL ? openPostgres(config.DATABASE_URL, options) : openEmbedded(options);
}

async function openEmbedded({ dataDir, onTornTail }: OpenStoresOptions): Promise<Stores> {
  const lines = onTornTail ? { onTornTail } : {};
  // The large, cold staff directory apart from the small, hot files.
  const staff = await LowdbStaffDirectory.open(join(dataDir, 'staff.json'));
  return {
    description: 'embedded store',
    staff,
    accounts: await LowdbAccountStore.open(join(dataDir, 'accounts.json')),
    tokens: await LowdbTokenStore.open(join(dataDir, 'tokens.json')),
    audit: await new JsonlAuditLog(join(dataDir, 'audit.jsonl'), lines).init(),
    limits: await LowdbRateLimitStore.open(join(dataDir, 'limits.json')),
    tickets: await LowdbTicketStore.open(join(dataDir, 'tickets.json')),
    screenshots: await FileScreenshotStore.open(join(dataDir, 'screenshots')),
    usage: await new JsonlUsageLog(join(dataDir, 'usage.jsonl'), lines).init(),
    mailQueue: await FileMailQueue.open(join(dataDir, 'mail-queue.json')),
    migrated: [],
    watchStaff: (intervalMs, onReload) => staff.watch(intervalMs, onReload),
    close: () => Promise.resolve(),
  };
}

async function openPostgres(url: string, { onDatabaseError }: OpenStoresOptions): Promise<Stores> {
  const pool = createPool(url, onDatabaseError ? { onError: onDatabaseError } : {});
  let migrated: Migration[];
  try {
    migrated = await migrate(pool);
  } catch (error) {
    await pool.end();
    throw new Error(`Could not open the database at ${describeDatabaseUrl(url)} (DATABASE_URL): ${(error as Error).message}`, { cause: error });
  }
  return {
    description: `PostgreSQL at ${describeDatabaseUrl(url)}`,
    staff: new PgStaffDirectory(pool),
    accounts: new PgAccountStore(pool),
    tokens: new PgTokenStore(pool),
    audit: new PgAuditLog(pool),
    limits: new PgRateLimitStore(pool),
    tickets: new PgTicketStore(pool),
    screenshots: new PgScreenshotStore(pool),
    usage: new PgUsageLog(pool),
    mailQueue: new PgMailQueue(pool),
    migrated,
    watchStaff: () => () => undefined,
    close: () => pool.end(),
  };
}
