// The Teams activity handler: welcomes people once, keeps passwords out of the chat, and hands every
// message to the main dialog. Turns of one conversation run one at a time; state is saved after each.
import { TeamsActivityHandler } from 'botbuilder';
import { type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type BotState, type InvokeResponse, type StatePropertyAccessor, type TurnContext, TurnContext as Turn } from 'botbuilder-core';
import { homeCard } from '../cards/cards.js';
import type { Content } from '../content/content.js';
import { isLanguage, LANGUAGES, languageFor, type Language, type PerLanguage } from '../content/language.js';
import { tokenise } from '../dialogs/intents.js';
import { setTurnLanguage } from '../dialogs/turnLanguage.js';
import type { ProfileResolver } from '../dialogs/deps.js';
import { looksLikePassword } from '../dialogs/guards.js';
import { activeDialogPath, PASSWORD_PROMPT_ID } from '../dialogs/dialogStack.js';
import { replaceCard } from '../dialogs/prompts.js';
import type { MainDialog } from '../dialogs/mainDialog.js';
import { routeOf } from '../dialogs/mainDialog.js';
import { againstRealEsr, type DialogDeps } from '../dialogs/deps.js';
import { sendCard, sendText } from '../dialogs/replies.js';
import { TICKET_VERBS, type TicketVerb } from '../cards/ticketCard.js';
import { asAttachment } from '../cards/render.js';
import { noticeCard } from '../cards/cards.js';
import type { TicketService } from '../tickets/ticketService.js';
import type { Ticket } from '../tickets/types.js';
import type { TeamsHelpDesk } from './teamsHelpDesk.js';
import { KeyedMutex } from '../core/keyedMutex.js';
import type { BackgroundTasks } from '../core/backgroundTasks.js';
import type { TurnLock } from '../core/locks.js';
import { parseUseChannel } from './queues.js';
import type { RecentTranscript } from './recentTranscript.js';
import type { Logger } from './logger.js';
import type { OnceRegistry } from './onceRegistry.js';
import { applyMessageBackText } from './messageBack.js';
import { EtagCheckedState, useReadAhead } from './stateStorage.js';
import type { ReadingTurnLock } from '../state/ports.js';

/** The turn's question "does an agent hold this chat?", asked while the state loads. */
const LIVE_TICKET = Symbol('liveTicket');

export interface HelpdeskBotDeps {
  desk: TeamsHelpDesk;
  tickets: TicketService;
  transcript: RecentTranscript;
  conversationState: BotState;
  userState: BotState;
  main: MainDialog;
  dialogDeps: DialogDeps;
  /** The organisation's default language's words: for agents in their channels. */
  content: Content;
  /** Both languages' words: each person is answered in theirs. */
  contents: PerLanguage<Content>;
  /** The default language where no organisation is known (the first organisation's); each person's own comes through inOrganisation. */
  orgDefault: Language;
  profiles: ProfileResolver;
  once: OnceRegistry;
  logger: Logger;
  /** Runs a turn in the words (name, contacts, hours) of the person's own organisation. */
  inOrganisation?: <T>(context: TurnContext, turn: (defaultLanguage?: Language) => Promise<T>) => Promise<T>;
  /**
   * Serialises a conversation's turns across instances (the stores' locks); without it, this process only. One
   * that can read the turn's state as it takes the lock (PostgreSQL) is asked to.
   */
  turnLock?: TurnLock & Partial<ReadingTurnLock>;
  /** Where the ends of turns that have already answered are tracked, so that shutting down waits for them. */
  turnEnds?: BackgroundTasks;
}

export class HelpdeskBot extends TeamsActivityHandler {
  readonly #d: HelpdeskBotDeps;
  readonly #dialogState: StatePropertyAccessor;
  /** The language the person chose with the menu's button or by typing it; wins over their Teams client's. */
  readonly #language: StatePropertyAccessor<Language | undefined>;
  readonly #turns = new KeyedMutex();

  constructor(deps: HelpdeskBotDeps) {
    super();
    this.#d = deps;
    this.#dialogState = deps.conversationState.createProperty('dialogState');
    this.#language = deps.userState.createProperty<Language | undefined>('language');
    this.onMessage(async (context, next) => {
      await this.#onMessage(context);
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.#welcome(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const botId = context.activity.recipient?.id;
      if ((context.activity.membersAdded ?? []).some((m) => m.id === botId)) await this.#welcome(context);
      await next();
    });
  }

  /**
   * Settles once the turn's replies are sent and its state is saved, which is when the HTTP response may go.
   * The turn's transcript is written after that, still under the conversation's lock: its next turn, on any
   * instance, waits for it, and the person does not (on PostgreSQL that write is a round trip of its own).
   */
  override async run(context: TurnContext): Promise<void> {
    let saved!: () => void;
    const answered = new Promise<void>((resolve) => (saved = resolve));
    const whole = this.#oneAtATime(context, async () => {
      try {
        await this.#loadState(context);
        const stored = context.activity.from?.id ? await this.#language.get(context) : undefined;
        // The person's organisation's default language (from their staff record) when neither Teams nor they chose one.
        const begin = (orgDefault: Language) => {
          setTurnLanguage(context, languageFor({ activityLocale: context.activity.locale, stored, orgDefault }));
          return super.run(context);
        };
        await (this.#d.inOrganisation ? this.#d.inOrganisation(context, (defaultLanguage) => begin(defaultLanguage ?? this.#d.orgDefault)) : begin(this.#d.orgDefault));
        await Promise.all([this.#d.conversationState.saveChanges(context), this.#d.userState.saveChanges(context)]);
      } catch (error) {
        await this.#d.transcript.flush(context); // what a failed turn said still reaches a ticket's transcript
        throw error;
      }
      // The entries are taken now: once run() settles, the adapter revokes the context.
      const written = this.#d.transcript.flush(context);
      saved();
      await written;
    });
    // A failed turn rejects `whole` (after its transcript), never `answered`; a turn's end is awaited by close().
    this.#d.turnEnds?.run('end of a turn', () => whole.catch(() => undefined));
    await Promise.race([answered, whole]);
  }

  // A personal chat's message needs both the conversation's state (where the dialog is) and the person's (their
  // language): asked for together, the storage reads them in one round trip. Whether an agent holds the chat is
  // asked at the same time rather than after, so on PostgreSQL the two statements cost one round trip's wait.
  async #loadState(context: TurnContext): Promise<void> {
    if (!this.#loadsState(context)) return;
    const live = this.#d.tickets.liveTicketForConversation(context.activity.conversation.id);
    live.catch(() => undefined); // awaited (and its failure met) in #onMessage; a turn that never gets there has no use for it
    context.turnState.set(LIVE_TICKET, live);
    await Promise.all([this.#d.conversationState.load(context), this.#d.userState.load(context)]);
  }

  /** A personal chat's message: its turn starts by loading the conversation's and the person's state. */
  #loadsState(context: TurnContext): boolean {
    const a = context.activity;
    const scope = a.conversation?.conversationType;
    return a.type === 'message' && !!a.channelId && !!a.conversation?.id && !!a.from?.id && scope !== 'channel' && scope !== 'groupChat';
  }

  // This process's queue first, so turns waiting here hold no lock connection; then the shared lock, so a
  // turn of the same conversation on another instance waits for this one (and this one for it). Where the
  // lock can, it reads the state the turn loads first in the same statement (one round trip fewer).
  #oneAtATime(context: TurnContext, turn: () => Promise<void>): Promise<void> {
    const conversationId = context.activity.conversation?.id ?? '';
    const lock = this.#d.turnLock;
    return this.#turns.run(conversationId, async () => {
      if (!lock) return turn();
      const { conversationState, userState } = this.#d;
      if (!lock.runReading || !this.#loadsState(context) || !(conversationState instanceof EtagCheckedState) || !(userState instanceof EtagCheckedState)) return lock.run(conversationId, turn);
      const keys = await Promise.all([conversationState.keyFor(context), userState.keyFor(context)]);
      return lock.runReading(conversationId, keys, (read) => {
        if (read) useReadAhead(context, read);
        return turn();
      });
    });
  }

  async #onMessage(context: TurnContext): Promise<void> {
    const c = this.#d.dialogDeps.content(context);
    applyMessageBackText(context.activity);
    if (context.activity.text) context.activity.text = Turn.removeRecipientMention(context.activity).trim();
    const scope = context.activity.conversation?.conversationType;
    if (scope === 'channel' || scope === 'groupChat') return this.#onChannelMessage(context);
    const text = context.activity.text ?? '';
    if (looksLikePassword(text)) {
      // Not echoed, not routed, not stored: the message goes no further than this line.
      await sendText(context, c.t(againstRealEsr(this.#d.dialogDeps.settings) ? 'guard.passwordInChatGuided' : 'guard.passwordInChat'));
      return;
    }
    const value = context.activity.value as { action?: unknown; ticketId?: unknown; helpful?: unknown; comment?: unknown } | undefined;
    const path = activeDialogPath((await this.#dialogState.get(context)) as Parameters<typeof activeDialogPath>[0]);
    const formOpen = path.includes(PASSWORD_PROMPT_ID);
    // With the password form waiting, typed text is very likely the password in the wrong place: it goes no
    // further (not routed, not in the transcript), whatever it looks like.
    if (formOpen && text.trim() && !value && !['cancel', 'help', 'menu'].includes(routeOf(context, this.#d.dialogDeps).kind)) {
      await sendText(context, c.t('guard.passwordWhileFormOpen'));
      return;
    }
    // A password form submitted after its conversation moved on: clear it, ask them to start again.
    if (value?.action === 'setPassword' && !formOpen) {
      if (context.activity.replyToId) await replaceCard(context, context.activity.replyToId, asAttachment(noticeCard({ title: c.t('register.readOnlyTitle'), text: c.t('guard.formExpired') })));
      await sendText(context, c.t('guard.formExpired'));
      return;
    }
    const switchTo = this.#languageAskedFor(context, text);
    if (switchTo) return this.#switchLanguage(context, switchTo);
    this.#d.transcript.track(context);
    if (value?.action === 'rate') return this.#onRating(context, value);
    // While an agent holds the conversation, the bot stays out of the way apart from "end chat" and "menu".
    const live = await (context.turnState.get<Promise<Ticket | undefined> | undefined>(LIVE_TICKET) ?? this.#d.tickets.liveTicketForConversation(context.activity.conversation.id));
    if (live) {
      if (this.#d.desk.isEndChat(text)) {
        await this.#d.desk.endLive(live, 'user');
        await sendText(context, c.t('live.ended'));
      } else if (value?.action === 'flow') {
        // A menu button pressed mid-chat: the chat is with a person now; say how to get the menu back.
        await sendText(context, c.t('live.buttonInLive', { agent: live.assignee?.name ?? 'the team' }));
      } else if (routeOf(context, this.#d.dialogDeps).kind === 'menu') {
        await sendText(context, c.t('live.inLive', { agent: live.assignee?.name ?? 'the team' }));
        await sendCard(context, homeCard(c));
      } else {
        await this.#d.desk.relayFromUser(context, live);
      }
      return;
    }
    if (await this.#d.once.claim(this.#welcomeKey(context))) {
      await this.#sendWelcome(context);
      const route = routeOf(context, this.#d.dialogDeps);
      if (['greeting', 'empty', 'menu', 'unknown'].includes(route.kind)) return;
    }
    await this.#d.main.run(context, this.#dialogState);
  }

  // Agents in their team: "use this channel", "tickets", and replies in a ticket's thread.
  async #onChannelMessage(context: TurnContext): Promise<void> {
    const c = this.#d.content;
    const text = (context.activity.text ?? '').trim();
    const useChannel = parseUseChannel(text);
    if (useChannel) return this.#d.desk.useChannel(context, useChannel);
    const thread = await this.#d.tickets.ticketForThread(context.activity.conversation.id);
    if (thread) return this.#d.desk.relayFromAgent(context, thread);
    if (/^tickets?$/i.test(text)) {
      const open = (await this.#d.tickets.list({})).filter((t) => t.status !== 'resolved').slice(0, 20);
      await sendText(context, open.length ? `**${c.t('agents.listTitle')}**\n\n${open.map((t) => `- ${t.ref}: ${c.t(`agents.status.${t.status}`)}${t.assignee ? ` (${t.assignee.name})` : ''} – ${t.requester.name}: ${t.description.slice(0, 80)}`).join('\n')}` : c.t('agents.noTickets'));
      return;
    }
    await sendText(context, c.t('agents.help'));
  }

  // "Cymraeg" / "English": the menu's button, or the word typed alone (in either language's words).
  #languageAskedFor(context: TurnContext, text: string): Language | undefined {
    const value = context.activity.value as { action?: unknown; language?: unknown } | undefined;
    if (value?.action === 'language') return isLanguage(value.language) ? value.language : undefined;
    if (value) return undefined;
    const said = tokenise(text).join(' ');
    if (!said) return undefined;
    const matches = (key: 'language.welshWords' | 'language.englishWords') => LANGUAGES.some((l) => this.#d.contents[l].list(key).some((w) => tokenise(w).join(' ') === said));
    if (matches('language.welshWords')) return 'cy-GB';
    if (matches('language.englishWords')) return 'en-GB';
    return undefined;
  }

  async #switchLanguage(context: TurnContext, language: Language): Promise<void> {
    await this.#language.set(context, language);
    setTurnLanguage(context, language);
    const c = this.#d.contents[language];
    await sendText(context, c.t('language.switched'));
    await sendCard(context, homeCard(c));
  }

  async #onRating(context: TurnContext, value: { ticketId?: unknown; helpful?: unknown; comment?: unknown }): Promise<void> {
    const c = this.#d.dialogDeps.content(context);
    const id = Number(value.ticketId);
    const ticket = Number.isInteger(id) ? await this.#d.tickets.get(id) : undefined;
    // Only the person who raised the ticket can rate it.
    if (!ticket || ticket.requester.teamsUserId !== context.activity.from.id) return;
    const comment = typeof value.comment === 'string' && value.comment.trim() ? value.comment : undefined;
    await this.#d.desk.rate(id, value.helpful === true || value.helpful === 'true', comment);
    if (context.activity.replyToId) {
      await context.updateActivity({ id: context.activity.replyToId, type: 'message', attachments: [asAttachment(noticeCard({ title: c.t('live.rateTitle'), text: c.t('live.thanksRating'), tone: 'good' }))] }).catch(() => undefined);
    }
    await sendText(context, c.t('live.thanksRating'));
  }

  // Universal Actions (Action.Execute) on ticket cards in the agents' channel.
  protected override async onAdaptiveCardInvoke(context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    const verb = invokeValue.action?.verb as TicketVerb | undefined;
    const data = (invokeValue.action?.data ?? {}) as { ticketId?: unknown; reason?: unknown };
    const ticketId = Number(data.ticketId);
    if (!verb || !TICKET_VERBS.includes(verb) || !Number.isInteger(ticketId)) {
      return { statusCode: 400, type: 'application/vnd.microsoft.error', value: { code: 'BadRequest', message: 'Unknown action' } };
    }
    // Teams merges the card's inputs (the reason box of an ESR admin task) into the action's data.
    const result = await this.#d.desk.handleAction(context, verb, ticketId, { reason: data.reason });
    if (result.message) {
      // The loser of a race is told who won (Teams shows it to them alone); the winner refreshed the card for everyone.
      return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: result.message as never };
    }
    return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: result.card as never };
  }

  // The SDK answers an invoke this bot has no handler for (a missing or unknown name) with 501, a server
  // fault to monitoring; it is the sender's mistake, so say 400.
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    const response = await super.onInvokeActivity(context);
    return response.status === 501 ? { status: 400, body: { code: 'BadRequest', message: `This bot does not handle the invoke "${context.activity.name ?? ''}".` } } : response;
  }

  async #welcome(context: TurnContext): Promise<void> {
    const scope = context.activity.conversation?.conversationType;
    if (scope === 'channel' || scope === 'groupChat') {
      const teamKey = `team:${(context.activity.channelData as { team?: { id?: string } } | undefined)?.team?.id ?? context.activity.conversation.id}`;
      if (await this.#d.once.claim(teamKey)) await sendText(context, `**${this.#d.content.t('welcome.teamTitle')}**\n\n${this.#d.content.t('welcome.teamBody')}`);
      return;
    }
    if (await this.#d.once.claim(this.#welcomeKey(context))) await this.#sendWelcome(context);
  }

  async #sendWelcome(context: TurnContext): Promise<void> {
    const profile = await this.#d.profiles.resolve(context);
    const firstName = profile.givenName ?? profile.displayName?.split(' ')[0];
    await sendCard(context, homeCard(this.#d.dialogDeps.content(context), { welcome: firstName ? { firstName } : {} }));
  }

  #welcomeKey(context: TurnContext): string {
    const from = context.activity.from;
    return `welcome:${context.activity.channelId}:${from?.aadObjectId ?? from?.id ?? context.activity.conversation.id}`;
  }
}
