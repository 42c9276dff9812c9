// A real EsrService for tests: the real lowdb stores, rate-limit file and audit log in a temp folder, real
// argon2id at OWASP parameters, the Trust's password policy, a ManualClock (time moves only when a test says
// so) and a notifier that records messages instead of sending them. Settings are production's defaults:
// 5 wrong passwords lock, links last 4 hours, 5 account-help requests an hour per person and per asker.
//
//   let h: EsrHarness;
//   beforeEach(async () => (h = await createEsrHarness()));
//   afterEach(() => h.cleanup());
//
//   await h.register(STAFF.aisha, 'quiet harbour lantern 7');
//   const token = await h.emailedToken(STAFF.aisha);          // asks for a reset link, returns its token
//   h.clock.advance(3 * HOUR);
//   await h.service.resetPasswordWithToken({ ...WEB_VISITOR, token, username: STAFF.aisha.username, ... });
//
// Every argon2 hash costs ~30 ms: register and reset sparingly. More than 5 emailed links for one person
// within an hour are held back by the rate limit: advance the clock or pass `settings`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackgroundTasks } from '../../core/backgroundTasks.js';
import { HOUR, ManualClock } from '../../core/clock.js';
import { commonPasswords } from '../../esr/commonPasswords.js';
import { EsrService, type EsrServiceSettings, type Who } from '../../esr/esrService.js';
import { Argon2idHasher } from '../../esr/passwordHasher.js';
import { PasswordPolicy } from '../../esr/passwordPolicy.js';
import { RateLimiter } from '../../esr/rateLimiter.js';
import type { StaffNotifier } from '../../esr/ports.js';
import type { AccountHelpKind, StaffAccount, StaffRecord, TeamsIdentity } from '../../esr/types.js';
import { JsonlAuditLog } from '../../storage/jsonlAuditLog.js';
import { LowdbAccountStore } from '../../storage/lowdbAccountStore.js';
import { LowdbRateLimitStore } from '../../storage/lowdbRateLimitStore.js';
import { LowdbStaffDirectory } from '../../storage/lowdbStaffDirectory.js';
import { LowdbTokenStore } from '../../storage/lowdbTokenStore.js';

/** Fictional staff of organisation 241. Morgan has two usernames (a substantive and a bank assignment). */
export const STAFF = {
  aisha: {
    username: '241ASHAH01',
    firstName: 'Aisha',
    lastName: 'Shah',
    workEmail: 'aisha.shah@nhs-trust.example',
    dateOfBirth: '1985-03-14',
    staffGroup: 'substantive',
    entraObjectId: '11111111-1111-4111-8111-111111111111',
    upn: 'aisha.shah@nhs-trust.example',
  },
  morgan01: {
    username: '241MPRICEJONES01',
    firstName: 'Morgan',
    lastName: 'Price-Jones',
    workEmail: 'morgan.price-jones@nhs-trust.example',
    dateOfBirth: '1990-07-02',
    staffGroup: 'substantive',
    entraObjectId: '22222222-2222-4222-8222-222222222222',
    upn: 'morgan.price-jones@nhs-trust.example',
  },
  morgan02: {
    username: '241MPRICEJONES02',
    firstName: 'Morgan',
    lastName: 'Price-Jones',
    workEmail: 'morgan.price-jones@nhs-trust.example',
    dateOfBirth: '1990-07-02',
    staffGroup: 'bank',
    entraObjectId: '22222222-2222-4222-8222-222222222222',
    upn: 'morgan.price-jones@nhs-trust.example',
  },
  /** No Entra id or UPN on record: found by work email only. */
  tunde: {
    username: '241TOKAFOR01',
    firstName: 'Tunde',
    lastName: 'Okafor',
    workEmail: 'tunde.okafor@nhs-trust.example',
    dateOfBirth: '1978-11-30',
    staffGroup: 'ifm',
  },
} as const satisfies Record<string, StaffRecord>;

/** A member of staff in Teams, as the chat flows call the service. */
export function inTeams(record: StaffRecord): Who {
  return { actor: { kind: 'staff', id: record.entraObjectId ?? record.username, name: `${record.firstName} ${record.lastName}` }, channel: 'teams' };
}
/** Someone on the public reset page. */
export const WEB_VISITOR: Who = { actor: { kind: 'anonymous', id: 'client-3f9a' }, channel: 'web' };
/** A helpdesk agent on the dashboard. */
export const AGENT: Who = { actor: { kind: 'agent', id: 'agent-7', name: 'Helpdesk Agent' }, channel: 'dashboard' };

/** How Teams identifies the person of a record. */
export function identityOf(record: StaffRecord): TeamsIdentity {
  return { ...(record.entraObjectId ? { entraObjectId: record.entraObjectId } : {}), ...(record.upn ? { upn: record.upn } : {}), email: record.workEmail };
}

type AccountHelpMessage = Parameters<StaffNotifier['sendAccountHelp']>[0];
type PasswordChangedMessage = Parameters<StaffNotifier['sendPasswordChanged']>[0];
type AccountUnlockedMessage = Parameters<StaffNotifier['sendAccountUnlocked']>[0];

export type SentMessage =
  | ({ type: 'account_help' } & AccountHelpMessage)
  | ({ type: 'password_changed' } & PasswordChangedMessage)
  | ({ type: 'account_unlocked' } & AccountUnlockedMessage);

/** A StaffNotifier that keeps every message, in order, in `sent`. */
export class RecordingNotifier implements StaffNotifier {
  readonly sent: SentMessage[] = [];

  sendAccountHelp(message: AccountHelpMessage): Promise<void> {
    this.sent.push({ type: 'account_help', ...structuredClone(message) });
    return Promise.resolve();
  }
  sendPasswordChanged(message: PasswordChangedMessage): Promise<void> {
    this.sent.push({ type: 'password_changed', ...structuredClone(message) });
    return Promise.resolve();
  }
  sendAccountUnlocked(message: AccountUnlockedMessage): Promise<void> {
    this.sent.push({ type: 'account_unlocked', ...structuredClone(message) });
    return Promise.resolve();
  }

  /** The account-help emails only. */
  get accountHelp(): Array<Extract<SentMessage, { type: 'account_help' }>> {
    return this.sent.filter((m): m is Extract<SentMessage, { type: 'account_help' }> => m.type === 'account_help');
  }

  /** The token in the newest email that gave one for this username; throws if none did. */
  tokenFor(username: string): string {
    for (const message of [...this.accountHelp].reverse()) {
      const token = message.accounts.find((a) => a.username === username)?.token;
      if (token) return token;
    }
    throw new Error(`No token was emailed for ${username}`);
  }
}

export const TEST_SETTINGS: EsrServiceSettings = { maxFailedSignIns: 5, tokenTtlMs: 4 * HOUR, accountHelpPerHour: 5 };

export interface EsrHarness {
  service: EsrService;
  clock: ManualClock;
  background: BackgroundTasks;
  /** Errors of background tasks (sending email, matching requests); a passing test leaves it empty. */
  backgroundErrors: unknown[];
  notifier: RecordingNotifier;
  directory: LowdbStaffDirectory;
  accounts: LowdbAccountStore;
  tokens: LowdbTokenStore;
  audit: JsonlAuditLog;
  /** The temp folder holding staff.json, accounts.json, tokens.json, limits.json and audit.jsonl. */
  dir: string;
  /** The text of one of the data files, e.g. `await h.readDataFile('audit.jsonl')`. */
  readDataFile(name: 'staff.json' | 'accounts.json' | 'tokens.json' | 'limits.json' | 'audit.jsonl'): Promise<string>;
  /** Registers the record's username for internet access, as its owner in Teams. */
  register(record: StaffRecord, password: string): Promise<StaffAccount>;
  /**
   * Marks usernames as set up for use from home (status Approved, with a password nobody types), as if done
   * at work with a smartcard: reset and unlock links are only sent for those.
   */
  setUpAtWork(...records: StaffRecord[]): Promise<void>;
  /** Asks for a reset (or unlock) link for the record's username (set up at work first if need be), waits for the email and returns its token. */
  emailedToken(record: StaffRecord, kind?: Exclude<AccountHelpKind, 'username'>): Promise<string>;
  /** Sets a new password through an emailed reset link, from the web page. */
  resetPassword(record: StaffRecord, password: string): Promise<StaffAccount>;
  /** Waits for background work, then deletes the temp folder. */
  cleanup(): Promise<void>;
}

// One argon2 hash for every harness: each costs ~30 ms.
let setUpHashOnce: Promise<string> | undefined;
const setUpHash = () => (setUpHashOnce ??= new Argon2idHasher().hash('set up at work, never typed in a test'));

export async function createEsrHarness(options: { staff?: StaffRecord[]; settings?: Partial<EsrServiceSettings> } = {}): Promise<EsrHarness> {
  const dir = await mkdtemp(join(tmpdir(), 'esr-'));
  const directory = await LowdbStaffDirectory.open(join(dir, 'staff.json'));
  await directory.upsertMany(options.staff ?? Object.values(STAFF));
  const accounts = await LowdbAccountStore.open(join(dir, 'accounts.json'));
  const tokens = await LowdbTokenStore.open(join(dir, 'tokens.json'));
  const audit = await new JsonlAuditLog(join(dir, 'audit.jsonl')).init();
  const clock = new ManualClock('2026-01-05T10:00:00Z');
  const backgroundErrors: unknown[] = [];
  const background = new BackgroundTasks((error) => backgroundErrors.push(error));
  const notifier = new RecordingNotifier();
  const service = new EsrService({
    directory,
    accounts,
    tokens,
    audit,
    notifier,
    hasher: new Argon2idHasher(),
    policy: new PasswordPolicy({ minLength: 12, maxLength: 256, historySize: 4, commonPasswords: commonPasswords() }),
    clock,
    background,
    limiter: new RateLimiter(await LowdbRateLimitStore.open(join(dir, 'limits.json'))),
    settings: { ...TEST_SETTINGS, ...options.settings },
  });

  const harness: EsrHarness = {
    service,
    clock,
    background,
    backgroundErrors,
    notifier,
    directory,
    accounts,
    tokens,
    audit,
    dir,
    readDataFile: (name) => readFile(join(dir, name), 'utf8'),
    register: (record, password) =>
      service.registerInternetAccess({ ...inTeams(record), identity: identityOf(record), username: record.username, password, confirmPassword: password }),
    setUpAtWork: async (...records) => {
      for (const record of records) {
        const hash = await setUpHash();
        await accounts.update(record.username, (current) =>
          current.status === 'approved' ? current : { ...current, status: 'approved', passwordHash: hash, registeredAt: clock.now().toISOString(), passwordChangedAt: clock.now().toISOString() },
        );
      }
    },
    emailedToken: async (record, kind = 'password') => {
      await harness.setUpAtWork(record);
      const before = notifier.sent.length;
      service.requestAccountHelp({ ...WEB_VISITOR, kind, email: record.workEmail, dateOfBirth: record.dateOfBirth, username: record.username });
      await background.idle();
      const sent = notifier.sent.slice(before).flatMap((m) => (m.type === 'account_help' ? m.accounts : []));
      const token = sent.find((a) => a.username === record.username)?.token;
      if (!token) throw new Error(`No link was emailed for ${record.username}: held back by the rate limit? (see audit.jsonl)`);
      return token;
    },
    resetPassword: async (record, password) => {
      const token = await harness.emailedToken(record);
      return service.resetPasswordWithToken({ ...WEB_VISITOR, token, username: record.username, password, confirmPassword: password });
    },
    cleanup: async () => {
      await background.idle();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return harness;
}
