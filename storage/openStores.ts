// Opens the stores behind the ESR, tickets and bot-state ports: files in DATA_DIR (lowdb, JSON Lines, screenshot
// files, the state journal) by default, or PostgreSQL when DATABASE_URL is set, with its migrations applied
// first. Everything the bot keeps follows DATABASE_URL except the .eml outbox (development mail: output, not
// shared data). On PostgreSQL the content overrides are shared through the database and copied into each
// instance's DATA_DIR/content (content/sharedOverrides.ts).
import { join } from 'node:path';
import type { Config } from '../bot/config.js';
import { inProcessLocks, type InstanceLocks } from '../core/locks.js';
import type { MailQueueStore } from '../mail/mailQueue.js';
import type { AutomationRequestStore } from '../esr/automation/ports.js';
import type { AccountStore, AuditLog, StaffDirectory, TokenStore } from '../esr/ports.js';
import type { PrunableRateLimitStore } from '../esr/rateLimiter.js';
import type { VersionedStateStore } from '../state/ports.js';
import type { ScreenshotStore, TicketStore, UploadStaging } from '../tickets/ports.js';
import type { QueueRegistry } from '../tickets/queues.js';
import { MemoryRecentTranscript, type RecentTranscriptStore } from '../tickets/recentTranscript.js';
import type { UsageLog } from '../tickets/usage.js';
import type { MissedLog } from '../understanding/missed.js';
import type { SharedOverrideStore } from '../content/sharedOverrides.js';
import { FileMailQueue } from './fileMailQueue.js';
import { FileScreenshotStore } from './fileScreenshotStore.js';
import { FileUploadStaging } from './fileUploadStaging.js';
import { JsonlAuditLog } from './jsonlAuditLog.js';
import { JsonlMissedLog } from './jsonlMissedLog.js';
import type { TornTail } from './jsonLines.js';
import { JsonlUsageLog } from './jsonlUsageLog.js';
import { LowdbAccountStore } from './lowdbAccountStore.js';
import { LowdbAutomationRequestStore } from './lowdbAutomationRequests.js';
import { LowdbQueueRegistry } from './lowdbQueueRegistry.js';
import { LowdbRateLimitStore } from './lowdbRateLimitStore.js';
import { LowdbStaffDirectory } from './lowdbStaffDirectory.js';
import { LowdbTicketStore } from './lowdbTicketStore.js';
import { LowdbTokenStore } from './lowdbTokenStore.js';
import { LowdbVersionedStore } from './lowdbVersionedStore.js';
import { FileSecretStore, type SecretStore } from './secrets.js';
import { migrate, type Migration } from './postgres/migrate.js';
import { PgAccountStore } from './postgres/pgAccountStore.js';
import { PgAuditLog } from './postgres/pgAuditLog.js';
import { PgContentOverrides } from './postgres/pgContentOverrides.js';
import { PgMailQueue } from './postgres/pgMailQueue.js';
import { PgAutomationRequestStore } from './postgres/pgAutomationRequests.js';
import { PgMissedLog } from './postgres/pgMissedLog.js';
import { PgQueueRegistry } from './postgres/pgQueueRegistry.js';
import { PgRecentTranscript } from './postgres/pgRecentTranscript.js';
import { PgLocks } from './postgres/pgLocks.js';
import { PgRateLimitStore } from './postgres/pgRateLimitStore.js';
import { PgScreenshotStore } from './postgres/pgScreenshotStore.js';
import { PgSecretStore } from './postgres/pgSecretStore.js';
import { PgStaffDirectory } from './postgres/pgStaffDirectory.js';
import { PgStateStore } from './postgres/pgStateStore.js';
import { PgTicketStore } from './postgres/pgTicketStore.js';
import { PgTokenStore } from './postgres/pgTokenStore.js';
import { PgUploadStaging } from './postgres/pgUploadStaging.js';
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
  /** Screenshots kept aside while a report is being written. */
  uploads: UploadStaging;
  usage: UsageLog;
  /** Conversation and user state, and the welcome-once marks. */
  state: VersionedStateStore;
  /** The durable mail queue (MailOutbox's store): shared by every instance on PostgreSQL. */
  mailQueue: MailQueueStore;
  /** The agents' channels ("use this channel") and which tickets each gets. */
  queues: QueueRegistry;
  /** What the bot could not answer (redacted), for the dashboard's unanswered questions. */
  missed: MissedLog;
  /** ESR_MODE=automation: the requests sent to the Trust's ESR automation and how each ended. */
  automationRequests: AutomationRequestStore;
  /** Each conversation's last messages, for a ticket's "transcript so far". */
  transcript: RecentTranscriptStore;
  /**
   * Turns of one conversation one at a time, periodic jobs on one instance at a time: within this process
   * (embedded), or across every instance on the database (PostgreSQL advisory locks).
   */
  locks: InstanceLocks;
  /** The secrets the bot makes for itself (the screenshot links' signing key): files in DATA_DIR, or one row each for every instance. */
  secrets: SecretStore;
  /** PostgreSQL only: the content overrides every instance shares (embedded, DATA_DIR/content alone holds them). */
  contentOverrides?: SharedOverrideStore;
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
  /** The app's clock: stamps state writes (for expiring idle state) and uploads kept aside (default: the system's). */
  now?: () => Date;
  /** Told when a turn waits for its conversation's previous turn on another instance (PostgreSQL only). */
  onTurnLockWait?: (conversationId: string) => void;
  /** How long a turn may wait for that before it fails (PostgreSQL only; default 10 s). */
  turnLockWaitMs?: number;
  /** How long a finished turn's lock stays parked on its connection (PostgreSQL; default PARK_MS). */
  turnLockParkMs?: number;
}

/** ESR_MODE, when given, says whether the ESR automation's request file is opened (and checked) at start-up. */
export function openStores(config: Pick<Config, 'DATABASE_URL'> & Partial<Pick<Config, 'ESR_MODE' | 'DATABASE_POOL_SIZE' | 'DATABASE_LOCK_POOL_SIZE'>>, options: OpenStoresOptions): Promise<Stores> {
  return config.DATABASE_URL
    ? openPostgres(config.DATABASE_URL, { main: config.DATABASE_POOL_SIZE ?? 10, locks: config.DATABASE_LOCK_POOL_SIZE ?? 10 }, options)
    : openEmbedded(options, config.ESR_MODE === 'automation');
}

async function openEmbedded({ dataDir, onTornTail, now }: OpenStoresOptions, automation: boolean): Promise<Stores> {
  const lines = onTornTail ? { onTornTail } : {};
  // The large, cold staff directory apart from the small, hot files.
  const staff = await LowdbStaffDirectory.open(join(dataDir, 'staff.json'));
  const requestsFile = join(dataDir, 'esr-automation-requests.json');
  return {
    description: 'embedded store',
    staff,
    accounts: await LowdbAccountStore.open(join(dataDir, 'accounts.json')),
    tokens: await LowdbTokenStore.open(join(dataDir, 'tokens.json')),
    audit: await new JsonlAuditLog(join(dataDir, 'audit.jsonl'), lines).init(),
    limits: await LowdbRateLimitStore.open(join(dataDir, 'limits.json')),
    tickets: await LowdbTicketStore.open(join(dataDir, 'tickets.json')),
    screenshots: await FileScreenshotStore.open(join(dataDir, 'screenshots')),
    uploads: await FileUploadStaging.open(join(dataDir, 'uploads'), now),
    usage: await new JsonlUsageLog(join(dataDir, 'usage.jsonl'), lines).init(),
    state: await LowdbVersionedStore.open(join(dataDir, 'state'), {}, now),
    mailQueue: await FileMailQueue.open(join(dataDir, 'mail-queue.json')),
    queues: await LowdbQueueRegistry.open(join(dataDir, 'queues.json')),
    missed: await new JsonlMissedLog(join(dataDir, 'unanswered.jsonl'), lines).init(),
    automationRequests: automation ? await LowdbAutomationRequestStore.open(requestsFile) : LowdbAutomationRequestStore.lazy(requestsFile),
    // In memory, not in a file: see MemoryRecentTranscript for the measured cost of writing it each turn.
    transcript: new MemoryRecentTranscript(),
    locks: inProcessLocks(),
    secrets: new FileSecretStore(dataDir),
    migrated: [],
    watchStaff: (intervalMs, onReload) => staff.watch(intervalMs, onReload),
    close: () => Promise.resolve(),
  };
}

async function openPostgres(url: string, poolSizes: { main: number; locks: number }, { dataDir, onDatabaseError, onTurnLockWait, turnLockWaitMs, turnLockParkMs, now }: OpenStoresOptions): Promise<Stores> {
  const onError = onDatabaseError ? { onError: onDatabaseError } : {};
  const pool = createPool(url, { ...onError, max: poolSizes.main });
  // The locks' own connections, apart from the main pool (storage/postgres/pgLocks.ts says why); as many as
  // the turns this instance runs at once.
  const lockPool = createPool(url, { ...onError, applicationName: 'esr-helpdesk-locks', max: poolSizes.locks });
  let migrated: Migration[];
  try {
    migrated = await migrate(pool);
  } catch (error) {
    await Promise.all([pool.end(), lockPool.end()]);
    throw new Error(`Could not open the database at ${describeDatabaseUrl(url)} (DATABASE_URL): ${(error as Error).message}`, { cause: error });
  }
  const usage = new PgUsageLog(pool);
  const locks = new PgLocks(lockPool, {
    ...onError,
    ...(onTurnLockWait ? { onWait: onTurnLockWait } : {}),
    ...(turnLockWaitMs !== undefined ? { turnWaitMs: turnLockWaitMs } : {}),
    ...(turnLockParkMs !== undefined ? { parkMs: turnLockParkMs } : {}),
  });
  return {
    description: `PostgreSQL at ${describeDatabaseUrl(url)}`,
    staff: new PgStaffDirectory(pool),
    accounts: new PgAccountStore(pool),
    tokens: new PgTokenStore(pool),
    audit: new PgAuditLog(pool),
    limits: new PgRateLimitStore(pool),
    tickets: new PgTicketStore(pool),
    screenshots: new PgScreenshotStore(pool),
    uploads: new PgUploadStaging(pool, now),
    usage,
    state: new PgStateStore(pool, now),
    mailQueue: new PgMailQueue(pool),
    queues: new PgQueueRegistry(pool),
    missed: new PgMissedLog(pool),
    automationRequests: new PgAutomationRequestStore(pool),
    transcript: new PgRecentTranscript(pool),
    locks,
    // An embedded key moving to the database is offered first, so links already sent keep working.
    secrets: new PgSecretStore(pool, (name) => new FileSecretStore(dataDir).existing(name)),
    contentOverrides: new PgContentOverrides(pool),
    migrated,
    watchStaff: () => () => undefined,
    close: async () => {
      await Promise.all([locks.close(), usage.flush()]);
      await Promise.all([pool.end(), lockPool.end()]);
    },
  };
}
