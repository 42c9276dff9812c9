// Every port's contract against the PostgreSQL stores, in a fresh database made for this run (see
// test/support/postgres.ts: skipped with a message where no server answers, failed under CI). Tables are
// emptied before each test; a second pool plays a second instance of the bot.
import { PgAccountStore } from '../../storage/postgres/pgAccountStore.js';
import { PgAuditLog } from '../../storage/postgres/pgAuditLog.js';
import { PgMailQueue } from '../../storage/postgres/pgMailQueue.js';
import { PgAutomationRequestStore } from '../../storage/postgres/pgAutomationRequests.js';
import { PgMissedLog } from '../../storage/postgres/pgMissedLog.js';
import { PgQueueRegistry } from '../../storage/postgres/pgQueueRegistry.js';
import { PgRecentTranscript } from '../../storage/postgres/pgRecentTranscript.js';
import { PgRateLimitStore } from '../../storage/postgres/pgRateLimitStore.js';
import { PgScreenshotStore } from '../../storage/postgres/pgScreenshotStore.js';
import { PgStaffDirectory } from '../../storage/postgres/pgStaffDirectory.js';
import { PgStateStore } from '../../storage/postgres/pgStateStore.js';
import { PgTicketStore } from '../../storage/postgres/pgTicketStore.js';
import { PgTokenStore } from '../../storage/postgres/pgTokenStore.js';
import { PgUploadStaging } from '../../storage/postgres/pgUploadStaging.js';
import { PgUsageLog } from '../../storage/postgres/pgUsageLog.js';
import type pg from 'pg';
import { usePostgres } from '../support/postgres.js';
import { accountStoreContract } from './accountStore.contract.js';
import { auditLogContract } from './auditLog.contract.js';
import { mailQueueContract } from './mailQueue.contract.js';
import { automationRequestStoreContract } from './automationRequests.contract.js';
import { missedLogContract } from './missedLog.contract.js';
import { queueRegistryContract } from './queueRegistry.contract.js';
import { rateLimitStoreContract } from './rateLimitStore.contract.js';
import { screenshotStoreContract } from './screenshotStore.contract.js';
import { staffDirectoryContract } from './staffDirectory.contract.js';
import { stateStoreContract } from './stateStore.contract.js';
import type { MakeSubject } from './subject.js';
import { ticketStoreContract } from './ticketStore.contract.js';
import { tokenStoreContract } from './tokenStore.contract.js';
import { uploadStagingContract } from './uploadStaging.contract.js';
import { transcriptContract } from './transcript.contract.js';
import { usageLogContract } from './usageLog.contract.js';

describe('contracts: the PostgreSQL stores', () => {
  const db = usePostgres();

  const onDatabase = <T>(open: (pool: pg.Pool) => T): MakeSubject<T> => async () => {
    await db().truncate();
    return { store: open(db().pool), reopen: () => Promise.resolve(open(db().otherPool)), beside: () => Promise.resolve(open(db().otherPool)) };
  };

  staffDirectoryContract('PgStaffDirectory', onDatabase((p) => new PgStaffDirectory(p)));
  accountStoreContract('PgAccountStore', onDatabase((p) => new PgAccountStore(p)), true);
  tokenStoreContract('PgTokenStore', onDatabase((p) => new PgTokenStore(p)), true);
  auditLogContract('PgAuditLog', onDatabase((p) => new PgAuditLog(p)));
  ticketStoreContract('PgTicketStore', onDatabase((p) => new PgTicketStore(p)), true);
  screenshotStoreContract('PgScreenshotStore', onDatabase((p) => new PgScreenshotStore(p)));
  rateLimitStoreContract('PgRateLimitStore', onDatabase((p) => new PgRateLimitStore(p)), true);
  usageLogContract('PgUsageLog', onDatabase((p) => new PgUsageLog(p)));
  stateStoreContract('PgStateStore', (now) => onDatabase((p) => new PgStateStore(p, now))(), true);
  uploadStagingContract('PgUploadStaging', (now) => onDatabase((p) => new PgUploadStaging(p, now)));
  mailQueueContract('PgMailQueue', onDatabase((p) => new PgMailQueue(p)), true);
  queueRegistryContract('PgQueueRegistry', onDatabase((p) => new PgQueueRegistry(p)), true);
  missedLogContract('PgMissedLog', onDatabase((p) => new PgMissedLog(p)), true);
  automationRequestStoreContract('PgAutomationRequestStore', onDatabase((p) => new PgAutomationRequestStore(p)), true);
  transcriptContract('PgRecentTranscript', onDatabase((p) => new PgRecentTranscript(p)), true);
});
