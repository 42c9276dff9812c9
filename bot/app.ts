// The composition root: builds the stores, the ESR service, mail, content, dialogs, the bot and the
// server from a validated Config, and nothing else. Tests build the same app with their own options.
import { join, resolve } from 'node:path';
import type { Server } from 'restify';
import type { CloudAdapter } from 'botbuilder';
import { loadFaq, type Faq } from '../content/faq.js';
import { LANGUAGES, type Language, type PerLanguage } from '../content/language.js';
import { perTurn } from '../dialogs/turnLanguage.js';
import { loadContent, type Content, type Params } from '../content/content.js';
import { BackgroundTasks } from '../esr/backgroundTasks.js';
import { systemClock, HOUR, MINUTE, type Clock } from '../esr/clock.js';
import { MemoryRateLimitStore, RateLimiter } from '../esr/rateLimiter.js';
import { resetPages } from '../web/resetPages.js';
import { commonPasswords } from '../esr/commonPasswords.js';
import { EsrService } from '../esr/esrService.js';
import { Argon2idHasher, type PasswordHasher } from '../esr/passwordHasher.js';
import { PasswordPolicy } from '../esr/passwordPolicy.js';
import type { AccountStore, AuditLog, StaffDirectory, StaffNotifier } from '../esr/ports.js';
import { StaffMailer } from '../mail/staffMailer.js';
import { MailOutbox } from '../mail/outbox.js';
import { OutboxFolderTransport, SmtpTransport, type MailTransport } from '../mail/transport.js';
import type { TornTail } from '../storage/jsonLines.js';
import { tightenTree } from '../storage/privateFiles.js';
import { JsonlMissedLog } from '../storage/jsonlMissedLog.js';
import { LiveUnderstanding } from '../understanding/live.js';
import { understandingSource } from '../understanding/source.js';
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
import { LowdbVersionedStore } from '../storage/lowdbVersionedStore.js';
import { openStores } from '../storage/openStores.js';
import { MainDialog } from '../dialogs/mainDialog.js';
import type { DialogDeps, ProfileResolver } from '../dialogs/deps.js';
import type { AccountAutomation } from '../esr/automation/types.js';
import type { AutomationWatchdog } from '../esr/automation/watchdog.js';
import { createFlows } from '../dialogs/flows.js';
import { createAdapter, type BotFrameworkEndpoints } from './adapter.js';
import { createEsrAutomation, type EsrAutomation } from './esrAutomation.js';
import type { Config, OfficeHours } from './config.js';
import { DEMO_PASSWORD, demoStaff } from './demoStaff.js';
import { HelpdeskBot } from './helpdeskBot.js';
import { Housekeeping } from './housekeeping.js';
import type { Logger } from './logger.js';
import { OnceRegistry } from './onceRegistry.js';
import { TeamsProfileResolver } from './profiles.js';
import { createServer } from './server.js';
import { TenantPolicy } from './tenantPolicy.js';
import { EmbeddedBotStorage, EtagCheckedState, conversationStateKey, userStateKey } from './stateStorage.js';

export interface AppOptions {
  logger: Logger;
  clock?: Clock;
  /** Replace the mail transport (tests use a real SMTP server or a recorder). */
  mailTransport?: MailTransport;
  /** Replace the Teams profile lookup (tests without a roster endpoint). */
  profiles?: ProfileResolver;
  hasher?: PasswordHasher;
  /** Where the Bot Framework's keys and reply credentials come from (tests use local stand-ins). */
  botFramework?: BotFrameworkEndpoints;
  /** Set false to not run the daily tidy-up on a timer (tests call `housekeeping.runOnce()`). */
  housekeeping?: boolean;
  /** How the helpdesk waits before retrying a throttled message (tests pass one that does not wait). */
  sleep?: (ms: number) => Promise<void>;
  /** The Trust's ESR automation, used when ESR_MODE=automation (tests pass a fake). */
  automation?: AccountAutomation;
  /** How long a chat turn waits for the automation's first answer (tests shorten it). */
  automationTurnWaitMs?: number;
}

export interface HelpdeskApp {
  config: Config;
  server: Server;
  adapter: CloudAdapter;
  esr: EsrService;
  content: Content;
  staff: StaffDirectory;
  audit: AuditLog;
  background: BackgroundTasks;
  mail: MailOutbox;
  tickets: TicketService;
  desk: TeamsHelpDesk;
  housekeeping: Housekeeping;
  /** ESR_MODE=automation only: the client for the Trust's ESR automation, and its request records. */
  automation?: EsrAutomation;
  /** ESR_MODE=automation only: the running watchdog that hands missing callbacks to a person (tests call runOnce()). */
  automationWatchdog?: AutomationWatchdog;
  /** Starts listening; resolves with the port. */
  listen(port?: number): Promise<number>;
  /** Stops taking requests, lets background work finish, and closes connections. */
  close(): Promise<void>;
}

export async function createHelpdesk(config: Config, options: AppOptions): Promise<HelpdeskApp> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  const dataDir = resolve(config.DATA_DIR);
  await keepDataPrivate(dataDir, logger);
  const onTornTail = (tail: TornTail) =>
    logger.warn({ file: tail.file, tornFile: tail.tornFile, bytes: tail.bytes, action: tail.action }, tail.action === 'moved'
      ? `The last line of ${tail.file} was cut short (a crash while writing); it was moved to ${tail.tornFile} and the file now ends cleanly`
      : `The last line of ${tail.file} lacked its newline (a crash while writing); it was whole and has been kept`);

  // Files in DATA_DIR, or PostgreSQL (migrated first) when DATABASE_URL is set.
  const stores = await openStores(config, { dataDir, onTornTail, onDatabaseError: (error) => logger.error({ err: error }, 'A database connection failed while idle') });
  if (stores.migrated.length > 0) logger.info({ migrations: stores.migrated.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`) }, `Applied ${stores.migrated.length} database migration(s)`);
  const { staff, accounts, tokens, audit, limits, screenshots, usage } = stores;
  // Bot state stays in DATA_DIR for now, whichever store the ports use.
  const state = await LowdbVersionedStore.open(join(dataDir, 'state'), 8, () => clock.now());

  // Both languages are loaded (and checked) at start-up; each person is answered in theirs. The
  // organisation's default (LOCALE) is used where nobody's language applies: agents, the dashboard.
  const orgDefault: Language = config.LOCALE;
  const loadLanguage = async (language: Language) => ({
    content: await loadContent({ locale: language, overrideDir: join(dataDir, 'content'), globals: trustValues(config, language) }),
    faq: await loadFaq(language, join(dataDir, 'content')),
  });
  const loaded: PerLanguage<{ content: Content; faq: Faq }> = { 'en-GB': await loadLanguage('en-GB'), 'cy-GB': await loadLanguage('cy-GB') };
  const contents: PerLanguage<Content> = { 'en-GB': loaded['en-GB'].content, 'cy-GB': loaded['cy-GB'].content };
  const content = contents[orgDefault];
  const delivery = options.mailTransport ?? (config.SMTP_URL ? new SmtpTransport(config.SMTP_URL, config.MAIL_FROM) : new OutboxFolderTransport(join(dataDir, 'outbox'), config.MAIL_FROM));
  // Every email is queued durably first, so an SMTP outage delays mail but never loses it.
  const mail = await MailOutbox.open(join(dataDir, 'mail-queue.json'), delivery, { clock, logger });
  mail.start();
  // Only the simulated ESR (a training copy) has pages for reset and unlock links; against the real ESR we send none.
  const simulated = config.ESR_MODE === 'simulated';
  const notifier: StaffNotifier = new StaffMailer(contents, mail, { orgDefault, publicUrl: config.PUBLIC_URL, timeZone: config.TIME_ZONE, tokenTtlHours: config.RESET_LINK_HOURS, trainingCopy: simulated });
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
    settings: { maxFailedSignIns: config.MAX_FAILED_SIGNINS, tokenTtlMs: config.RESET_LINK_HOURS * HOUR, accountHelpPerHour: config.ACCOUNT_HELP_PER_HOUR, issuesLinks: simulated },
  });

  if (config.SEED_DEMO_DATA && (await staff.count()) === 0) {
    await seedDemoData(config, staff, accounts, hasher, clock);
    logger.info({ staff: await staff.count() }, 'Seeded the fictional demo staff directory (SEED_DEMO_DATA=true)');
  }
  const stopWatching = stores.watchStaff(5_000, (error) =>
    error ? logger.error({ err: error }, 'The staff directory changed on disk but could not be loaded; keeping the previous one') : logger.info('Reloaded the staff directory'),
  );

  const tickets = new TicketService({ clock, tickets: stores.tickets, screenshots, audit, timeZone: config.TIME_ZONE });
  const queues = await QueueRegistry.open(dataDir);
  const missed = await new JsonlMissedLog(join(dataDir, 'unanswered.jsonl'), { onTornTail }).init();
  // Free text is understood from the content as it stands, overrides included; when an admin adds a phrasing,
  // or another instance changes the override files, the index is rebuilt from freshly loaded (and checked) files.
  const contentDir = join(dataDir, 'content');
  const understandings = {} as PerLanguage<LiveUnderstanding>;
  const stopWatchers: Array<() => void> = [];
  for (const language of LANGUAGES) {
    understandings[language] = new LiveUnderstanding(understandingSource(loaded[language].content, loaded[language].faq), async () => {
      const fresh = await loadLanguage(language);
      return understandingSource(fresh.content, fresh.faq);
    });
    stopWatchers.push(
      understandings[language].watch([join(contentDir, `${language}.json`), join(contentDir, `faq.${language}.json`)], 5_000, (error) =>
        error ? logger.error({ err: error, language }, 'The content overrides changed but could not be loaded; still understanding with the previous ones') : logger.info({ language }, 'Reloaded the phrases for understanding free text'),
      ),
    );
  }
  const understanding = understandings[orgDefault];
  const stopWatchingContent = () => stopWatchers.forEach((stop) => stop());
  const signer = await LinkSigner.fromFile(join(dataDir, 'signing.key'));

  const botStorage = new EmbeddedBotStorage(state);
  const conversationState = new EtagCheckedState(botStorage, conversationStateKey);
  const userState = new EtagCheckedState(botStorage, userStateKey);
  const profiles = options.profiles ?? new TeamsProfileResolver(logger, TenantPolicy.fromConfig(config));
  const transcript = new RecentTranscript(() => clock.now());
  const adapter = createAdapter(config, content, logger, options.botFramework);
  // ESR_MODE=automation: the Trust's robot unlocks and reactivates accounts first; what it cannot do, or does
  // not answer in time, becomes an ESR admin task for a person (the desk decides, on the outcome).
  const automation = config.ESR_MODE === 'automation' ? await createEsrAutomation(config, { clock, logger, dataDir }) : undefined;
  const accountAutomation = options.automation ?? automation?.client;
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
      esrMode: config.ESR_MODE,
      adminTaskRemindMinutes: config.ADMIN_TASK_REMIND_MINUTES,
      ...(options.automationTurnWaitMs !== undefined ? { automationTurnWaitMs: options.automationTurnWaitMs } : {}),
    },
    background,
    ...(options.sleep ? { sleep: options.sleep } : {}),
    ...(accountAutomation ? { automation: accountAutomation } : {}),
  });
  const automationWatchdog = automation?.watchdog(async (id) => {
    await desk.automationTimedOut(id);
  });
  automationWatchdog?.start();
  const dialogDeps: DialogDeps = {
    esr,
    content: perTurn(contents, orgDefault),
    intents: perTurn(understandings, orgDefault),
    profiles,
    clock,
    settings: { resetLinkHours: config.RESET_LINK_HOURS, trainingCopy: simulated, esrMode: config.ESR_MODE },
    faq: perTurn({ 'en-GB': loaded['en-GB'].faq, 'cy-GB': loaded['cy-GB'].faq }, orgDefault),
    desk,
    usage,
    missed,
  };
  const main = new MainDialog(dialogDeps, createFlows(dialogDeps));
  const bot = new HelpdeskBot({ conversationState, userState, main, dialogDeps, content, contents, orgDefault, profiles, once: new OnceRegistry(state), logger, desk, tickets, transcript });
  const housekeeping = new Housekeeping({ clock, logger, tickets, tokens, limits, state, desk, retentionDays: config.RETENTION_DAYS, stateIdleDays: 180 });
  if (options.housekeeping !== false) housekeeping.start();


  const server = createServer({
    adapter,
    bot,
    logger,
    health: async () => {
      const queued = mail.pending();
      return {
        esrMode: config.ESR_MODE,
        staff: await staff.count(),
        dataDir: await readable(dataDir),
        mailQueue: { waiting: queued.filter((m) => m.status === 'waiting').length, failed: queued.filter((m) => m.status === 'failed').length },
      };
    },
    routes: [
      ...(simulated
        ? [
            resetPages({
              esr,
              content: contents,
              clock,
              limiter: new RateLimiter(new MemoryRateLimitStore()),
              tokenLimit: { max: 10, windowMs: 15 * MINUTE },
              trustProxy: config.TRUST_PROXY,
              resetLinkHours: config.RESET_LINK_HOURS,
            }),
          ]
        : []),
      screenshotRoute({ screenshots, signer, clock }),
      infoPages({ content: contents, orgDefault, retentionDays: config.RETENTION_DAYS, guided: config.ESR_MODE !== 'simulated' }),
      dashboard({
        content,
        tickets,
        desk,
        usage,
        clock,
        logger,
        publicUrl: config.PUBLIC_URL,
        unanswered: { missed, understanding, overrideDir: contentDir, locale: config.LOCALE, load: async () => ({ content: await loadContent({ locale: config.LOCALE, overrideDir: contentDir, globals: trustValues(config) }), faq: await loadFaq(config.LOCALE, contentDir) }) },
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
      ...(automation ? [automation.callbackRoute(async (outcome) => {
        await desk.completeAutomation(outcome);
      })] : []),
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
    ...(automation ? { automation } : {}),
    ...(automationWatchdog ? { automationWatchdog } : {}),
    listen: (port = config.PORT) =>
      new Promise((resolveListen, reject) => {
        server.once('error', reject);
        server.listen(port, () => resolveListen((server.address() as { port: number }).port));
      }),
    close: async () => {
      stopWatching();
      stopWatchingContent();
      await new Promise<void>((r) => {
        server.close(() => {
          r();
        });
      });
      await housekeeping.stop();
      await automationWatchdog?.stop();
      await background.idle();
      await mail.stop();
      mail.close();
      await stores.close();
    },
  };
}

// Made private before anything is opened; anything found looser is tightened and named, once, in the log.
async function keepDataPrivate(dataDir: string, logger: Logger): Promise<void> {
  const { tightened, refused } = await tightenTree(dataDir);
  if (tightened.length > 0) {
    const shown = tightened.slice(0, 50);
    logger.warn({ dataDir, tightened: tightened.length, paths: shown }, `Made ${tightened.length} file(s) and folder(s) in ${dataDir} private to this user (folders 0700, files 0600): ${shown.join(', ')}${tightened.length > shown.length ? ', …' : ''}`);
  }
  if (refused.length > 0) logger.warn({ dataDir, refused }, `Could not make these private to this user (owned by someone else?): ${refused.map((r) => r.path).join(', ')}`);
}

async function readable(dir: string): Promise<string> {
  const { access, constants } = await import('node:fs/promises');
  await access(dir, constants.R_OK | constants.W_OK);
  return 'ok';
}

/** The Trust's own values, usable as {placeholders} in any text (office hours in the text's language). */
export function trustValues(config: Config, language: Language = config.LOCALE): Params {
  return {
    trustName: config.TRUST_NAME,
    orgName: config.ESR_ORG_NAME,
    orgCode: config.ESR_ORG_CODE,
    workforceEmail: config.WORKFORCE_EMAIL,
    workforcePhone: config.WORKFORCE_PHONE ?? config.WORKFORCE_EMAIL,
    workforceLocation: config.WORKFORCE_LOCATION,
    leadEmployerEmail: config.LEAD_EMPLOYER_EMAIL,
    officeHours: language === 'cy-GB' ? describeOfficeHoursInWelsh(config.OFFICE_HOURS) : describeOfficeHours(config.OFFICE_HOURS),
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

const WELSH_DAY_NAMES = ['dydd Sul', 'dydd Llun', 'dydd Mawrth', 'dydd Mercher', 'dydd Iau', 'dydd Gwener', 'dydd Sadwrn'];

export function describeOfficeHoursInWelsh(hours: OfficeHours): string {
  const first = WELSH_DAY_NAMES[hours.days[0]!]!;
  const last = WELSH_DAY_NAMES[hours.days[hours.days.length - 1]!]!;
  // "i" softens what follows: i ddydd Gwener.
  const days = hours.days.length === 1 ? first : `${first} i ${last.replace(/^dydd/, 'ddydd')}`;
  return `${days[0]!.toUpperCase()}${days.slice(1)}, ${formatClockTime(hours.opensAt)} i ${formatClockTime(hours.closesAt)}`;
}

async function seedDemoData(config: Config, staff: StaffDirectory, accounts: AccountStore, hasher: PasswordHasher, clock: Clock): Promise<void> {
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
