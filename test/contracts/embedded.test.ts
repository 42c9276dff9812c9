// Every port's contract against the embedded stores (lowdb files, JSON Lines, screenshot and upload files) that
// `npm start` uses without DATABASE_URL. Each test gets its own temp folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileMailQueue } from '../../storage/fileMailQueue.js';
import { FileScreenshotStore } from '../../storage/fileScreenshotStore.js';
import { FileUploadStaging } from '../../storage/fileUploadStaging.js';
import { JsonlAuditLog } from '../../storage/jsonlAuditLog.js';
import { JsonlMissedLog } from '../../storage/jsonlMissedLog.js';
import { JsonlUsageLog } from '../../storage/jsonlUsageLog.js';
import { LowdbAccountStore } from '../../storage/lowdbAccountStore.js';
import { LowdbAutomationRequestStore } from '../../storage/lowdbAutomationRequests.js';
import { LowdbQueueRegistry } from '../../storage/lowdbQueueRegistry.js';
import { LowdbRateLimitStore } from '../../storage/lowdbRateLimitStore.js';
import { LowdbStaffDirectory } from '../../storage/lowdbStaffDirectory.js';
import { LowdbTicketStore } from '../../storage/lowdbTicketStore.js';
import { LowdbTokenStore } from '../../storage/lowdbTokenStore.js';
import { LowdbVersionedStore } from '../../storage/lowdbVersionedStore.js';
import { accountStoreContract } from './accountStore.contract.js';
import { auditLogContract } from './auditLog.contract.js';
import { mailQueueContract } from './mailQueue.contract.js';
import { MemoryRecentTranscript } from '../../tickets/recentTranscript.js';
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
  queueRegistryContract('LowdbQueueRegistry', onFile('queues.json', (f) => LowdbQueueRegistry.open(f)));
  missedLogContract('JsonlMissedLog', onFile('unanswered.jsonl', (f) => new JsonlMissedLog(f).init()));
  automationRequestStoreContract('LowdbAutomationRequestStore', onFile('esr-automation-requests.json', (f) => LowdbAutomationRequestStore.open(f)));
  automationRequestStoreContract('LowdbAutomationRequestStore (opened at first use)', onFile('esr-automation-requests.json', (f) => Promise.resolve(LowdbAutomationRequestStore.lazy(f))));
  // In memory by design (measured: see MemoryRecentTranscript): a restart starts an empty one.
  transcriptContract('MemoryRecentTranscript', () => Promise.resolve({ store: new MemoryRecentTranscript(), reopen: () => Promise.resolve(new MemoryRecentTranscript()) }));
});
