// The Teams activity handler: welcomes people once, keeps passwords out of the chat, and hands every
// message to the main dialog. Turns of one conversation run one at a time; state is saved after each.
import { TeamsActivityHandler } from 'botbuilder';
import { type BotState, type StatePropertyAccessor, type TurnContext, TurnContext as Turn } from 'botbuilder-core';
import { homeCard } from '../cards/cards.js';
import type { Content } from '../content/content.js';
import type { ProfileResolver } from '../dialogs/deps.js';
import { looksLikePassword } from '../dialogs/guards.js';
import type { MainDialog } from '../dialogs/mainDialog.js';
import { routeOf } from '../dialogs/mainDialog.js';
import type { DialogDeps } from '../dialogs/deps.js';
import { sendCard, sendText } from '../dialogs/replies.js';
import { KeyedMutex } from './keyedMutex.js';
import type { Logger } from './logger.js';
import type { OnceRegistry } from './onceRegistry.js';

export interface HelpdeskBotDeps {
  conversationState: BotState;
  userState: BotState;
  main: MainDialog;
  dialogDeps: DialogDeps;
  content: Content;
  profiles: ProfileResolver;
  once: OnceRegistry;
  logger: Logger;
}

export class HelpdeskBot extends TeamsActivityHandler {
  readonly #d: HelpdeskBotDeps;
  readonly #dialogState: StatePropertyAccessor;
  readonly #turns = new KeyedMutex();

  constructor(deps: HelpdeskBotDeps) {
    super();
    this.#d = deps;
    this.#dialogState = deps.conversationState.createProperty('dialogState');
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

  override async run(context: TurnContext): Promise<void> {
    await this.#turns.run(context.activity.conversation?.id ?? '', async () => {
      await super.run(context);
      await this.#d.conversationState.saveChanges(context);
      await this.#d.userState.saveChanges(context);
    });
  }

  async #onMessage(context: TurnContext): Promise<void> {
    const c = this.#d.content;
    if (context.activity.text) context.activity.text = Turn.removeRecipientMention(context.activity).trim();
    const scope = context.activity.conversation?.conversationType;
    if (scope === 'channel' || scope === 'groupChat') {
      await sendText(context, c.t('welcome.teamBody'));
      return;
    }
    const text = context.activity.text ?? '';
    if (looksLikePassword(text)) {
      // Not echoed, not routed, not stored: the message goes no further than this line.
      await sendText(context, c.t('guard.passwordInChat'));
      return;
    }
    if (await this.#d.once.claim(this.#welcomeKey(context))) {
      await this.#sendWelcome(context);
      const route = routeOf(context, this.#d.dialogDeps);
      if (['greeting', 'empty', 'menu', 'unknown'].includes(route.kind)) return;
    }
    await this.#d.main.run(context, this.#dialogState);
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
    await sendCard(context, homeCard(this.#d.content, { welcome: firstName ? { firstName } : {} }));
  }

  #welcomeKey(context: TurnContext): string {
    const from = context.activity.from;
    return `welcome:${context.activity.channelId}:${from?.aadObjectId ?? from?.id ?? context.activity.conversation.id}`;
  }
}
