// The composition root: builds the stores, the ESR service, mail, content, dialogs, the bot and the
// server from a validated Config, and nothing else. Tests build the same app with their own options.
import { join, resolve } from 'node:path';
import type { Server } from 'restify';
import type { CloudAdapter } from 'botbuilder';
import { routerRecogniser, type IntentPhrases } from '../dialogs/intents.js';
import { loadFaq } from '../content/faq.js';
import { loadContent, type Content, type Params } from '../content/content.js';
import { BackgroundTasks } from '../esr/backgroundTasks.js';
import { systemClock, HOUR, MINUTE, type Clock } from '../esr/clock.js';
import { MemoryRateLimitStore, RateLimiter } from '../esr/rateLimiter.js';
import { resetPages } from '../web/resetPages.js';
import { commonPasswords } from '../esr/commonPasswords.js';
import { EsrService } from '../esr/esrService.js';
import { Argon2idHasher, type PasswordHasher } from '../esr/passwordHasher.js';
import { PasswordPolicy } from '../esr/passwordPolicy.js';
import type { StaffNotifier } from '../esr/ports.js';
import { StaffMailer } from '../mail/staffMailer.js';
import { MailOutbox } from '../mail/outbox.js';
import { OutboxFolderTransport, SmtpTransport, type MailTransport } from '../mail/transport.js';
import { FileScreenshotStore } from '../storage/fileScreenshotStore.js';
import { LowdbTicketStore } from '../storage/lowdbTicketStore.js';
import { JsonlUsageLog } from '../storage/jsonlUsageLog.js';
import { TicketService } from '../tickets/ticketService.js';
import { formatClockTime } from '../tickets/officeHours.js';
import { LinkSigner } from '../web/signedLinks.js';
import { screenshotRoute } from '../web/screenshotRoute.js';
import { infoPages } from '../web/infoPages.js';
import { dashboard } from '../web/dashboard.js';
import { AttachmentFetcher } from './attachments.js';
import { MAX_SCREENSHOT_MB, TeamsHelpDesk } from './helpDesk.js';
import { QueueRegistry } from './queues.js';
import { RecentTranscript } from './recentTranscript.js';
import { JsonlAuditLog } from '../storage/jsonlAuditLog.js';
import { LowdbAccountStore } from '../storage/lowdbAccountStore.js';
import { LowdbStaffDirectory } from '../storage/lowdbStaffDirectory.js';
import { LowdbTokenStore } from '../storage/lowdbTokenStore.js';
import { LowdbVersionedStore } from '../storage/lowdbVersionedStore.js';
import { LowdbRateLimitStore } from '../storage/lowdbRateLimitStore.js';
import { MainDialog } from '../dialogs/mainDialog.js';
import type { DialogDeps, ProfileResolver } from '../dialogs/deps.js';
import { createFlows } from '../dialogs/flows.js';
import { createAdapter } from './adapter.js';
import type { Config, OfficeHours } from './config.js';
import { DEMO_PASSWORD, demoStaff } from './demoStaff.js';
import { HelpdeskBot } from './helpdeskBot.js';
import { Housekeeping } from './housekeeping.js';
import type { Logger } from './logger.js';
import { OnceRegistry } from './onceRegistry.js';
import { TeamsProfileResolver } from './profiles.js';
import { createServer } from './server.js';
import { EmbeddedBotStorage, EtagCheckedState, conversationStateKey, userStateKey } from './stateStorage.js';

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  /** Replace the mail transport (tests use a real SMTP server or a recorder). */
  mailTransport?: MailTransport;
  /** Replace the Teams profile lookup (tests without a roster endpoint). */
  profiles?: ProfileResolver;
  hasher?: PasswordHasher;
  /** Set false to not run the daily tidy-up on a timer (tests call `housekeeping.runOnce()`). */
  housekeeping?: boolean;
  /** How the helpdesk waits before retrying a throttled message (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
}

export interface HelpdeskApp {
  config: Config;
  server: Server;
  adapter: CloudAdapter;
  esr: EsrService;
  content: Content;
  staff: LowdbStaffDirectory;
  audit: JsonlAuditLog;
  background: BackgroundTasks;
  mail: MailOutbox;
  tickets: TicketService;
  desk: TeamsHelpDesk;
  housekeeping: Housekeeping;
  /** Starts listening; resolves with the port. */
  listen(port?: number): Promise<number>;
  /** Stops taking requests, lets background work finish, and closes connections. */
  close(): Promise<void>;
}

export async function createHelpdesk(config: Config, options: AppOptions): Promise<HelpdeskApp> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const dataDir = resolve(config.DATA_DIR);

  // Large, cold staff directory apart from the small, hot files.
  const staff = await LowdbStaffDirectory.open(join(dataDir, 'staff.json'));
  const accounts = await LowdbAccountStore.open(join(dataDir, 'accounts.json'));
  const tokens = await LowdbTokenStore.open(join(dataDir, 'tokens.json'));
  const audit = await new JsonlAuditLog(join(dataDir, 'audit.jsonl')).init();
  const state = await LowdbVersionedStore.open(join(dataDir, 'state'), 8, () => clock.now());
  const limits = await LowdbRateLimitStore.open(join(dataDir, 'limits.json'));

  const content = await loadContent({ locale: config.LOCALE, overrideDir: join(dataDir, 'content'), globals: trustValues(config) });
  const faq = await loadFaq(config.LOCALE, join(dataDir, 'content'));
  const delivery = options.mailTransport ?? (config.SMTP_URL ? new SmtpTransport(config.SMTP_URL, config.MAIL_FROM) : new OutboxFolderTransport(join(dataDir, 'outbox'), config.MAIL_FROM));
  // Every email is queued durably first, so an SMTP outage delays mail but never loses it.
  const mail = await MailOutbox.open(join(dataDir, 'mail-queue.json'), delivery, { clock, logger });
  mail.start();
  const notifier: StaffNotifier = new StaffMailer(content, mail, { publicUrl: config.PUBLIC_URL, timeZone: config.TIME_ZONE, tokenTtlHours: config.RESET_LINK_HOURS });
  const background = new BackgroundTasks((error, label) => logger.error({ err: error, task: label }, 'Background task failed'));
  const hasher = options.hasher ?? new Argon2idHasher();
  const policy = new PasswordPolicy({ minLength: 12, maxLength: 256, historySize: 4, commonPasswords: commonPasswords() });
  const esr = new EsrService({
    directory: staff,
    accounts,
    tokens,
    audit,
    notifier,
    hasher,
    policy,
    clock,
    background,
    limiter: new RateLimiter(limits),
    settings: { maxFailedSignIns: config.MAX_FAILED_SIGNINS, tokenTtlMs: config.RESET_LINK_HOURS * HOUR, accountHelpPerHour: config.ACCOUNT_HELP_PER_HOUR },
  });

  if (config.SEED_DEMO_DATA && (await staff.count()) === 0) {
    await seedDemoData(config, staff, accounts, hasher, clock);
    logger.info({ staff: await staff.count() }, 'Seeded the fictional demo staff directory (SEED_DEMO_DATA=true)');
  }
  const stopWatching = staff.watch(5_000, (error) =>
    error ? logger.error({ err: error }, 'The staff directory changed on disk but could not be loaded; keeping the previous one') : logger.info('Reloaded the staff directory'),
  );

  const ticketStore = await LowdbTicketStore.open(join(dataDir, 'tickets.json'));
  const screenshots = await FileScreenshotStore.open(join(dataDir, 'screenshots'));
  const tickets = new TicketService({ clock, tickets: ticketStore, screenshots, audit, timeZone: config.TIME_ZONE });
  const queues = await QueueRegistry.open(dataDir);
  const usage = await new JsonlUsageLog(join(dataDir, 'usage.jsonl')).init();
  const signer = await LinkSigner.fromFile(join(dataDir, 'signing.key'));

  const botStorage = new EmbeddedBotStorage(state);
  const conversationState = new EtagCheckedState(botStorage, conversationStateKey);
  const userState = new EtagCheckedState(botStorage, userStateKey);
  const profiles = options.profiles ?? new TeamsProfileResolver(logger);
  const transcript = new RecentTranscript(() => clock.now());
  const adapter = createAdapter(config, content, logger);
  const desk = new TeamsHelpDesk({
    adapter,
    appId: config.MicrosoftAppId ?? '',
    tickets,
    screenshots,
    esr,
    content,
    profiles,
    transcript,
    queues,
    mail,
    fetcher: new AttachmentFetcher({ allowedHosts: config.ATTACHMENT_HOSTS, maxBytes: MAX_SCREENSHOT_MB * 1024 * 1024, allowHttp: config.NODE_ENV !== 'production', allowLocalServiceOrigin: config.NODE_ENV !== 'production' }),
    signer,
    clock,
    logger,
    uploadsDir: join(dataDir, 'uploads'),
    settings: {
      publicUrl: config.PUBLIC_URL,
      workforceEmail: config.WORKFORCE_EMAIL,
      leadEmployerEmail: config.LEAD_EMPLOYER_EMAIL,
      officeHours: config.OFFICE_HOURS,
      timeZone: config.TIME_ZONE,
    },
    ...(options.sleep ? { sleep: options.sleep } : {}),
  });
  const dialogDeps: DialogDeps = {
    esr,
    content,
    intents: routerRecogniser(content.section('intents') as IntentPhrases, faq),
    profiles,
    clock,
    settings: { resetLinkHours: config.RESET_LINK_HOURS },
    faq,
    desk,
    usage,
  };
  const main = new MainDialog(dialogDeps, createFlows(dialogDeps));
  const bot = new HelpdeskBot({ conversationState, userState, main, dialogDeps, content, profiles, once: new OnceRegistry(state), logger, desk, tickets, transcript });
  const housekeeping = new Housekeeping({ clock, logger, tickets, tokens, limits, state, desk, retentionDays: config.RETENTION_DAYS, stateIdleDays: 180 });
  if (options.housekeeping !== false) housekeeping.start();

  const server = createServer({
    adapter,
    bot,
    logger,
    health: async () => {
      const queued = mail.pending();
      return {
        staff: await staff.count(),
        dataDir: await readable(dataDir),
        mailQueue: { waiting: queued.filter((m) => m.status === 'waiting').length, failed: queued.filter((m) => m.status === 'failed').length },
      };
    },
    routes: [
      resetPages({
        esr,
        content,
        clock,
        limiter: new RateLimiter(new MemoryRateLimitStore()),
        tokenLimit: { max: 10, windowMs: 15 * MINUTE },
        trustProxy: config.TRUST_PROXY,
        resetLinkHours: config.RESET_LINK_HOURS,
      }),
      screenshotRoute({ screenshots, signer, clock }),
      infoPages({ content, retentionDays: config.RETENTION_DAYS }),
      dashboard({
        content,
        tickets,
        desk,
        usage,
        clock,
        logger,
        publicUrl: config.PUBLIC_URL,
        auth: {
          tenantId: config.MicrosoftAppTenantId,
          appId: config.MicrosoftAppId,
          publicUrl: config.PUBLIC_URL,
          jwksUrl: config.ENTRA_JWKS_URL,
          agents: config.DASHBOARD_AGENTS,
          agentGroup: config.DASHBOARD_AGENT_GROUP,
          devLogin: config.DASHBOARD_DEV_LOGIN && config.NODE_ENV !== 'production',
        },
      }),
    ],
  });

  return {
    config,
    server,
    adapter,
    esr,
    content,
    staff,
    audit,
    background,
    mail,
    tickets,
    desk,
    housekeeping,
    listen: (port = config.PORT) =>
      new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, () => resolveListen((server.address() as { port: number }).port));
      }),
    close: async () => {
      stopWatching();
      await new Promise<void>((r) => {
        server.close(() => {
          r();
        });
      });
      await housekeeping.stop();
      await background.idle();
      await mail.stop();
      mail.close();
    },
  };
}

async function readable(dir: string): Promise<string> {
  const { access, constants } = await import('node:fs/promises');
  await access(dir, constants.R_OK | constants.W_OK);
  return 'ok';
}

/** The Trust's own values, usable as {placeholders} in any text. */
export function trustValues(config: Config): Params {
  return {
    trustName: config.TRUST_NAME,
    orgName: config.ESR_ORG_NAME,
    orgCode: config.ESR_ORG_CODE,
    workforceEmail: config.WORKFORCE_EMAIL,
    workforcePhone: config.WORKFORCE_PHONE ?? config.WORKFORCE_EMAIL,
    workforceLocation: config.WORKFORCE_LOCATION,
    leadEmployerEmail: config.LEAD_EMPLOYER_EMAIL,
    officeHours: describeOfficeHours(config.OFFICE_HOURS),
    esrLoginUrl: config.ESR_LOGIN_URL,
    botName: 'ESR Helpdesk',
  };
}

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

export function describeOfficeHours(hours: OfficeHours): string {
  const first = DAY_NAMES[hours.days[0]!]!;
  const last = DAY_NAMES[hours.days[hours.days.length - 1]!]!;
  const days = hours.days.length === 1 ? first : `${first} to ${last}`;
  return `${days}, ${formatClockTime(hours.opensAt)} to ${formatClockTime(hours.closesAt)}`;
}

async function seedDemoData(config: Config, staff: LowdbStaffDirectory, accounts: LowdbAccountStore, hasher: PasswordHasher, clock: Clock): Promise<void> {
  const demo = demoStaff(config.ESR_ORG_CODE);
  await staff.upsertMany(demo.map((d) => d.record));
  const at = clock.now().toISOString();
  for (const d of demo.filter((x) => x.registered)) {
    const hash = await hasher.hash(DEMO_PASSWORD);
    await accounts.update(d.record.username, (current) => ({
      ...current,
      status: 'approved',
      passwordHash: hash,
      registeredAt: at,
      passwordChangedAt: at,
      ...(d.locked ? { locked: true, lockedAt: at, failedAttempts: config.MAX_FAILED_SIGNINS } : {}),
    }));
  }
}
