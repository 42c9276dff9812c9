// The composition root: builds the stores, the ESR service, mail, content, dialogs, the bot and the
// server from a validated Config, and nothing else. Tests build the same app with their own options.
import { join, resolve } from 'node:path';
import type { Server } from 'restify';
import type { CloudAdapter, TurnContext } from 'botbuilder';
import { loadFaq, type Faq } from '../content/faq.js';
import { localOverrideFiles } from '../content/overrideFiles.js';
import { isLanguage, LANGUAGES, type Language, type PerLanguage } from '../content/language.js';
import { perTurn } from '../dialogs/turnLanguage.js';
import { currentOrganisationValues, loadContent, withOrganisationValues, type Content, type Params } from '../content/content.js';
import { BackgroundTasks } from '../core/backgroundTasks.js';
import { systemClock, HOUR, MINUTE, type Clock } from '../core/clock.js';
import { RateLimiter } from '../esr/rateLimiter.js';
import { resetPages } from '../web/resetPages.js';
import { commonPasswords } from '../esr/commonPasswords.js';
import { EsrService } from '../esr/esrService.js';
import { matchStaff } from '../esr/staffMatch.js';
import { Argon2idHasher, type PasswordHasher } from '../esr/passwordHasher.js';
import { PasswordPolicy } from '../esr/passwordPolicy.js';
import type { AccountStore, AuditLog, StaffDirectory, StaffNotifier } from '../esr/ports.js';
import { StaffMailer } from '../mail/staffMailer.js';
import { MailOutbox } from '../mail/outbox.js';
import { OutboxFolderTransport, SmtpTransport, type MailTransport } from '../mail/transport.js';
import type { TornTail } from '../storage/jsonLines.js';
import { tightenTree } from '../storage/privateFiles.js';
import { prepareCards } from '../cards/render.js';
import { LiveUnderstanding } from '../understanding/live.js';
import { understandingSource } from '../understanding/source.js';
import { TicketService } from '../tickets/ticketService.js';
import { formatClockTime } from '../tickets/officeHours.js';
import { LinkSigner } from '../web/signedLinks.js';
import { screenshotRoute } from '../web/screenshotRoute.js';
import { infoPages } from '../web/infoPages.js';
import { dashboard } from '../web/dashboard.js';
import { AttachmentFetcher } from './attachments.js';
import { DeskService, MAX_SCREENSHOT_MB } from '../tickets/deskService.js';
import { OutboxDeskMailer } from '../mail/deskMailer.js';
import { TeamsAgentChannel } from './teamsAgentChannel.js';
import { TeamsHelpDesk } from './teamsHelpDesk.js';
import { TeamsStaffMessenger } from './teamsStaffMessenger.js';
import { RecentTranscript } from './recentTranscript.js';
import { FileMailQueue } from '../storage/fileMailQueue.js';
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
import { loadOrganisations, Organisations, type Organisation } from './organisations.js';
import { Housekeeping } from './housekeeping.js';
import type { Logger } from './logger.js';
import { OnceRegistry } from './onceRegistry.js';
import { shareContentOverrides } from './sharedContent.js';
import { TeamsProfileResolver } from './profiles.js';
import { createServer } from './server.js';
import { TenantPolicy } from './tenantPolicy.js';
import { VersionedBotStorage, EtagCheckedState, conversationStateKey, userStateKey } from './stateStorage.js';

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
  /** Replace the organisations (default: the organisations file, else the settings' one organisation). */
  organisations?: Organisations;
  /** How long a turn waits for its conversation's previous turn on another instance (PostgreSQL; default 10 s). */
  turnLockWaitMs?: number;
  /** With DATABASE_URL: how long a finished turn's lock stays parked on its connection (tests; storage/postgres/pgLocks.ts). */
  turnLockParkMs?: number;
  /** How often content overrides are looked for in the database and in DATA_DIR/content (default 5 s; tests shorten it). */
  contentSyncMs?: number;
}

export interface HelpdeskApp {
  config: Config;
  server: Server;
  adapter: CloudAdapter;
  esr: EsrService;
  content: Content;
  /** The organisations served: from the organisations file, or the settings' one. */
  organisations: Organisations;
  staff: StaffDirectory;
  audit: AuditLog;
  background: BackgroundTasks;
  mail: MailOutbox;
  tickets: TicketService;
  /** The helpdesk's decisions (reports, tasks, agents' actions, relays), whatever the channel. */
  desk: DeskService;
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
  // Checked before anything is opened: a bad entry stops start-up with the entry and field named.
  const organisations = options.organisations ?? (await loadOrganisations(config));
  const valuesOf = (org: Organisation, language: Language = org.defaultLanguage) => organisationValues(org, config, language);
  // For a scope (a turn, a page): the values in whichever language each text is in.
  const scopedValuesOf = (org: Organisation) => (locale: string) => valuesOf(org, isLanguage(locale) ? locale : org.defaultLanguage);
  const onTornTail = (tail: TornTail) =>
    logger.warn({ file: tail.file, tornFile: tail.tornFile, bytes: tail.bytes, action: tail.action }, tail.action === 'moved'
      ? `The last line of ${tail.file} was cut short (a crash while writing); it was moved to ${tail.tornFile} and the file now ends cleanly`
      : `The last line of ${tail.file} lacked its newline (a crash while writing); it was whole and has been kept`);

  // Files in DATA_DIR, or PostgreSQL (migrated first) when DATABASE_URL is set.
  const stores = await openStores(config, {
    dataDir,
    onTornTail,
    onDatabaseError: (error) => logger.error({ err: error }, 'A database connection failed'),
    onTurnLockWait: (conversationId) => logger.debug({ conversationId }, "Waiting for this conversation's previous turn to finish on another instance"),
    ...(options.turnLockWaitMs !== undefined ? { turnLockWaitMs: options.turnLockWaitMs } : {}),
    ...(options.turnLockParkMs !== undefined ? { turnLockParkMs: options.turnLockParkMs } : {}),
    now: () => clock.now(),
  });
  if (stores.mailQueue instanceof FileMailQueue && stores.mailQueue.removedOrphans > 0) {
    logger.info({ folders: stores.mailQueue.removedOrphans, dir: stores.mailQueue.attachmentsDir }, 'Removed attachment folders no queued email named (left by a crash between writing an attachment and queueing its email)');
  }
  if (stores.migrated.length > 0) logger.info({ migrations: stores.migrated.map((m) => `${String(m.version).padStart(3, '0')}_${m.name}`) }, `Applied ${stores.migrated.length} database migration(s)`);
  const { staff, accounts, tokens, audit, limits, screenshots, usage, state, queues, missed, locks } = stores;

  // Both languages are loaded (and checked) at start-up; each person is answered in theirs. The default (the
  // first organisation's defaultLanguage, LOCALE without an organisations file) is used where nobody's language
  // applies: agents, the dashboard. Each person's organisation's default comes with their turn (inOrganisation).
  const orgDefault: Language = organisations.default.defaultLanguage;
  const contentDir = join(dataDir, 'content');
  const contentSyncMs = options.contentSyncMs ?? 5_000;
  // On PostgreSQL the overrides are the database's: copied in before the content is loaded and checked.
  const sharedContent = await shareContentOverrides(stores.contentOverrides, contentDir, logger);
  const loadLanguage = async (language: Language) => ({
    content: await loadContent({ locale: language, overrideDir: join(dataDir, 'content'), globals: valuesOf(organisations.default, language) }),
    faq: await loadFaq(language, join(dataDir, 'content')),
  });
  const loaded: PerLanguage<{ content: Content; faq: Faq }> = { 'en-GB': await loadLanguage('en-GB'), 'cy-GB': await loadLanguage('cy-GB') };
  const contents: PerLanguage<Content> = { 'en-GB': loaded['en-GB'].content, 'cy-GB': loaded['cy-GB'].content };
  const content = contents[orgDefault];
  await sharedContent?.uploadMissing();
  const delivery = options.mailTransport ?? (config.SMTP_URL ? new SmtpTransport(config.SMTP_URL, config.MAIL_FROM) : new OutboxFolderTransport(join(dataDir, 'outbox'), config.MAIL_FROM));
  // Every email is queued durably first, so an SMTP outage delays mail but never loses it.
  const mail = new MailOutbox(stores.mailQueue, delivery, { clock, logger });
  mail.start();
  // Only the simulated ESR (a training copy) has pages for reset and unlock links; against the real ESR we send none.
  const simulated = config.ESR_MODE === 'simulated';
  const notifier: StaffNotifier = new StaffMailer(contents, mail, {
    orgDefault,
    publicUrl: config.PUBLIC_URL,
    timeZone: config.TIME_ZONE,
    tokenTtlHours: config.RESET_LINK_HOURS,
    trainingCopy: simulated,
    // Each email in the words (Trust name, contacts, time zone, default language) of the addressee's organisation.
    organisationOf: (username) => {
      const org = organisations.forUsername(username);
      return { values: (language) => valuesOf(org, language), timeZone: org.timeZone, defaultLanguage: org.defaultLanguage };
    },
  });
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
    await seedDemoData(config, organisations.default.code, staff, accounts, hasher, clock);
    logger.info({ staff: await staff.count() }, 'Seeded the fictional demo staff directory (SEED_DEMO_DATA=true)');
  }
  const stopWatching = stores.watchStaff(5_000, (error) =>
    error ? logger.error({ err: error }, 'The staff directory changed on disk but could not be loaded; keeping the previous one') : logger.info('Reloaded the staff directory'),
  );

  const tickets = new TicketService({ clock, tickets: stores.tickets, screenshots, audit, timeZone: organisations.default.timeZone });
  // Free text is understood from the content as it stands, overrides included; when an admin adds a phrasing,
  // or another instance changes the override files, the index is rebuilt from freshly loaded (and checked) files.
  const understandings = {} as PerLanguage<LiveUnderstanding>;
  const stopWatchers: Array<() => void> = [];
  for (const language of LANGUAGES) {
    understandings[language] = new LiveUnderstanding(understandingSource(loaded[language].content, loaded[language].faq), async () => {
      const fresh = await loadLanguage(language);
      return understandingSource(fresh.content, fresh.faq);
    });
    stopWatchers.push(
      understandings[language].watch([join(contentDir, `${language}.json`), join(contentDir, `faq.${language}.json`)], contentSyncMs, (error) =>
        error ? logger.error({ err: error, language }, 'The content overrides changed but could not be loaded; still understanding with the previous ones') : logger.info({ language }, 'Reloaded the phrases for understanding free text'),
      ),
    );
  }
  const understanding = understandings[orgDefault];
  if (sharedContent) stopWatchers.push(sharedContent.watch(contentSyncMs));
  const stopWatchingContent = () => stopWatchers.forEach((stop) => stop());
  // The same key on every instance on one database, so a link signed on one opens on another.
  const signer = new LinkSigner(await stores.secrets.secret('signing'));

  const botStorage = new VersionedBotStorage(state);
  const conversationState = new EtagCheckedState(botStorage, conversationStateKey);
  const userState = new EtagCheckedState(botStorage, userStateKey);
  const profiles = options.profiles ?? new TeamsProfileResolver(logger, TenantPolicy.fromConfig(config));
  const transcript = new RecentTranscript(stores.transcript, () => clock.now(), (error) => logger.warn({ err: error }, 'Could not record a message in the recent transcript'));
  const adapter = createAdapter(config, content, logger, options.botFramework);
  // ESR_MODE=automation: the Trust's robot unlocks and reactivates accounts first; what it cannot do, or does
  // not answer in time, becomes an ESR admin task for a person (the desk decides, on the outcome).
  const automation = config.ESR_MODE === 'automation' ? createEsrAutomation(config, { clock, logger, store: stores.automationRequests, jobs: locks.jobs }) : undefined;
  const accountAutomation = options.automation ?? automation?.client;
  const appId = config.MicrosoftAppId ?? '';
  const desk = new DeskService({
    tickets,
    esr,
    content,
    contents,
    organisations: { forRecord: (record) => organisations.forRecord(record), forCode: (code) => organisations.forCode(code), all: () => organisations.all(), values: (org, language) => valuesOf(organisations.forCode(org.code), language ?? orgDefault) },
    queues,
    channel: new TeamsAgentChannel({ adapter, appId, queues, content }),
    messenger: new TeamsStaffMessenger({ adapter, appId, ...(options.sleep ? { sleep: options.sleep } : {}) }),
    mail: new OutboxDeskMailer(mail),
    uploads: stores.uploads,
    signer,
    clock,
    log: logger,
    settings: {
      publicUrl: config.PUBLIC_URL,
      esrMode: config.ESR_MODE,
      adminTaskRemindMinutes: config.ADMIN_TASK_REMIND_MINUTES,
      ...(options.automationTurnWaitMs !== undefined ? { automationTurnWaitMs: options.automationTurnWaitMs } : {}),
    },
    background,
    ...(accountAutomation ? { automation: accountAutomation } : {}),
  });
  // The desk's Teams face, for the bot and the dialogs.
  const teamsDesk = new TeamsHelpDesk({
    desk,
    adapter,
    appId,
    profiles,
    transcript,
    queues,
    fetcher: new AttachmentFetcher({ allowedHosts: config.ATTACHMENT_HOSTS, maxBytes: MAX_SCREENSHOT_MB * 1024 * 1024, allowHttp: config.NODE_ENV !== 'production', allowLocalServiceOrigin: config.NODE_ENV !== 'production' }),
    content,
    contents,
    clock,
    logger,
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
    desk: teamsDesk,
    // Each use counted for the person's organisation (the turn's), so the dashboard can show one organisation's.
    usage: {
      record: (event) => {
        const code = currentOrganisationValues()?.orgCode;
        return usage.record({ ...event, ...(code !== undefined ? { organisationCode: String(code) } : {}) });
      },
      since: (at) => usage.since(at),
    },
    missed,
  };
  const main = new MainDialog(dialogDeps, createFlows(dialogDeps));
  // Every turn in the words of the person's own organisation (found from their staff record; unknown: the first),
  // and in its default language unless Teams or the person chose one. One organisation (no organisations file):
  // nothing to look up, the settings' values fill everything as before.
  const inOrganisation = async <T>(context: TurnContext, turn: (defaultLanguage?: Language) => Promise<T>): Promise<T> => {
    if (organisations.all().length === 1) return turn(organisations.default.defaultLanguage);
    const match = await matchStaff(staff, await profiles.resolve(context));
    const record = 'refused' in match ? undefined : match.records[0];
    const org = organisations.forRecord(record);
    return withOrganisationValues(scopedValuesOf(org), () => turn(org.defaultLanguage));
  };
  const bot = new HelpdeskBot({ conversationState, userState, main, dialogDeps, content, contents, orgDefault, profiles, once: new OnceRegistry(state, () => clock.now()), logger, desk: teamsDesk, tickets, transcript, inOrganisation, turnLock: locks.turns, turnEnds: background });
  const housekeeping = new Housekeeping({ clock, logger, tickets, tokens, limits, state, transcript: stores.transcript, desk, retentionDays: config.RETENTION_DAYS, stateIdleDays: 180, jobs: locks.jobs });
  if (options.housekeeping !== false) housekeeping.start();


  // A load balancer polls /healthz every few seconds; counting 2 million rows each time would be most of the
  // database's work (about 0.9 s a count, measured), so the figure is at most a minute old.
  const staffCount = cachedFor(MINUTE, () => staff.count(), () => clock.now().getTime());
  /** Set by close(): stops the warming of understanding and cards after start-up (see listen). */
  let closing = false;
  const server = createServer({
    adapter,
    bot,
    logger,
    health: async () => {
      const mailQueue = await mail.counts();
      return {
        esrMode: config.ESR_MODE,
        staff: await staffCount(),
        dataDir: await readable(dataDir),
        mailQueue,
      };
    },
    routes: [
      ...(simulated
        ? [
            resetPages({
              esr,
              content: contents,
              clock,
              // The shared store, so the guessing limit holds across instances (keys "web-token:...").
              limiter: new RateLimiter(limits),
              tokenLimit: { max: 10, windowMs: 15 * MINUTE },
              trustProxy: config.TRUST_PROXY,
              resetLinkHours: config.RESET_LINK_HOURS,
              organisationOf: (username) => scopedValuesOf(organisations.forUsername(username)),
            }),
          ]
        : []),
      screenshotRoute({ screenshots, signer, clock }),
      infoPages({
        content: contents,
        orgDefault,
        retentionDays: config.RETENTION_DAYS,
        guided: config.ESR_MODE !== 'simulated',
        organisation: (code) => {
          const org = organisations.get(code);
          return org ? { values: (language) => valuesOf(org, language), defaultLanguage: org.defaultLanguage } : undefined;
        },
      }),
      dashboard({
        content,
        tickets,
        desk,
        usage,
        clock,
        logger,
        publicUrl: config.PUBLIC_URL,
        organisations: organisations.all().map((o) => ({ code: o.code, name: o.trustName, timeZone: o.timeZone })),
        unanswered: { missed, understanding, overrides: sharedContent?.files ?? localOverrideFiles(contentDir), locale: orgDefault, load: async () => ({ content: await loadContent({ locale: orgDefault, overrideDir: contentDir, globals: valuesOf(organisations.default, orgDefault) }), faq: await loadFaq(orgDefault, contentDir) }) },
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
    organisations,
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
        server.listen(port, () => {
          resolveListen((server.address() as { port: number }).port);
          // Free-text understanding is trained, and the card engine loaded, a second after listening (half a
          // second of CPU in all), so start-up, the first health checks and an instance's return after a
          // restart do not wait for them; a turn that needs one sooner does it then. One piece per turn of the
          // event loop, so a request arriving meanwhile waits for one piece at most.
          const pieces = [...LANGUAGES.map((language) => () => understandings[language].prepare()), prepareCards];
          const next = () => {
            if (closing) return;
            pieces.shift()?.();
            if (pieces.length > 0) setImmediate(next);
          };
          setTimeout(next, 1_000).unref();
        });
      }),
    close: async () => {
      closing = true;
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

/** The last answer of `load`, asked again once it is older than `ms` (one question at a time). */
function cachedFor<T>(ms: number, load: () => Promise<T>, now: () => number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    if (!last || now() - last.at >= ms) {
      const value = load();
      last = { at: now(), value };
      // A failed count is not kept: the next poll asks again.
      value.catch(() => (last = undefined));
    }
    return last.value;
  };
}

async function readable(dir: string): Promise<string> {
  const { access, constants } = await import('node:fs/promises');
  await access(dir, constants.R_OK | constants.W_OK);
  return 'ok';
}

/** The Trust's own values, usable as {placeholders} in any text (the settings' one organisation; office hours in the text's language). */
export function trustValues(config: Config, language: Language = config.LOCALE): Params {
  return organisationValues(Organisations.fromConfig(config).default, config, language);
}

/** One organisation's values, usable as {placeholders} in any text: its name, contacts and hours (in `language`). */
export function organisationValues(org: Organisation, config: Pick<Config, 'ESR_LOGIN_URL'>, language: Language = org.defaultLanguage): Params {
  return {
    trustName: org.trustName,
    orgName: org.orgName,
    orgCode: org.code,
    workforceEmail: org.workforceEmail,
    workforcePhone: org.workforcePhone ?? org.workforceEmail,
    workforceLocation: org.workforceLocation,
    leadEmployerEmail: org.leadEmployerEmail,
    officeHours: language === 'cy-GB' ? describeOfficeHoursInWelsh(org.officeHours) : describeOfficeHours(org.officeHours),
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

async function seedDemoData(config: Config, orgCode: string, staff: StaffDirectory, accounts: AccountStore, hasher: PasswordHasher, clock: Clock): Promise<void> {
  const demo = demoStaff(orgCode);
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
