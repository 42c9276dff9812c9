// Every port's contract against the embedded stores (lowdb files, JSON Lines, screenshot and upload files) that
// `npm start` uses without DATABASE_URL. Each test gets its own temp folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMailQueue } from '../../storage/fileMailQueue.js';
import { FileScreenshotStore } from '../../storage/fileScreenshotStore.js';
import { FileUploadStaging } from '../../storage/fileUploadStaging.js';
import { JsonlAuditLog } from '../../storage/jsonlAuditLog.js';
import { JsonlUsageLog } from '../../storage/jsonlUsageLog.js';
import { LowdbAccountStore } from '../../storage/lowdbAccountStore.js';
import { LowdbRateLimitStore } from '../../storage/lowdbRateLimitStore.js';
import { LowdbStaffDirectory } from '../../storage/lowdbStaffDirectory.js';
import { LowdbTicketStore } from '../../storage/lowdbTicketStore.js';
import { LowdbTokenStore } from '../../storage/lowdbTokenStore.js';
import { LowdbVersionedStore } from '../../storage/lowdbVersionedStore.js';
import { accountStoreContract } from './accountStore.contract.js';
import { auditLogContract } from './auditLog.contract.js';
import { mailQueueContract } from './mailQueue.contract.js';
import { rateLimitStoreContract } from './rateLimitStore.contract.js';
import { screenshotStoreContract } from './screenshotStore.contract.js';
import { staffDirectoryContract } from './staffDirectory.contract.js';
import { stateStoreContract } from './stateStore.contract.js';
import type { MakeSubject } from './subject.js';
import { ticketStoreContract } from './ticketStore.contract.js';
import { tokenStoreContract } from './tokenStore.contract.js';
import { uploadStagingContract } from './uploadStaging.contract.js';
import { usageLogContract } from './usageLog.contract.js';

describe('contracts: the embedded stores', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'esr-contracts-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  // A restart is opening the same file again; embedded stores share nothing live between instances.
  const onFile = <T>(name: string, open: (path: string) => Promise<T>): MakeSubject<T> => async () => {
    const path = join(dir, name);
    return { store: await open(path), reopen: () => open(path) };
  };

  staffDirectoryContract('LowdbStaffDirectory', onFile('staff.json', (f) => LowdbStaffDirectory.open(f)));
  accountStoreContract('LowdbAccountStore', onFile('accounts.json', (f) => LowdbAccountStore.open(f)));
  tokenStoreContract('LowdbTokenStore', onFile('tokens.json', (f) => LowdbTokenStore.open(f)));
  auditLogContract('JsonlAuditLog', onFile('audit.jsonl', (f) => new JsonlAuditLog(f).init()));
  ticketStoreContract('LowdbTicketStore', onFile('tickets.json', (f) => LowdbTicketStore.open(f)));
  screenshotStoreContract('FileScreenshotStore', onFile('screenshots', (f) => FileScreenshotStore.open(f)));
  rateLimitStoreContract('LowdbRateLimitStore', onFile('limits.json', (f) => LowdbRateLimitStore.open(f)));
  usageLogContract('JsonlUsageLog', onFile('usage.jsonl', (f) => new JsonlUsageLog(f).init()));
  stateStoreContract('LowdbVersionedStore', (now) => onFile('state', (d) => LowdbVersionedStore.open(d, {}, now))());
  uploadStagingContract('FileUploadStaging', (now) => onFile('uploads', (f) => FileUploadStaging.open(f, now)));
  mailQueueContract('FileMailQueue', onFile('mail-queue.json', (f) => FileMailQueue.open(f)));
});
