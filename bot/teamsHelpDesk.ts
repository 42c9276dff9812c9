// The helpdesk's Teams face: turns a turn (who, their conversation, the text, the files attached) into the
// plain inputs of the desk (tickets/deskService.ts), and its answers into replies. Every decision is the
// desk's; what is here is Teams: identities, conversation references, attachments and the bot's token.
import type { CloudAdapter } from 'botbuilder';
import { MessageFactory, TurnContext } from 'botbuilder-core';
import type { CardJson } from '../cards/render.js';
import type { Content } from '../content/content.js';
import type { PerLanguage } from '../content/language.js';
import type { AdminTaskOutcome, AdminTaskRequest, HelpDesk, PendingScreenshot, ProfileResolver, ReportInput, ReportOutcome } from '../dialogs/deps.js';
import { tokenise } from '../dialogs/intents.js';
import { turnLanguage } from '../dialogs/turnLanguage.js';
import type { Clock } from '../core/clock.js';
import type { DeskService } from '../tickets/deskService.js';
import type { AgentVerb, ScreenshotSource, StaffAsking } from '../tickets/deskTypes.js';
import type { Agent, Ticket } from '../tickets/types.js';
import { attachmentRefs, type AttachmentFetcher } from './attachments.js';
import type { Logger } from './logger.js';
import type { QueueRegistry, QueueScope } from './queues.js';
import type { RecentTranscript } from './recentTranscript.js';
import { agentCard } from './teamsAgentChannel.js';

export interface TeamsHelpDeskDeps {
  desk: DeskService;
  adapter: CloudAdapter;
  /** The bot's app id ('' when running without credentials). */
  appId: string;
  profiles: ProfileResolver;
  transcript: RecentTranscript;
  /** Where "use this channel" is kept. */
  queues: Pick<QueueRegistry, 'use'>;
  fetcher: AttachmentFetcher;
  /** The agents' words (the organisation's default language). */
  content: Content;
  /** Both languages' words: "end chat" is understood in either. */
  contents?: PerLanguage<Content>;
  clock: Clock;
  logger: Logger;
}

export class TeamsHelpDesk implements HelpDesk {
  readonly maxScreenshots: number;
  readonly maxScreenshotMb: number;
  readonly #d: TeamsHelpDeskDeps;

  constructor(deps: TeamsHelpDeskDeps) {
    this.#d = deps;
    this.maxScreenshots = deps.desk.maxScreenshots;
    this.maxScreenshotMb = deps.desk.maxScreenshotMb;
  }

  // ---- staff side ----

  async collectScreenshots(context: TurnContext, alreadyHave: number): Promise<{ accepted: PendingScreenshot[]; refused: Array<{ name: string; reason: string }> }> {
    return this.#d.desk.collectScreenshots(await this.#sources(context), alreadyHave);
  }

  discard(ids: string[]): Promise<void> {
    return this.#d.desk.discard(ids);
  }

  async submit(context: TurnContext, input: ReportInput): Promise<ReportOutcome> {
    return this.#d.desk.submit(await this.#asking(context), input);
  }

  async raiseAdminTask(context: TurnContext, request: AdminTaskRequest): Promise<AdminTaskOutcome> {
    return this.#d.desk.raiseAdminTask(await this.#asking(context), request);
  }

  /** A message from the member of staff while an agent holds the conversation. */
  async relayFromUser(context: TurnContext, ticket: Ticket): Promise<void> {
    await this.#d.desk.relayFromUser(ticket, { text: context.activity.text ?? '', screenshots: await this.#sources(context) }, (text) => this.#reply(context, text));
  }

  /** "end chat" (or its Welsh), typed alone while an agent holds the conversation. */
  isEndChat(text: string): boolean {
    const t = tokenise(text).join(' ');
    const contents = this.#d.contents ? Object.values(this.#d.contents) : [this.#d.content];
    return contents.some((c) => c.list('live.endWords').some((w) => tokenise(w).join(' ') === t));
  }

  endLive(ticket: Ticket, by: Agent | 'user'): Promise<void> {
    return this.#d.desk.endLive(ticket, by);
  }

  rate(ticketId: number, helpful: boolean, comment?: string): Promise<void> {
    return this.#d.desk.rate(ticketId, helpful, comment);
  }

  // ---- agents' side ----

  /** "use this channel [for ...]" in a channel: makes it (part of) the queue. */
  async useChannel(context: TurnContext, scope: QueueScope): Promise<void> {
    const refusal = this.#d.desk.refuseChannelScope(scope);
    if (refusal) return this.#reply(context, refusal);
    const channelData = context.activity.channelData as { channel?: { id?: string; name?: string }; team?: { id?: string } } | undefined;
    const channelId = channelData?.channel?.id ?? context.activity.conversation.id.split(';')[0]!;
    const reference = TurnContext.getConversationReference(context.activity);
    reference.conversation = { ...reference.conversation!, id: channelId };
    await this.#d.queues.use(
      {
        reference,
        channelId,
        ...(channelData?.team?.id ? { teamId: channelData.team.id } : {}),
        ...(channelData?.channel?.name ? { name: channelData.channel.name } : {}),
        setBy: context.activity.from.name ?? context.activity.from.id,
        at: this.#d.clock.now().toISOString(),
      },
      scope,
    );
    await this.#reply(context, this.#d.desk.channelScopeSet(scope));
    await this.#d.desk.postWaiting();
  }

  /** A card button (Action.Execute) pressed by an agent; returns the card to show, or a message for the loser of a race. */
  async handleAction(context: TurnContext, verb: AgentVerb, ticketId: number, data: { reason?: unknown } = {}): Promise<{ card?: CardJson; message?: string }> {
    const { ticket, message } = await this.#d.desk.actOnCard(verb, ticketId, agentOf(context), data);
    return { ...(ticket ? { card: agentCard(this.#d.content, ticket, this.#d.desk.cardView(ticket)) } : {}), ...(message ? { message } : {}) };
  }

  /** A message in a ticket's thread from an agent. */
  async relayFromAgent(context: TurnContext, ticket: Ticket): Promise<void> {
    await this.#d.desk.relayFromAgent(ticket, agentOf(context), context.activity.text ?? '', (text) => this.#reply(context, text));
  }

  // ---- Teams ----

  async #asking(context: TurnContext): Promise<StaffAsking> {
    const language = turnLanguage(context);
    return {
      profile: await this.#d.profiles.resolve(context),
      conversation: TurnContext.getConversationReference(context.activity),
      ...(language ? { language } : {}),
      transcript: await this.#d.transcript.get(context),
    };
  }

  // The files in this message, each downloaded only if the desk asks for it.
  async #sources(context: TurnContext): Promise<ScreenshotSource[]> {
    const refs = attachmentRefs(context.activity.attachments);
    const token = refs.some((r) => r.needsBotToken) ? await this.#botToken(context) : undefined;
    return refs.map((ref) => ({
      name: ref.name,
      fetch: async () => {
        const fetched = await this.#d.fetcher.fetch(ref, token, { serviceUrl: context.activity.serviceUrl });
        if (!fetched.ok && fetched.reason === 'host_not_allowed') this.#d.logger.warn({ host: safeHost(ref.url) }, 'Refused to download an attachment from a host not on the allow-list');
        return fetched;
      },
    }));
  }

  async #reply(context: TurnContext, text: string): Promise<void> {
    await context.sendActivity(MessageFactory.text(text));
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

function agentOf(context: TurnContext): Agent {
  return { id: context.activity.from.aadObjectId ?? context.activity.from.id, name: context.activity.from.name ?? 'Agent' };
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid url';
  }
}
