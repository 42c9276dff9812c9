// The helpdesk in Teams: turns reports into tickets (with screenshots, email to the right team and a card
// in the agents' channel), runs the agents' card actions, and relays messages both ways while an agent
// has taken a conversation over. The ticket rules live in tickets/; this file is the Teams plumbing.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CloudAdapter } from 'botbuilder';
import { MessageFactory, TurnContext, type Activity, type ConversationParameters, type ConversationReference } from 'botbuilder-core';
import { infoCard, ratingCard } from '../cards/cards.js';
import { inertText } from '../cards/inertText.js';
import { asAttachment, type CardJson } from '../cards/render.js';
import { ticketCard, type TicketVerb } from '../cards/ticketCard.js';
import { withOrganisationValues, type Content, type Params } from '../content/content.js';
import type { Language, PerLanguage } from '../content/language.js';
import { turnLanguage } from '../dialogs/turnLanguage.js';
import type { StaffRecord } from '../esr/types.js';
import type { Organisation } from './organisations.js';
import type { AdminTaskOutcome, AdminTaskRequest, EsrMode, HelpDesk, PendingScreenshot, ProfileResolver, ReportInput, ReportOutcome } from '../dialogs/deps.js';
import type { AccountAutomation, AutomationOutcome, AutomationResult } from '../esr/automation/types.js';
import { tokenise } from '../dialogs/intents.js';
import type { BackgroundTasks } from '../esr/backgroundTasks.js';
import type { Clock } from '../esr/clock.js';
import type { EsrService } from '../esr/esrService.js';
import { taskNoticeEmail } from '../mail/taskEmail.js';
import { ticketEmail } from '../mail/ticketEmail.js';
import type { MailTransport } from '../mail/transport.js';
import { describeNextOpening, isOpen, type OfficeHours } from '../tickets/officeHours.js';
import type { ScreenshotStore } from '../tickets/ports.js';
import { isTicketError, MAX_TICKET_SCREENSHOTS, type TicketService } from '../tickets/ticketService.js';
import type { Agent, Ticket } from '../tickets/types.js';
import { MINUTE } from '../esr/clock.js';
import type { LinkSigner } from '../web/signedLinks.js';
import { attachmentRefs, type AttachmentFetcher } from './attachments.js';
import type { Logger } from './logger.js';
import type { QueueRegistry, QueueScope } from './queues.js';
import type { RecentTranscript } from './recentTranscript.js';

export const MAX_SCREENSHOTS = 5;
export const MAX_SCREENSHOT_MB = 10;
/** Teams shows an error when a reply takes more than ~15 s, so a turn waits at most this for the automation. */
export const AUTOMATION_TURN_WAIT_MS = 10_000;
const SCREENSHOT_LINK_DAYS = 7;

export interface TeamsHelpDeskDeps {
  adapter: CloudAdapter;
  /** The bot's app id ('' when running without credentials). */
  appId: string;
  tickets: TicketService;
  screenshots: ScreenshotStore;
  esr: EsrService;
  /** The organisation's default language's words: for agents (channel cards, thread messages). */
  content: Content;
  /** Both languages' words: what the desk sends a member of staff is in the language they raised the ticket in. */
  contents?: PerLanguage<Content>;
  profiles: ProfileResolver;
  transcript: RecentTranscript;
  queues: QueueRegistry;
  mail: MailTransport;
  fetcher: AttachmentFetcher;
  signer: LinkSigner;
  clock: Clock;
  logger: Logger;
  uploadsDir: string;
  /** The organisations served; without them, everyone is in the settings' one organisation. */
  organisations?: DeskOrganisations;
  settings: {
    publicUrl: string;
    workforceEmail: string;
    leadEmployerEmail: string;
    officeHours: OfficeHours;
    timeZone: string;
    /** Default simulated. Unlock and reactivate go through `automation` first only in automation mode. */
    esrMode?: EsrMode;
    /** An ESR admin task nobody has picked up for this long (in office hours) is posted again; 0: never. */
    adminTaskRemindMinutes?: number;
    /** How long a chat turn waits for the automation's first answer before saying "it's being done"; default 10 s. */
    automationTurnWaitMs?: number;
  };
  /** The Trust's ESR automation (ESR_MODE=automation). */
  automation?: AccountAutomation;
  /** Where the automation's late answers are acted on (app.close waits for them). */
  background?: BackgroundTasks;
  /** Waits before retrying a throttled send; tests pass one that does not really wait. */
  sleep?: (ms: number) => Promise<void>;
}

export interface DeskOrganisations {
  forRecord(record: StaffRecord | undefined): Organisation;
  forCode(code: string | undefined): Organisation;
  all(): Organisation[];
  /** Its {placeholder} values: name, contacts, hours (described in `language`, default the desk's). */
  values(org: Organisation, language?: Language): Params;
}

/** What the desk needs of one organisation: its hours, mailboxes and words. */
interface DeskOrg {
  code?: string;
  officeHours: OfficeHours;
  timeZone: string;
  workforceEmail: string;
  leadEmployerEmail: string;
  content: Content;
}

type Delivery = { ok: true } | { ok: false; reason: 'blocked' | 'throttled' | 'failed' };

interface UploadMeta {
  name: string;
  contentType: string;
  bytes: number;
}

export class TeamsHelpDesk implements HelpDesk {
  readonly maxScreenshots = MAX_SCREENSHOTS;
  readonly maxScreenshotMb = MAX_SCREENSHOT_MB;
  readonly #d: TeamsHelpDeskDeps;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(deps: TeamsHelpDeskDeps) {
    this.#d = deps;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  // ---- staff side: reporting ----

  async collectScreenshots(context: TurnContext, alreadyHave: number): Promise<{ accepted: PendingScreenshot[]; refused: Array<{ name: string; reason: string }> }> {
    const accepted: PendingScreenshot[] = [];
    const refused: Array<{ name: string; reason: string }> = [];
    const refs = attachmentRefs(context.activity.attachments);
    const token = refs.some((r) => r.needsBotToken) ? await this.#botToken(context) : undefined;
    for (const ref of refs) {
      if (alreadyHave + accepted.length >= MAX_SCREENSHOTS) {
        refused.push({ name: ref.name, reason: 'too_many' });
        continue;
      }
      const fetched = await this.#d.fetcher.fetch(ref, token, { serviceUrl: context.activity.serviceUrl });
      if (!fetched.ok) {
        if (fetched.reason === 'host_not_allowed') this.#d.logger.warn({ host: safeHost(ref.url) }, 'Refused to download an attachment from a host not on the allow-list');
        refused.push({ name: ref.name, reason: fetched.reason });
        continue;
      }
      accepted.push(await this.#keepUpload(fetched.name, fetched.contentType, fetched.bytes));
    }
    return { accepted, refused };
  }

  async discard(ids: string[]): Promise<void> {
    await Promise.all(ids.map((id) => rm(this.#uploadPath(id), { force: true, recursive: true })));
  }

  async submit(context: TurnContext, input: ReportInput): Promise<ReportOutcome> {
    const c = this.#d.content;
    const profile = await this.#d.profiles.resolve(context);
    const accounts = await this.#d.esr.findByTeamsIdentity(profile);
    const staffGroup = accounts[0]?.record.staffGroup;
    const team = staffGroup === 'lead_employer_doctor' ? 'leadEmployer' : 'workforce';
    const org = this.#orgOfRecord(accounts[0]?.record);
    const opening = this.#opening(org);
    const existing = await this.#d.tickets.openTicketFor(profile.teamsUserId);
    if (existing) {
      const note = input.wantsPerson ? c.t('report.humanDescription') : [c.t(`report.categories.${input.category}`), input.description, input.errorMessage].filter(Boolean).join(' – ');
      // This report's screenshots go on the ticket too, as the user is told it was "added to it".
      const files = await Promise.all(input.screenshots.map(async (s) => ({ bytes: await readFile(join(this.#uploadPath(s.id), 'bytes')), fileName: s.name })));
      const added = files.length
        ? await this.#d.tickets.addScreenshots(existing.id, files).then(
            (r) => r.screenshots,
            (error: unknown) => {
              if (!isTicketError(error, 'too_many_screenshots')) throw error;
              this.#d.logger.warn({ ticket: existing.ref }, 'The ticket holds the most screenshots it can; those of a later report were not added');
              return [];
            },
          )
        : [];
      const { ticket } = await this.#d.tickets.appendTranscript(existing.id, { from: 'user', name: profile.displayName ?? 'User', text: note, ...(added.length ? { screenshotIds: added.map((s) => s.id) } : {}) });
      await this.discard(input.screenshots.map((s) => s.id));
      await this.refreshCard(ticket);
      const links = added.map((s) => `[${inertText(s.fileName)}](${this.screenshotUrl(ticket, s.id)})`);
      // What staff typed is shown to agents as typed: no links, mentions or formatting of theirs (cards/inertText.ts).
      await this.#postInThread(ticket, [`**${inertText(profile.displayName ?? 'User')}:** ${inertText(note)}`, ...links].join('\n\n'));
      // Without a channel, email is how the team hears of it; with one, the email keeps the mailbox complete.
      await this.#emailTeam(ticket, team, files, { update: note });
      return { ref: ticket.ref, reused: true, team, ...opening };
    }
    const screenshots = await Promise.all(input.screenshots.map(async (s) => ({ bytes: await readFile(join(this.#uploadPath(s.id), 'bytes')), fileName: s.name })));
    const ticket = await this.#d.tickets.create({
      requester: {
        teamsUserId: profile.teamsUserId,
        ...(profile.entraObjectId ? { entraObjectId: profile.entraObjectId } : {}),
        name: profile.displayName ?? accounts[0]?.record.firstName ?? 'Unknown',
        ...(profile.email ?? profile.upn ?? accounts[0]?.record.workEmail ? { email: profile.email ?? profile.upn ?? accounts[0]!.record.workEmail } : {}),
        esrUsernames: accounts.map((a) => a.record.username),
        ...(staffGroup ? { staffGroup } : {}),
        ...this.#languageOf(context),
      },
      category: input.category,
      ...(org.code ? { organisationCode: org.code } : {}),
      description: input.description,
      ...(input.errorMessage ? { errorMessage: input.errorMessage } : {}),
      context: input.context,
      screenshots,
      transcript: await this.#d.transcript.get(context),
      userConversation: TurnContext.getConversationReference(context.activity),
      wantsPerson: input.wantsPerson,
    });
    await this.discard(input.screenshots.map((s) => s.id));
    // The ticket is safe on disk; the email goes through the durable outbox, so an SMTP outage loses nothing.
    await this.#emailTeam(ticket, team, screenshots);
    await this.#postToQueue(ticket);
    return { ref: ticket.ref, reused: false, team, ...opening };
  }

  // ---- staff side: ESR admin tasks ----

  /**
   * An ESR admin task for the person in this conversation, identified from Teams. In automation mode an
   * unlock or reactivate of a single username goes to the Trust's automation first; a person gets the task
   * when the automation fails, is unavailable, or for anything else.
   */
  async raiseAdminTask(context: TurnContext, request: AdminTaskRequest): Promise<AdminTaskOutcome> {
    const c = this.#d.content;
    const profile = await this.#d.profiles.resolve(context);
    const accounts = await this.#d.esr.findByTeamsIdentity(profile);
    const org = this.#orgOfRecord(accounts[0]?.record);
    const opening = this.#opening(org);
    const existing = await this.#d.tickets.openTaskFor(profile.teamsUserId, request.kind);
    if (existing) {
      await this.discard(request.screenshots.map((s) => s.id));
      return { ref: existing.ref, reused: true, state: existing.task?.automation?.state === 'pending' ? 'pending' : 'queued', automationFellBack: false, ...opening };
    }
    const first = accounts[0]?.record;
    const staffGroup = first?.staffGroup;
    const screenshots = await Promise.all(request.screenshots.map(async (s) => ({ bytes: await readFile(join(this.#uploadPath(s.id), 'bytes')), fileName: s.name })));
    const ticket = await this.#d.tickets.create({
      requester: {
        teamsUserId: profile.teamsUserId,
        ...(profile.entraObjectId ? { entraObjectId: profile.entraObjectId } : {}),
        name: profile.displayName ?? (first ? `${first.firstName} ${first.lastName}` : 'Unknown'),
        ...(first?.workEmail ?? profile.email ?? profile.upn ? { email: first?.workEmail ?? profile.email ?? profile.upn } : {}),
        esrUsernames: accounts.map((a) => a.record.username),
        ...(staffGroup ? { staffGroup } : {}),
        ...this.#languageOf(context),
      },
      category: 'login',
      ...(org.code ? { organisationCode: org.code } : {}),
      kind: request.kind,
      task: {
        ...(first ? { organisationCode: first.username.slice(0, 3) } : {}),
        ...(accounts.length === 1 ? { username: first!.username } : {}),
        teams: { ...(profile.upn ? { upn: profile.upn } : {}), ...(profile.email ? { email: profile.email } : {}), ...(profile.displayName ? { displayName: profile.displayName } : {}) },
        tried: request.tried,
      },
      // The bot's words; what the person said of ESR is kept apart, in errorMessage.
      description: c.t(`tasks.kinds.${request.kind}`),
      ...(request.esrSaid ? { errorMessage: request.esrSaid } : {}),
      context: request.context,
      screenshots,
      transcript: await this.#d.transcript.get(context),
      userConversation: TurnContext.getConversationReference(context.activity),
    });
    await this.discard(request.screenshots.map((s) => s.id));
    const automatable = this.#d.settings.esrMode === 'automation' && this.#d.automation && (request.kind === 'unlock' || request.kind === 'reactivate') && accounts.length === 1;
    if (automatable) {
      const state = await this.#automate(ticket, request.kind as 'unlock' | 'reactivate', accounts[0]!.record);
      if (state === 'done' || state === 'pending') return { ref: ticket.ref, reused: false, state, automationFellBack: false, ...opening };
      if (state === 'fell_back') await this.#handToPeople(ticket, screenshots);
      return { ref: ticket.ref, reused: false, state: 'queued', automationFellBack: true, ...opening };
    }
    await this.#handToPeople(ticket, screenshots);
    return { ref: ticket.ref, reused: false, state: 'queued', automationFellBack: false, ...opening };
  }

  /**
   * The automation's late answer (from its callback): done → the person is told; failed → a person gets
   * the task and the person is told it may take longer. Unknown or already finished requests are ignored.
   * Returns whether the outcome was about a task still waiting for it.
   */
  async completeAutomation(outcome: AutomationOutcome): Promise<boolean> {
    return this.#finishAutomation(outcome.id, outcome.outcome, outcome.message);
  }

  async #finishAutomation(requestId: string, state: 'done' | 'failed' | 'unavailable', message?: string): Promise<boolean> {
    const ticket = await this.#d.tickets.taskForAutomation(requestId);
    if (!ticket || ticket.task?.automation?.state !== 'pending') return false;
    await this.#d.tickets.setAutomation(ticket.id, { requestId, state, ...(message ? { message } : {}) });
    if (state === 'done') {
      const result = await this.#d.tickets.completeTask(ticket.id, 'system', { outcome: 'done' }, { channel: 'system' });
      if (result.ok && result.changed) await this.#notifyPerson(result.ticket, this.#doneText(result.ticket));
      return true;
    }
    const fresh = (await this.#d.tickets.get(ticket.id))!;
    await this.#handToPeople(fresh, []);
    await this.#notifyPerson(fresh, this.#personContent(fresh).t('guided.outcome.fellBack'));
    return true;
  }

  /** No callback came in time: as a failure, a person does it. */
  async automationTimedOut(requestId: string): Promise<boolean> {
    return this.completeAutomation({ id: requestId, outcome: 'failed', message: 'timed out' });
  }

  /**
   * Posts again, in the agents' channel, ESR admin tasks that nobody has picked up for
   * ADMIN_TASK_REMIND_MINUTES (since they were raised or last posted), in office hours only.
   */
  async remindWaitingTasks(): Promise<number> {
    const minutes = this.#d.settings.adminTaskRemindMinutes ?? 0;
    const now = this.#d.clock.now();
    if (minutes <= 0) return 0;
    let reminded = 0;
    for (const task of await this.#d.tickets.waitingTasks()) {
      // In the office hours of the task's own organisation.
      const org = this.#orgOf(task);
      if (!isOpen(now, org.officeHours, org.timeZone)) continue;
      // Tasks still with the automation are not waiting for a person yet.
      if (task.task?.automation?.state === 'pending') continue;
      const since = Date.parse(task.task?.remindedAt ?? task.createdAt);
      if (now.getTime() - since < minutes * MINUTE) continue;
      const marked = await this.#d.tickets.markTaskReminded(task.id);
      const c = this.#d.content;
      await this.#postInThread(marked, c.t('agents.reminder', { ref: marked.ref, kind: c.t(`tasks.kinds.${marked.kind!}`), name: marked.requester.name, age: formatAge(now.getTime() - Date.parse(marked.createdAt)) }));
      // A fresh card at the bottom of the channel, where people look; its buttons act on the same task.
      await this.#postToQueue(marked);
      reminded++;
    }
    return reminded;
  }

  // ---- agents' side ----

  /** "use this channel [for ...]" in a channel: makes it (part of) the queue. */
  async useChannel(context: TurnContext, scope: QueueScope): Promise<void> {
    const c = this.#d.content;
    const served = scope.kind === 'organisation' ? this.#deskOrganisation(scope.code) : undefined;
    if (scope.kind === 'organisation' && !served) {
      const codes = this.#servedCodes();
      await context.sendActivity(MessageFactory.text(c.t('agents.queueUnknownOrganisation', { code: scope.code, codes: codes.join(', '), example: codes[0] ?? '' })));
      return;
    }
    const channelData = context.activity.channelData as { channel?: { id?: string; name?: string }; team?: { id?: string } } | undefined;
    const channelId = channelData?.channel?.id ?? context.activity.conversation.id.split(';')[0]!;
    const reference = TurnContext.getConversationReference(context.activity);
    reference.conversation = { ...reference.conversation!, id: channelId };
    await this.#d.queues.use(
      {
        reference: reference,
        channelId,
        ...(channelData?.team?.id ? { teamId: channelData.team.id } : {}),
        ...(channelData?.channel?.name ? { name: channelData.channel.name } : {}),
        setBy: context.activity.from.name ?? context.activity.from.id,
        at: this.#d.clock.now().toISOString(),
      },
      scope,
    );
    const scopeText =
      scope.kind === 'all'
        ? c.t('agents.queueScopeAll')
        : scope.kind === 'tasks'
          ? c.t('agents.queueScopeTasks')
        : scope.kind === 'staffGroup'
          ? c.t('agents.queueScopeGroup', { group: c.t(`agents.staffGroups.${scope.group}`) })
        : scope.kind === 'organisation'
          ? c.t('agents.queueScopeOrganisation', { code: scope.code, name: served!.trustName })
          : c.t('agents.queueScopeCategory', { category: c.t(`report.categories.${scope.category}`) });
    await context.sendActivity(MessageFactory.text(c.t('agents.queueSet', { scope: scopeText })));
    await this.#postWaiting();
  }

  // Tickets raised while no channel would take them were emailed but never posted; a newly chosen channel
  // gets those it now routes, oldest first, so nobody's report waits unseen.
  async #postWaiting(): Promise<void> {
    const waiting = (await this.#d.tickets.list({ status: 'open' })).filter((t) => !t.channelPost).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const ticket of waiting) await this.#postToQueue(ticket);
  }

  /** A card button (Action.Execute) pressed by an agent; returns the card to show, or a message for the loser of a race. */
  async handleAction(context: TurnContext, verb: TicketVerb, ticketId: number, data: { reason?: unknown } = {}): Promise<{ card?: CardJson; message?: string }> {
    const agent: Agent = { id: context.activity.from.aadObjectId ?? context.activity.from.id, name: context.activity.from.name ?? 'Agent' };
    let outcome: Awaited<ReturnType<TeamsHelpDesk['act']>>;
    try {
      outcome = await this.act(verb, ticketId, agent, 'teams', { ...(typeof data.reason === 'string' ? { reason: data.reason } : {}) });
    } catch (error) {
      // A button on a card that is out of date (Unassign on a ticket another agent has just resolved): answer
      // with the card as it is now, rather than an error in the channel.
      if (!isTicketError(error, 'invalid_transition') && !isTicketError(error, 'conflict')) throw error;
      const fresh = await this.#d.tickets.get(ticketId);
      if (!fresh) throw error;
      return { card: this.#card(fresh) };
    }
    if (!outcome.ticket) return { message: outcome.message ?? this.#d.content.t('agents.ticketGone') };
    return { card: this.#card(outcome.ticket), ...(outcome.message ? { message: outcome.message } : {}) };
  }

  /**
   * Take over, unassign, resolve or reopen, from the channel card or the dashboard: the same rules (one
   * winner), the same audit, the user told, and the card in the channel refreshed for everyone.
   */
  async act(verb: TicketVerb, ticketId: number, agent: Agent, channel: 'teams' | 'dashboard', options: { reason?: string } = {}): Promise<{ ok: boolean; ticket?: Ticket; message?: string }> {
    const current = await this.#d.tickets.get(ticketId);
    if (!current) return { ok: false };
    // What the person is told is in the words of their organisation, whoever the agent is.
    const orgs = this.#d.organisations;
    if (!orgs) return this.#act(verb, current, agent, channel, options);
    return withOrganisationValues(orgs.values(orgs.forCode(current.organisationCode ?? current.task?.organisationCode)), () => this.#act(verb, current, agent, channel, options));
  }

  async #act(verb: TicketVerb, current: Ticket, agent: Agent, channel: 'teams' | 'dashboard', options: { reason?: string }): Promise<{ ok: boolean; ticket?: Ticket; message?: string }> {
    // The agent's words (answers to the button) in the desk's language; the person's in theirs.
    const c = this.#d.content;
    const p = this.#personContent(current);
    const ticketId = current.id;
    const opts = { channel };
    let ticket: Ticket;
    switch (verb) {
      case 'takeOver': {
        const result = await this.#d.tickets.takeOver(ticketId, agent, opts);
        if (!result.ok) return { ok: false, ticket: result.ticket, ...(result.reason === 'held_by_other' ? { message: c.t('agents.alreadyHeld', { agent: result.holder.name }) } : {}) };
        ticket = result.ticket;
        if (result.changed) await this.#notifyUser(ticket, p.t('live.takenOver', { agent: agent.name, ref: ticket.ref }));
        break;
      }
      case 'unassign': {
        const result = await this.#d.tickets.unassign(ticketId, agent, opts);
        ticket = result.ticket;
        if (result.changed) await this.#notifyUser(ticket, p.t('live.unassigned', { ref: ticket.ref }));
        break;
      }
      case 'resolve': {
        const result = await this.#d.tickets.resolve(ticketId, agent, opts);
        ticket = result.ticket;
        if (result.changed) {
          await this.#notifyUser(ticket, p.t('live.resolved', { ref: ticket.ref, agent: agent.name }));
          if (current.live) await this.#sendRating(ticket);
        }
        break;
      }
      case 'reopen': {
        const result = await this.#d.tickets.reopen(ticketId, agent, opts);
        ticket = result.ticket;
        if (result.changed) await this.#notifyUser(ticket, p.t('live.reopened', { ref: ticket.ref, agent: agent.name }));
        break;
      }
      case 'taskDone':
      case 'taskFailed': {
        const reason = (options.reason ?? '').trim();
        if (verb === 'taskFailed' && !reason) return { ok: false, ticket: current, message: c.t('agents.reasonRequired') };
        const result = await this.#d.tickets.completeTask(ticketId, agent, verb === 'taskDone' ? { outcome: 'done' } : { outcome: 'not_done', reason }, opts);
        if (!result.ok) {
          const winner = result.ticket.assignee;
          return { ok: false, ticket: result.ticket, message: winner ? c.t('agents.alreadyFinished', { agent: winner.name }) : c.t('agents.alreadyFinishedSystem') };
        }
        ticket = result.ticket;
        if (result.changed) {
          if (verb === 'taskDone') await this.#notifyPerson(ticket, this.#doneText(ticket));
          else await this.#notifyPerson(ticket, p.t('tasks.notDone', { ref: ticket.ref, action: p.t(`tasks.actions.${ticket.kind!}`), reason: ticket.task?.reason ?? reason }), ['human']);
        }
        break;
      }
    }
    await this.refreshCard(ticket);
    return { ok: true, ticket };
  }

  /** A message in a ticket's thread from an agent: relayed to the member of staff, or "hand back". */
  async relayFromAgent(context: TurnContext, ticket: Ticket): Promise<void> {
    const c = this.#d.content;
    const text = (context.activity.text ?? '').trim();
    const agent: Agent = { id: context.activity.from.aadObjectId ?? context.activity.from.id, name: context.activity.from.name ?? 'Agent' };
    if (/^hand ?back\b/i.test(text)) {
      await this.endLive(ticket, agent);
      await context.sendActivity(MessageFactory.text(c.t('agents.handedBack', { name: inertText(ticket.requester.name) })));
      return;
    }
    if (!ticket.live) {
      await context.sendActivity(MessageFactory.text(c.t('agents.notLive')));
      return;
    }
    const { index } = await this.#d.tickets.appendTranscript(ticket.id, { from: 'agent', name: agent.name, text });
    const delivery = await this.#sendToUser(ticket, MessageFactory.text(this.#personContent(ticket).t('live.agentSays', { agent: agent.name, text })));
    await this.#d.tickets.markDelivery(ticket.id, index, delivery.ok, delivery.ok ? undefined : this.#reasonText(delivery.reason));
    if (!delivery.ok) await context.sendActivity(MessageFactory.text(c.t('agents.notDelivered', { name: inertText(ticket.requester.name), reason: this.#reasonText(delivery.reason) })));
  }

  /** A message from the member of staff while an agent holds the conversation: into the ticket's thread. */
  async relayFromUser(context: TurnContext, ticket: Ticket): Promise<void> {
    const text = (context.activity.text ?? '').trim();
    const refs = attachmentRefs(context.activity.attachments);
    const links: string[] = [];
    const ids: string[] = [];
    if (refs.length > 0) {
      const { accepted, refused } = await this.collectScreenshots(context, 0);
      if (accepted.length > 0) {
        const files = await Promise.all(accepted.map(async (s) => ({ bytes: await readFile(join(this.#uploadPath(s.id), 'bytes')), fileName: s.name })));
        try {
          const { screenshots } = await this.#d.tickets.addScreenshots(ticket.id, files);
          for (const s of screenshots) {
            ids.push(s.id);
            links.push(`[${inertText(s.fileName)}](${this.screenshotUrl(ticket, s.id)})`);
          }
        } catch (error) {
          if (!isTicketError(error, 'too_many_screenshots')) throw error;
          await context.sendActivity(MessageFactory.text(this.#personContent(ticket).t('report.refused.too_many', { name: accepted.map((s) => s.name).join(', '), max: MAX_TICKET_SCREENSHOTS })));
        }
      }
      await this.discard(accepted.map((s) => s.id));
      for (const r of refused) await context.sendActivity(MessageFactory.text(this.#personContent(ticket).t(`report.refused.${r.reason as 'too_large'}`, { name: r.name, max: MAX_SCREENSHOTS, maxMb: MAX_SCREENSHOT_MB })));
    }
    if (!text && links.length === 0) return;
    await this.#d.tickets.appendTranscript(ticket.id, { from: 'user', name: ticket.requester.name, text: text || '[screenshot]', ...(ids.length ? { screenshotIds: ids } : {}) });
    // Their words go to the agents as typed (cards/inertText.ts); the screenshot links are the bot's own.
    const body = [text ? inertText(text) : '', ...links].filter(Boolean).join('\n\n');
    await this.#postInThread(ticket, `**${inertText(ticket.requester.name)}:** ${body}`);
  }

  /** Ends a live chat (agent's "hand back", or the user's "end chat"): the user gets the bot back and a rating card. */
  async endLive(ticket: Ticket, by: Agent | 'user'): Promise<void> {
    const c = this.#d.content;
    const { ticket: after, changed } = await this.#d.tickets.endLive(ticket.id, by);
    if (!changed) return;
    if (by === 'user') {
      await this.#postInThread(after, c.t('agents.handedBack', { name: inertText(after.requester.name) }));
    } else {
      await this.#notifyUser(after, this.#personContent(after).t('live.endedByAgent', { agent: by.name, ref: after.ref }));
    }
    await this.#sendRating(after);
    await this.refreshCard(after);
  }

  async rate(ticketId: number, helpful: boolean, comment?: string): Promise<void> {
    await this.#d.tickets.rate(ticketId, helpful, comment);
  }

  isEndChat(text: string): boolean {
    const t = tokenise(text).join(' ');
    const contents = this.#d.contents ? Object.values(this.#d.contents) : [this.#d.content];
    return contents.some((c) => c.list('live.endWords').some((w) => tokenise(w).join(' ') === t));
  }

  /** Updates the ticket's card in the channel for everyone. */
  async refreshCard(ticket: Ticket): Promise<void> {
    const post = ticket.channelPost;
    const queue = post ? await this.#d.queues.get(post.queueId) : undefined;
    if (!post?.activityId || !queue) return;
    try {
      // The card is the first message of its thread, so it is addressed through the thread's conversation id.
      await this.#continue(this.#threadReference(queue.reference, post.threadConversationId ?? queue.channelId), async (ctx) => {
        await ctx.updateActivity({ id: post.activityId!, type: 'message', attachments: [asAttachment(this.#card(ticket))] });
      });
    } catch (error) {
      this.#d.logger.warn({ err: error, ticket: ticket.ref }, 'Could not update the ticket card in the channel');
    }
  }

  screenshotUrl(ticket: Ticket, screenshotId: string): string {
    const expires = new Date(this.#d.clock.now().getTime() + SCREENSHOT_LINK_DAYS * 86_400_000);
    return `${this.#d.settings.publicUrl}${this.#d.signer.sign(`/screenshots/${ticket.id}/${screenshotId}`, expires)}`;
  }

  /** Deletes screenshots kept aside for reports that were never sent. */
  async purgeUploads(olderThanMs: number): Promise<number> {
    let removed = 0;
    const cutoff = this.#d.clock.now().getTime() - olderThanMs;
    for (const name of await readdir(this.#d.uploadsDir).catch(() => [] as string[])) {
      const path = join(this.#d.uploadsDir, name);
      if ((await stat(path)).mtimeMs < cutoff) {
        await rm(path, { recursive: true, force: true });
        removed++;
      }
    }
    return removed;
  }

  // ---- internals ----

  #orgOf(ticket: Ticket): DeskOrg {
    return this.#deskOrg(this.#d.organisations?.forCode(ticket.organisationCode ?? ticket.task?.organisationCode));
  }

  #orgOfRecord(record: StaffRecord | undefined): DeskOrg {
    return this.#deskOrg(this.#d.organisations?.forRecord(record));
  }

  /** The language the person is using in this turn, to record on what they raise. */
  #languageOf(context: TurnContext): { language?: Language } {
    const language = turnLanguage(context);
    return language ? { language } : {};
  }

  /** The language of the person who raised the ticket: the one they raised it in, else their organisation's default. */
  #languageOfTicket(ticket: Ticket): Language {
    if (ticket.requester.language) return ticket.requester.language;
    return this.#d.organisations?.forCode(ticket.organisationCode ?? ticket.task?.organisationCode).defaultLanguage ?? (this.#d.content.locale === 'cy-GB' ? 'cy-GB' : 'en-GB');
  }

  /** The words for what the desk sends the person: their language, their organisation's values (in that language). */
  #personContent(ticket: Ticket): Content {
    const language = this.#languageOfTicket(ticket);
    const content = this.#d.contents?.[language] ?? this.#d.content;
    const orgs = this.#d.organisations;
    if (!orgs) return content;
    return content.withGlobals(orgs.values(orgs.forCode(ticket.organisationCode ?? ticket.task?.organisationCode), language));
  }

  #deskOrg(org: Organisation | undefined): DeskOrg {
    const s = this.#d.settings;
    if (!org || !this.#d.organisations) return { officeHours: s.officeHours, timeZone: s.timeZone, workforceEmail: s.workforceEmail, leadEmployerEmail: s.leadEmployerEmail, content: this.#d.content };
    return {
      code: org.code,
      officeHours: org.officeHours,
      timeZone: org.timeZone,
      workforceEmail: org.workforceEmail,
      leadEmployerEmail: org.leadEmployerEmail,
      content: this.#d.content.withGlobals(this.#d.organisations.values(org)),
    };
  }

  // An organisation this desk serves (the settings' one when there is no organisations file).
  #deskOrganisation(code: string): { trustName: string } | undefined {
    const o = this.#d.organisations;
    if (!o) return undefined;
    const org = o.forCode(code);
    return org.code === code ? org : undefined;
  }

  #servedCodes(): string[] {
    return this.#d.organisations?.all().map((o) => o.code) ?? [];
  }

  #opening(org: DeskOrg): { teamIsIn: boolean; nextOpening: string } {
    const now = this.#d.clock.now();
    return { teamIsIn: isOpen(now, org.officeHours, org.timeZone), nextOpening: describeNextOpening(now, org.officeHours, org.timeZone) };
  }

  #doneText(ticket: Ticket): string {
    return this.#personContent(ticket).t(`tasks.done.${ticket.kind ?? 'other'}`, { ref: ticket.ref });
  }

  // The automation first; 'fell_back' when a person must do it after all ('handed_over' when a callback
  // that beat the first answer has already given it to them).
  async #automate(ticket: Ticket, action: 'unlock' | 'reactivate', record: { username: string; firstName: string; lastName: string; workEmail: string }): Promise<'done' | 'pending' | 'fell_back' | 'handed_over'> {
    const requestId = randomUUID();
    // Recorded before asking, so a callback that beats the first answer still finds its task.
    await this.#d.tickets.setAutomation(ticket.id, { requestId, state: 'pending' });
    const answer = this.#d.automation!.request({
      id: requestId,
      action,
      username: record.username,
      organisationCode: record.username.slice(0, 3),
      employee: { firstName: record.firstName, lastName: record.lastName, workEmail: record.workEmail },
      requestedAt: this.#d.clock.now().toISOString(),
    }).catch((error: unknown): AutomationResult => {
      this.#d.logger.warn({ err: error, ticket: ticket.ref }, 'The ESR automation client failed; a person will do the task');
      return { kind: 'unavailable', reason: 'client error' };
    });
    const result = await withinMs(answer, this.#d.settings.automationTurnWaitMs ?? AUTOMATION_TURN_WAIT_MS);
    if (result === undefined) {
      // The person hears "it's being done" now; the answer, when it comes, is acted on like a callback.
      const settle = async () => {
        const late = await answer;
        if (late.kind === 'pending') return;
        await this.#finishAutomation(requestId, late.kind, late.kind === 'unavailable' ? late.reason : late.message);
      };
      if (this.#d.background) this.#d.background.run('ESR automation answer', settle);
      else void settle().catch((error: unknown) => this.#d.logger.error({ err: error, ticket: ticket.ref }, 'The late ESR automation answer could not be acted on'));
      return 'pending';
    }
    // The callback may have finished it while we waited for the first answer.
    const now = await this.#d.tickets.get(ticket.id);
    // Then completeAutomation has already told the person, and handed a failure to people.
    if (now?.task?.automation?.state !== 'pending') return now?.status === 'resolved' ? 'done' : 'handed_over';
    if (result.kind === 'pending') return 'pending';
    if (result.kind === 'done') {
      await this.#d.tickets.setAutomation(ticket.id, { requestId, state: 'done', ...(result.message ? { message: result.message } : {}) });
      await this.#d.tickets.completeTask(ticket.id, 'system', { outcome: 'done' }, { channel: 'system' });
      return 'done';
    }
    const message = result.kind === 'failed' ? result.message : result.reason;
    await this.#d.tickets.setAutomation(ticket.id, { requestId, state: result.kind, ...(message ? { message } : {}) });
    return 'fell_back';
  }

  // A task for a person: the team's email (the record when there is no channel) and a card in the channel.
  async #handToPeople(ticket: Ticket, screenshots: Array<{ bytes: Buffer }>): Promise<void> {
    const team = ticket.requester.staffGroup === 'lead_employer_doctor' ? 'leadEmployer' : 'workforce';
    await this.#emailTeam(ticket, team, screenshots);
    await this.#postToQueue(ticket);
  }

  /** Tells the person in Teams, and by email when Teams cannot reach them. */
  async #notifyPerson(ticket: Ticket, text: string, next: Array<'human'> = []): Promise<void> {
    const c = this.#d.content;
    const activity = next.length ? MessageFactory.attachment(asAttachment(infoCard(this.#personContent(ticket), { title: ticket.ref, intro: text, next }))) : MessageFactory.text(text);
    const delivery = await this.#sendToUser(ticket, activity);
    const { index } = await this.#d.tickets.appendTranscript(ticket.id, { from: 'system', text });
    await this.#d.tickets.markDelivery(ticket.id, index, delivery.ok, delivery.ok ? undefined : this.#reasonText(delivery.reason));
    if (delivery.ok) return;
    const email = taskNoticeEmail(this.#personContent(ticket), ticket, text, this.#languageOfTicket(ticket));
    if (email) await this.#d.mail.send(email);
    await this.#postInThread(ticket, c.t('agents.notDelivered', { name: ticket.requester.name, reason: this.#reasonText(delivery.reason) }));
  }

  #card(ticket: Ticket): CardJson {
    const tz = this.#orgOf(ticket).timeZone;
    return ticketCard(this.#d.content, ticket, {
      screenshotUrl: (t, id) => this.screenshotUrl(t, id),
      formatTime: (iso) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }).format(new Date(iso)),
    });
  }

  async #keepUpload(name: string, contentType: string, bytes: Buffer): Promise<PendingScreenshot> {
    const id = randomBytes(12).toString('base64url');
    const dir = this.#uploadPath(id);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(join(dir, 'bytes'), bytes, { mode: 0o600 });
    await writeFile(join(dir, 'meta.json'), JSON.stringify({ name, contentType, bytes: bytes.length } satisfies UploadMeta), { mode: 0o600 });
    return { id, name, bytes: bytes.length, contentType };
  }

  #uploadPath(id: string): string {
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) throw new Error('bad upload id');
    return join(this.#d.uploadsDir, id);
  }

  async #emailTeam(ticket: Ticket, team: 'workforce' | 'leadEmployer', screenshots: Array<{ bytes: Buffer }>, options: { update?: string } = {}): Promise<void> {
    // The ticket's own organisation's team, in its words.
    const org = this.#orgOf(ticket);
    const to = team === 'leadEmployer' ? org.leadEmployerEmail : org.workforceEmail;
    await this.#d.mail.send(ticketEmail(org.content, ticket, { to, screenshots, ...(options.update ? { update: options.update } : {}) }));
  }


  async #postToQueue(ticket: Ticket): Promise<void> {
    const organisationCode = this.#orgOf(ticket).code;
    const org = organisationCode ? { organisationCode } : {};
    const queue = (ticket.kind ? await this.#d.queues.routeTask(org) : undefined) ?? await this.#d.queues.route({ category: ticket.category, ...(ticket.requester.staffGroup ? { staffGroup: ticket.requester.staffGroup } : {}), ...org });
    if (!queue) return;
    try {
      // A new thread in the channel: its first message is the ticket card; replies form the ticket's thread.
      let posted: { activityId: string; threadConversationId: string } | undefined;
      const serviceUrl = typeof queue.reference.serviceUrl === 'string' ? queue.reference.serviceUrl : '';
      const parameters = { isGroup: true, channelData: { channel: { id: queue.channelId } }, activity: MessageFactory.attachment(asAttachment(this.#card(ticket))) as Activity } as ConversationParameters;
      await this.#d.adapter.createConversationAsync(this.#d.appId, 'msteams', serviceUrl, '', parameters, async (ctx) => {
        // Teams answers with the thread's conversation id, "<channel>;messageid=<id of the first message>".
        const threadConversationId = ctx.activity.conversation.id;
        const activityId = /;messageid=(.+)$/.exec(threadConversationId)?.[1] ?? ctx.activity.id ?? '';
        posted = { activityId, threadConversationId };
        return Promise.resolve();
      });
      if (posted) await this.#d.tickets.setChannelPost(ticket.id, { queueId: queue.id, ...posted });
    } catch (error) {
      // The ticket exists and the team has the email; the channel post can be missing without loss.
      this.#d.logger.error({ err: error, ticket: ticket.ref }, 'Could not post the ticket to the agents\' channel');
    }
  }

  #threadReference(channel: Record<string, unknown>, conversationId: string): Record<string, unknown> {
    return { ...channel, conversation: { ...(channel.conversation as object), id: conversationId } };
  }

  async #postInThread(ticket: Ticket, text: string): Promise<void> {
    const post = ticket.channelPost;
    const queue = post ? await this.#d.queues.get(post.queueId) : undefined;
    if (!post?.threadConversationId || !queue) return;
    try {
      await this.#continue(this.#threadReference(queue.reference, post.threadConversationId), async (ctx) => {
        await ctx.sendActivity(MessageFactory.text(text));
      });
    } catch (error) {
      this.#d.logger.warn({ err: error, ticket: ticket.ref }, 'Could not post in the ticket thread');
    }
  }

  async #notifyUser(ticket: Ticket, text: string): Promise<void> {
    const delivery = await this.#sendToUser(ticket, MessageFactory.text(text));
    const { index } = await this.#d.tickets.appendTranscript(ticket.id, { from: 'system', text });
    await this.#d.tickets.markDelivery(ticket.id, index, delivery.ok, delivery.ok ? undefined : this.#reasonText(delivery.reason));
    if (!delivery.ok) await this.#postInThread(ticket, this.#d.content.t('agents.notDelivered', { name: inertText(ticket.requester.name), reason: this.#reasonText(delivery.reason) }));
  }

  async #sendRating(ticket: Ticket): Promise<void> {
    const card = ratingCard(this.#personContent(ticket), ticket);
    await this.#sendToUser(ticket, MessageFactory.attachment(asAttachment(card)));
  }

  // Teams may refuse: 403 when the user blocked the bot (no point retrying), 429 when sending too fast
  // (wait as long as Retry-After says, a few times). Nothing throws out of here.
  async #sendToUser(ticket: Ticket, activity: Partial<Activity>): Promise<Delivery> {
    const outgoing = activity as Activity;
    for (let attempt = 0; attempt < 4; attempt++) {
      try {
        await this.#continue(ticket.userConversation, async (ctx) => {
          await ctx.sendActivity(outgoing);
        });
        return { ok: true };
      } catch (error) {
        const status = statusOf(error);
        if (status === 403) return { ok: false, reason: 'blocked' };
        if (status === 429 && attempt < 3) {
          await this.#sleep(Math.min(retryAfterMs(error) ?? 1000 * 2 ** attempt, 30_000));
          continue;
        }
        this.#d.logger.warn({ err: error, ticket: ticket.ref, status }, 'Could not deliver a message to the user');
        return { ok: false, reason: status === 429 ? 'throttled' : 'failed' };
      }
    }
    return { ok: false, reason: 'throttled' };
  }

  #reasonText(reason: 'blocked' | 'throttled' | 'failed'): string {
    const c = this.#d.content;
    return reason === 'blocked' ? c.t('agents.blocked') : reason === 'throttled' ? c.t('agents.throttled') : c.t('guard.error');
  }

  // The adapter hands an error thrown inside `logic` to onTurnError, which swallows it (and tries to tell
  // that conversation "something went wrong"): a 403 or 429 would look delivered. Catch it here and rethrow.
  async #continue(reference: Partial<ConversationReference> | Record<string, unknown>, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: { error: unknown } | undefined;
    await this.#d.adapter.continueConversationAsync(this.#d.appId, reference, async (context) => {
      try {
        await logic(context);
      } catch (error) {
        failure = { error };
      }
    });
    if (failure) throw failure.error;
  }

  async #botToken(context: TurnContext): Promise<string | undefined> {
    if (!this.#d.appId) return undefined;
    const client = context.turnState.get<{ credentials?: { getToken?: (force?: boolean) => Promise<string> } } | undefined>(this.#d.adapter.ConnectorClientKey);
    try {
      return await client?.credentials?.getToken?.();
    } catch (error) {
      this.#d.logger.warn({ err: error }, 'Could not get a token to download an attachment');
      return undefined;
    }
  }
}

function formatAge(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

function statusOf(error: unknown): number | undefined {
  const e = error as { statusCode?: unknown; status?: unknown; response?: { status?: unknown } };
  const s = e.statusCode ?? e.status ?? e.response?.status;
  return typeof s === 'number' ? s : undefined;
}

function retryAfterMs(error: unknown): number | undefined {
  const headers = (error as { response?: { headers?: { get?: (n: string) => string | undefined } } }).response?.headers;
  const value = headers?.get?.('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  return Number.isFinite(seconds) ? seconds * 1000 : undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid url';
  }
}

/** The promise's value if it settles within `ms`, else undefined (the promise goes on). */
async function withinMs<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
