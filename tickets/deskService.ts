// The helpdesk: turns reports into tickets (with screenshots, email to the right team and a card in the
// agents' channel), raises ESR admin tasks (the Trust's automation first, where there is one), runs the
// agents' actions (one winner), relays messages both ways while an agent has a conversation, and decides
// who is told what, in which language. It knows nothing of Teams: it reaches people through the ports in
// channels.ts, and the Teams runtime (bot/teamsHelpDesk.ts) hands it plain inputs.
import { randomUUID } from 'node:crypto';
import { withOrganisationValues, type Content } from '../content/content.js';
import type { Language, PerLanguage } from '../content/language.js';
import type { AccountAutomation, AutomationOutcome, AutomationResult } from '../esr/automation/types.js';
import type { BackgroundTasks } from '../core/backgroundTasks.js';
import { MINUTE, type Clock } from '../core/clock.js';
import type { EsrService } from '../esr/esrService.js';
import type { StaffRecord } from '../esr/types.js';
import type { AgentChannel, CardView, ChannelScope, DeskMailer, Delivery, QueueRouting, StaffMessage, StaffMessenger } from './channels.js';
import { mailboxOf, queueFor, teamFor, type Team } from './deskRouting.js';
import type {
  ActOutcome,
  AdminTaskOutcome,
  AdminTaskRequest,
  AgentVerb,
  CollectedScreenshots,
  DeskOrganisation,
  DeskOrganisations,
  PendingScreenshot,
  ReportInput,
  ReportOutcome,
  ScreenshotSource,
  StaffAsking,
} from './deskTypes.js';
import { inertText } from './inertText.js';
import { describeNextOpening, isOpen, type OfficeHours } from './officeHours.js';
import type { UploadStaging } from './ports.js';
import { isTicketError, MAX_SCREENSHOT_BYTES, MAX_SCREENSHOTS, MAX_TICKET_SCREENSHOTS, type NewScreenshot, type TicketService } from './ticketService.js';
import type { Agent, Ticket } from './types.js';

export const MAX_SCREENSHOT_MB = MAX_SCREENSHOT_BYTES / 1024 / 1024;
/** Teams shows an error when a reply takes more than ~15 s, so a turn waits at most this for the automation. */
export const AUTOMATION_TURN_WAIT_MS = 10_000;
const SCREENSHOT_LINK_DAYS = 7;

/** What the desk logs (pino's logger fits). Never message text. */
export interface DeskLog {
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface DeskServiceDeps {
  tickets: TicketService;
  /** Who a person is in ESR, from their Teams identity. */
  esr: Pick<EsrService, 'findByTeamsIdentity'>;
  /** The organisation's default language's words: for agents (channel cards, thread messages). */
  content: Content;
  /** Both languages' words: what the desk sends a member of staff is in the language they raised the ticket in. */
  contents?: PerLanguage<Content>;
  /** The organisations served (one, from the settings, when there is no organisations file). */
  organisations: DeskOrganisations;
  queues: QueueRouting;
  channel: AgentChannel;
  messenger: StaffMessenger;
  mail: DeskMailer;
  uploads: UploadStaging;
  /** Signs screenshot links for agents (web/signedLinks.ts). */
  signer: { sign(path: string, expiresAt: Date): string };
  clock: Clock;
  log: DeskLog;
  settings: {
    publicUrl: string;
    /** Default simulated. Unlock and reactivate go through `automation` first only in automation mode. */
    esrMode?: 'guided' | 'automation' | 'simulated';
    /** An ESR admin task nobody has picked up for this long (in office hours) is posted again; 0: never. */
    adminTaskRemindMinutes?: number;
    /** How long a chat turn waits for the automation's first answer before saying "it's being done"; default 10 s. */
    automationTurnWaitMs?: number;
  };
  /** The Trust's ESR automation (ESR_MODE=automation). */
  automation?: AccountAutomation;
  /** Where the automation's late answers are acted on (app.close waits for them). */
  background?: BackgroundTasks;
}

/** What the desk needs of one organisation: its hours, mailboxes and words. */
interface DeskOrg {
  code: string;
  officeHours: OfficeHours;
  timeZone: string;
  workforceEmail: string;
  leadEmployerEmail: string;
  content: Content;
}

type Reply = (text: string) => Promise<void>;

export class DeskService {
  readonly maxScreenshots = MAX_SCREENSHOTS;
  readonly maxScreenshotMb = MAX_SCREENSHOT_MB;
  readonly #d: DeskServiceDeps;

  constructor(deps: DeskServiceDeps) {
    this.#d = deps;
  }

  // ---- staff side: reporting ----

  /** Fetches and keeps aside the files of one message, as many as a report has room for. */
  async collectScreenshots(sources: ScreenshotSource[], alreadyHave: number): Promise<CollectedScreenshots> {
    const accepted: PendingScreenshot[] = [];
    const refused: Array<{ name: string; reason: string }> = [];
    for (const source of sources) {
      // Counted before downloading: a sixth file is never fetched.
      if (alreadyHave + accepted.length >= MAX_SCREENSHOTS) {
        refused.push({ name: source.name, reason: 'too_many' });
        continue;
      }
      const fetched = await source.fetch();
      if (!fetched.ok) {
        refused.push({ name: source.name, reason: fetched.reason });
        continue;
      }
      accepted.push(await this.#d.uploads.keep({ name: fetched.name, contentType: fetched.contentType, bytes: fetched.bytes }));
    }
    return { accepted, refused };
  }

  /** Drops screenshots kept aside for a report that was cancelled (or has been filed). */
  async discard(ids: string[]): Promise<void> {
    await this.#d.uploads.discard(ids);
  }

  async submit(from: StaffAsking, input: ReportInput): Promise<ReportOutcome> {
    const c = this.#d.content;
    const { profile } = from;
    const accounts = await this.#d.esr.findByTeamsIdentity(profile);
    const staffGroup = accounts[0]?.record.staffGroup;
    const team = teamFor(staffGroup);
    const org = this.#orgOfRecord(accounts[0]?.record);
    const opening = this.#opening(org);
    const existing = await this.#d.tickets.openTicketFor(profile.teamsUserId);
    if (existing) {
      const note = input.wantsPerson ? c.t('report.humanDescription') : [c.t(`report.categories.${input.category}`), input.description, input.errorMessage].filter(Boolean).join(' – ');
      // This report's screenshots go on the ticket too, as the user is told it was "added to it".
      const files = await this.#staged(input.screenshots);
      const added = files.length
        ? await this.#d.tickets.addScreenshots(existing.id, files).then(
            (r) => r.screenshots,
            (error: unknown) => {
              if (!isTicketError(error, 'too_many_screenshots')) throw error;
              this.#d.log.warn({ ticket: existing.ref }, 'The ticket holds the most screenshots it can; those of a later report were not added');
              return [];
            },
          )
        : [];
      const { ticket } = await this.#d.tickets.appendTranscript(existing.id, { from: 'user', name: profile.displayName ?? 'User', text: note, ...(added.length ? { screenshotIds: added.map((s) => s.id) } : {}) });
      await this.discard(input.screenshots.map((s) => s.id));
      await this.refreshCard(ticket);
      const links = added.map((s) => `[${inertText(s.fileName)}](${this.screenshotUrl(ticket, s.id)})`);
      // What staff typed is shown to agents as typed: no links, mentions or formatting of theirs (inertText.ts).
      await this.#postInThread(ticket, [`**${inertText(profile.displayName ?? 'User')}:** ${inertText(note)}`, ...links].join('\n\n'));
      // Without a channel, email is how the team hears of it; with one, the email keeps the mailbox complete.
      await this.#emailTeam(ticket, team, files, { update: note });
      return { ref: ticket.ref, reused: true, team, ...opening };
    }
    const screenshots = await this.#staged(input.screenshots);
    const ticket = await this.#d.tickets.create({
      requester: {
        teamsUserId: profile.teamsUserId,
        ...(profile.entraObjectId ? { entraObjectId: profile.entraObjectId } : {}),
        name: profile.displayName ?? accounts[0]?.record.firstName ?? 'Unknown',
        ...(profile.email ?? profile.upn ?? accounts[0]?.record.workEmail ? { email: profile.email ?? profile.upn ?? accounts[0]!.record.workEmail } : {}),
        esrUsernames: accounts.map((a) => a.record.username),
        ...(staffGroup ? { staffGroup } : {}),
        ...(from.language ? { language: from.language } : {}),
      },
      category: input.category,
      organisationCode: org.code,
      description: input.description,
      ...(input.errorMessage ? { errorMessage: input.errorMessage } : {}),
      context: input.context,
      screenshots,
      transcript: from.transcript,
      userConversation: from.conversation,
      wantsPerson: input.wantsPerson,
    });
    await this.discard(input.screenshots.map((s) => s.id));
    // The ticket is safe in its store; the email goes through the durable outbox, so an SMTP outage loses nothing.
    await this.#emailTeam(ticket, team, screenshots);
    await this.#postToQueue(ticket);
    return { ref: ticket.ref, reused: false, team, ...opening };
  }

  // ---- staff side: ESR admin tasks ----

  /**
   * An ESR admin task for the person asking, identified from Teams. In automation mode an unlock or
   * reactivate of a single username goes to the Trust's automation first; a person gets the task when the
   * automation fails, is unavailable, or for anything else.
   */
  async raiseAdminTask(from: StaffAsking, request: AdminTaskRequest): Promise<AdminTaskOutcome> {
    const c = this.#d.content;
    const { profile } = from;
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
    const screenshots = await this.#staged(request.screenshots);
    const ticket = await this.#d.tickets.create({
      requester: {
        teamsUserId: profile.teamsUserId,
        ...(profile.entraObjectId ? { entraObjectId: profile.entraObjectId } : {}),
        name: profile.displayName ?? (first ? `${first.firstName} ${first.lastName}` : 'Unknown'),
        ...(first?.workEmail ?? profile.email ?? profile.upn ? { email: first?.workEmail ?? profile.email ?? profile.upn } : {}),
        esrUsernames: accounts.map((a) => a.record.username),
        ...(staffGroup ? { staffGroup } : {}),
        ...(from.language ? { language: from.language } : {}),
      },
      category: 'login',
      organisationCode: org.code,
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
      transcript: from.transcript,
      userConversation: from.conversation,
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

  /** No callback came in time: as a failure, a person does it. */
  async automationTimedOut(requestId: string): Promise<boolean> {
    return this.completeAutomation({ id: requestId, outcome: 'failed', message: 'timed out' });
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

  /** Why a channel cannot take this scope (an organisation this desk does not serve), for the agent; undefined when it can. */
  refuseChannelScope(scope: ChannelScope): string | undefined {
    if (scope.kind !== 'organisation' || this.#servedOrganisation(scope.code)) return undefined;
    const codes = this.#d.organisations.all().map((o) => o.code);
    return this.#d.content.t('agents.queueUnknownOrganisation', { code: scope.code, codes: codes.join(', '), example: codes[0] ?? '' });
  }

  /** What the agent is told once their channel has been given a scope. */
  channelScopeSet(scope: ChannelScope): string {
    const c = this.#d.content;
    const scopeText =
      scope.kind === 'all'
        ? c.t('agents.queueScopeAll')
        : scope.kind === 'tasks'
          ? c.t('agents.queueScopeTasks')
        : scope.kind === 'staffGroup'
          ? c.t('agents.queueScopeGroup', { group: c.t(`agents.staffGroups.${scope.group}`) })
        : scope.kind === 'organisation'
          ? c.t('agents.queueScopeOrganisation', { code: scope.code, name: this.#servedOrganisation(scope.code)?.trustName ?? scope.code })
          : c.t('agents.queueScopeCategory', { category: c.t(`report.categories.${scope.category}`) });
    return c.t('agents.queueSet', { scope: scopeText });
  }

  /**
   * Tickets raised while no channel would take them were emailed but never posted; once a channel is chosen,
   * each goes where it is now routed, oldest first, so nobody's report waits unseen.
   */
  async postWaiting(): Promise<void> {
    const waiting = (await this.#d.tickets.list({ status: 'open' })).filter((t) => !t.channelPost).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
    for (const ticket of waiting) await this.#postToQueue(ticket);
  }

  /**
   * A button on a ticket's card: the action, or, for a card that is out of date (Unassign on a ticket
   * another agent has just resolved), the ticket as it is now rather than an error in the channel.
   */
  async actOnCard(verb: AgentVerb, ticketId: number, agent: Agent, data: { reason?: unknown } = {}): Promise<{ ticket?: Ticket; message?: string }> {
    let outcome: ActOutcome;
    try {
      outcome = await this.act(verb, ticketId, agent, 'teams', typeof data.reason === 'string' ? { reason: data.reason } : {});
    } catch (error) {
      if (!isTicketError(error, 'invalid_transition') && !isTicketError(error, 'conflict')) throw error;
      const fresh = await this.#d.tickets.get(ticketId);
      if (!fresh) throw error;
      return { ticket: fresh };
    }
    if (!outcome.ticket) return { message: outcome.message ?? this.#d.content.t('agents.ticketGone') };
    return { ticket: outcome.ticket, ...(outcome.message ? { message: outcome.message } : {}) };
  }

  /**
   * Take over, unassign, resolve or reopen, from the channel card or the dashboard: the same rules (one
   * winner), the same audit, the user told, and the card in the channel refreshed for everyone.
   */
  async act(verb: AgentVerb, ticketId: number, agent: Agent, channel: 'teams' | 'dashboard', options: { reason?: string } = {}): Promise<ActOutcome> {
    const current = await this.#d.tickets.get(ticketId);
    if (!current) return { ok: false };
    // What the person is told is in the words of their organisation, whoever the agent is.
    const orgs = this.#d.organisations;
    return withOrganisationValues(orgs.values(orgs.forCode(current.organisationCode ?? current.task?.organisationCode)), () => this.#act(verb, current, agent, channel, options));
  }

  async #act(verb: AgentVerb, current: Ticket, agent: Agent, channel: 'teams' | 'dashboard', options: { reason?: string }): Promise<ActOutcome> {
    // The agent's words (answers to the button) in the desk's language; the person's in theirs.
    const c = this.#d.content;
    const p = this.#personContent(current);
    const ticketId = current.id;
    const opts = { channel };
    let ticket: Ticket;
    switch (verb) {
      case 'takeOver': {
        // The ticket service's compare-and-set makes one of two agents the winner; the other is told who.
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

  /** A message in a ticket's thread from an agent: "hand back" ends the chat; otherwise it goes to the member of staff while the chat is live. */
  async relayFromAgent(ticket: Ticket, agent: Agent, said: string, reply: Reply): Promise<void> {
    const c = this.#d.content;
    const text = said.trim();
    if (/^hand ?back\b/i.test(text)) {
      await this.endLive(ticket, agent);
      await reply(c.t('agents.handedBack', { name: inertText(ticket.requester.name) }));
      return;
    }
    if (!ticket.live) {
      await reply(c.t('agents.notLive'));
      return;
    }
    const { index } = await this.#d.tickets.appendTranscript(ticket.id, { from: 'agent', name: agent.name, text });
    const delivery = await this.#send(ticket, { kind: 'text', text: this.#personContent(ticket).t('live.agentSays', { agent: agent.name, text }) });
    await this.#d.tickets.markDelivery(ticket.id, index, delivery.ok, delivery.ok ? undefined : this.#reasonText(delivery.reason));
    if (!delivery.ok) await reply(c.t('agents.notDelivered', { name: inertText(ticket.requester.name), reason: this.#reasonText(delivery.reason) }));
  }

  /** A message from the member of staff while an agent holds the conversation: into the ticket's thread, screenshots and all. */
  async relayFromUser(ticket: Ticket, message: { text: string; screenshots: ScreenshotSource[] }, reply: Reply): Promise<void> {
    const text = message.text.trim();
    const p = this.#personContent(ticket);
    const links: string[] = [];
    const ids: string[] = [];
    if (message.screenshots.length > 0) {
      const { accepted, refused } = await this.collectScreenshots(message.screenshots, 0);
      if (accepted.length > 0) {
        const files = await this.#staged(accepted);
        try {
          const { screenshots } = await this.#d.tickets.addScreenshots(ticket.id, files);
          for (const s of screenshots) {
            ids.push(s.id);
            links.push(`[${inertText(s.fileName)}](${this.screenshotUrl(ticket, s.id)})`);
          }
        } catch (error) {
          if (!isTicketError(error, 'too_many_screenshots')) throw error;
          await reply(p.t('report.refused.too_many', { name: accepted.map((s) => s.name).join(', '), max: MAX_TICKET_SCREENSHOTS }));
        }
      }
      await this.discard(accepted.map((s) => s.id));
      for (const r of refused) await reply(p.t(`report.refused.${r.reason as 'too_large'}`, { name: r.name, max: MAX_SCREENSHOTS, maxMb: MAX_SCREENSHOT_MB }));
    }
    if (!text && links.length === 0) return;
    await this.#d.tickets.appendTranscript(ticket.id, { from: 'user', name: ticket.requester.name, text: text || '[screenshot]', ...(ids.length ? { screenshotIds: ids } : {}) });
    // Their words go to the agents as typed (inertText.ts); the screenshot links are the desk's own.
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

  /** Updates the ticket's card in the channel for everyone. */
  async refreshCard(ticket: Ticket): Promise<void> {
    if (!ticket.channelPost?.activityId) return;
    try {
      await this.#d.channel.update(ticket, this.cardView(ticket));
    } catch (error) {
      this.#d.log.warn({ err: error, ticket: ticket.ref }, 'Could not update the ticket card in the channel');
    }
  }

  /** What the ticket's card shows besides the ticket: its organisation's time zone, signed screenshot links. */
  cardView(ticket: Ticket): CardView {
    return { timeZone: this.#orgOf(ticket).timeZone, screenshotUrl: (id) => this.screenshotUrl(ticket, id) };
  }

  /** An absolute, signed, expiring link to a ticket's screenshot. */
  screenshotUrl(ticket: Ticket, screenshotId: string): string {
    const expires = new Date(this.#d.clock.now().getTime() + SCREENSHOT_LINK_DAYS * 86_400_000);
    return `${this.#d.settings.publicUrl}${this.#d.signer.sign(`/screenshots/${ticket.id}/${screenshotId}`, expires)}`;
  }

  /** Deletes screenshots kept aside for reports that were never sent. */
  async purgeUploads(olderThanMs: number): Promise<number> {
    return this.#d.uploads.purgeBefore(new Date(this.#d.clock.now().getTime() - olderThanMs));
  }

  // ---- internals ----

  // The staged uploads' bytes; one gone meanwhile (purged while the report sat unsent for a day) is left out.
  async #staged(uploads: PendingScreenshot[]): Promise<NewScreenshot[]> {
    const files: NewScreenshot[] = [];
    for (const upload of uploads) {
      const bytes = await this.#d.uploads.read(upload.id);
      if (bytes) files.push({ bytes, fileName: upload.name });
      else this.#d.log.warn({ upload: upload.id }, 'A screenshot kept aside for a report was no longer there; the report goes without it');
    }
    return files;
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
      this.#d.log.warn({ err: error, ticket: ticket.ref }, 'The ESR automation client failed; a person will do the task');
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
      else void settle().catch((error: unknown) => this.#d.log.error({ err: error, ticket: ticket.ref }, 'The late ESR automation answer could not be acted on'));
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
    await this.#emailTeam(ticket, teamFor(ticket.requester.staffGroup), screenshots);
    await this.#postToQueue(ticket);
  }

  /** Tells the person in Teams, and by email when Teams cannot reach them; the agents hear that it did not arrive. */
  async #notifyPerson(ticket: Ticket, text: string, next: Array<'human'> = []): Promise<void> {
    const c = this.#d.content;
    const words = this.#personContent(ticket);
    const delivery = await this.#send(ticket, next.length ? { kind: 'notice', words, title: ticket.ref, text, next } : { kind: 'text', text });
    const { index } = await this.#d.tickets.appendTranscript(ticket.id, { from: 'system', text });
    await this.#d.tickets.markDelivery(ticket.id, index, delivery.ok, delivery.ok ? undefined : this.#reasonText(delivery.reason));
    if (delivery.ok) return;
    await this.#d.mail.toPerson({ words, language: this.#languageOfTicket(ticket), ticket, text });
    await this.#postInThread(ticket, c.t('agents.notDelivered', { name: ticket.requester.name, reason: this.#reasonText(delivery.reason) }));
  }

  /** Tells the person in Teams; the agents hear in the thread when it did not arrive. */
  async #notifyUser(ticket: Ticket, text: string): Promise<void> {
    const delivery = await this.#send(ticket, { kind: 'text', text });
    const { index } = await this.#d.tickets.appendTranscript(ticket.id, { from: 'system', text });
    await this.#d.tickets.markDelivery(ticket.id, index, delivery.ok, delivery.ok ? undefined : this.#reasonText(delivery.reason));
    if (!delivery.ok) await this.#postInThread(ticket, this.#d.content.t('agents.notDelivered', { name: inertText(ticket.requester.name), reason: this.#reasonText(delivery.reason) }));
  }

  async #sendRating(ticket: Ticket): Promise<void> {
    await this.#send(ticket, { kind: 'rating', words: this.#personContent(ticket), ticket });
  }

  async #send(ticket: Ticket, message: StaffMessage): Promise<Delivery> {
    const delivery = await this.#d.messenger.send(ticket.userConversation, message);
    // A person who blocked the bot is no fault of ours; anything else is worth a look.
    if (!delivery.ok && delivery.reason !== 'blocked') this.#d.log.warn({ err: delivery.error, ticket: ticket.ref, status: delivery.status }, 'Could not deliver a message to the user');
    return delivery;
  }

  #reasonText(reason: 'blocked' | 'throttled' | 'failed'): string {
    const c = this.#d.content;
    return reason === 'blocked' ? c.t('agents.blocked') : reason === 'throttled' ? c.t('agents.throttled') : c.t('guard.error');
  }

  async #emailTeam(ticket: Ticket, team: Team, screenshots: Array<{ bytes: Buffer }>, options: { update?: string } = {}): Promise<void> {
    // The ticket's own organisation's team, in its words.
    const org = this.#orgOf(ticket);
    await this.#d.mail.toTeam({ to: mailboxOf(org, team), words: org.content, ticket, screenshots, ...(options.update ? { update: options.update } : {}) });
  }

  async #postToQueue(ticket: Ticket): Promise<void> {
    const queue = await queueFor(this.#d.queues, ticket, this.#orgOf(ticket).code);
    if (!queue) return;
    try {
      // A new thread in the channel: its first message is the ticket card; replies form the ticket's thread.
      const posted = await this.#d.channel.post(queue.id, ticket, this.cardView(ticket));
      if (posted) await this.#d.tickets.setChannelPost(ticket.id, { queueId: queue.id, ...posted });
    } catch (error) {
      // The ticket exists and the team has the email; the channel post can be missing without loss.
      this.#d.log.error({ err: error, ticket: ticket.ref }, 'Could not post the ticket to the agents\' channel');
    }
  }

  async #postInThread(ticket: Ticket, text: string): Promise<void> {
    if (!ticket.channelPost?.threadConversationId) return;
    try {
      await this.#d.channel.postInThread(ticket, text);
    } catch (error) {
      this.#d.log.warn({ err: error, ticket: ticket.ref }, 'Could not post in the ticket thread');
    }
  }

  #orgOf(ticket: Ticket): DeskOrg {
    return this.#deskOrg(this.#d.organisations.forCode(ticket.organisationCode ?? ticket.task?.organisationCode));
  }

  #orgOfRecord(record: StaffRecord | undefined): DeskOrg {
    return this.#deskOrg(this.#d.organisations.forRecord(record));
  }

  /** The language of the person who raised the ticket: the one they raised it in, else their organisation's default. */
  #languageOfTicket(ticket: Ticket): Language {
    return ticket.requester.language ?? this.#d.organisations.forCode(ticket.organisationCode ?? ticket.task?.organisationCode).defaultLanguage;
  }

  /** The words for what the desk sends the person: their language, their organisation's values (in that language). */
  #personContent(ticket: Ticket): Content {
    const language = this.#languageOfTicket(ticket);
    const content = this.#d.contents?.[language] ?? this.#d.content;
    const orgs = this.#d.organisations;
    return content.withGlobals(orgs.values(orgs.forCode(ticket.organisationCode ?? ticket.task?.organisationCode), language));
  }

  #deskOrg(org: DeskOrganisation): DeskOrg {
    return {
      code: org.code,
      officeHours: org.officeHours,
      timeZone: org.timeZone,
      workforceEmail: org.workforceEmail,
      leadEmployerEmail: org.leadEmployerEmail,
      content: this.#d.content.withGlobals(this.#d.organisations.values(org)),
    };
  }

  // An organisation this desk serves, by its code.
  #servedOrganisation(code: string): DeskOrganisation | undefined {
    const org = this.#d.organisations.forCode(code);
    return org.code === code ? org : undefined;
  }

  #opening(org: DeskOrg): { teamIsIn: boolean; nextOpening: string } {
    const now = this.#d.clock.now();
    return { teamIsIn: isOpen(now, org.officeHours, org.timeZone), nextOpening: describeNextOpening(now, org.officeHours, org.timeZone) };
  }
}

function formatAge(ms: number): string {
  const minutes = Math.round(ms / MINUTE);
  return minutes < 120 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
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
