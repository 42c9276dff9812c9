// The agents' channels in Teams (tickets/channels.ts AgentChannel): each ticket's card is the first message
// of a new thread in its queue's channel, updated in place for everyone; the desk's notes go in that thread.
import type { CloudAdapter } from 'botbuilder';
import { MessageFactory, type Activity, type ConversationParameters } from 'botbuilder-core';
import { asAttachment, type CardJson } from '../cards/render.js';
import { ticketCard } from '../cards/ticketCard.js';
import type { Content } from '../content/content.js';
import type { AgentChannel, CardView, PostedCard } from '../tickets/channels.js';
import type { Ticket } from '../tickets/types.js';
import { continueConversation } from './proactive.js';
import type { Queue } from './queues.js';

export interface TeamsAgentChannelDeps {
  adapter: CloudAdapter;
  /** The bot's app id ('' when running without credentials). */
  appId: string;
  /** The channels agents chose (bot/queues.ts), by queue id. */
  queues: { get(id: string): Queue | undefined | Promise<Queue | undefined> };
  /** The agents' words (the organisation's default language). */
  content: Content;
}

/** The ticket's Adaptive Card, as agents see it in their channel (and as an answer to their button). */
export function agentCard(content: Content, ticket: Ticket, view: CardView): CardJson {
  return ticketCard(content, ticket, {
    screenshotUrl: (_ticket, id) => view.screenshotUrl(id),
    formatTime: (iso) => new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: view.timeZone }).format(new Date(iso)),
  });
}

export class TeamsAgentChannel implements AgentChannel {
  readonly #d: TeamsAgentChannelDeps;

  constructor(deps: TeamsAgentChannelDeps) {
    this.#d = deps;
  }

  async post(queueId: string, ticket: Ticket, view: CardView): Promise<PostedCard | undefined> {
    const queue = await this.#d.queues.get(queueId);
    if (!queue) return undefined;
    let posted: PostedCard | undefined;
    const serviceUrl = typeof queue.reference.serviceUrl === 'string' ? queue.reference.serviceUrl : '';
    const parameters = { isGroup: true, channelData: { channel: { id: queue.channelId } }, activity: MessageFactory.attachment(asAttachment(agentCard(this.#d.content, ticket, view))) as Activity } as ConversationParameters;
    await this.#d.adapter.createConversationAsync(this.#d.appId, 'msteams', serviceUrl, '', parameters, async (ctx) => {
      // Teams answers with the thread's conversation id, "<channel>;messageid=<id of the first message>".
      const threadConversationId = ctx.activity.conversation.id;
      const activityId = /;messageid=(.+)$/.exec(threadConversationId)?.[1] ?? ctx.activity.id ?? '';
      posted = { activityId, threadConversationId };
      return Promise.resolve();
    });
    return posted;
  }

  async update(ticket: Ticket, view: CardView): Promise<void> {
    const post = ticket.channelPost;
    const queue = post ? await this.#d.queues.get(post.queueId) : undefined;
    if (!post?.activityId || !queue) return;
    // The card is the first message of its thread, so it is addressed through the thread's conversation id.
    await continueConversation(this.#d.adapter, this.#d.appId, threadReference(queue, post.threadConversationId ?? queue.channelId), async (ctx) => {
      await ctx.updateActivity({ id: post.activityId!, type: 'message', attachments: [asAttachment(agentCard(this.#d.content, ticket, view))] });
    });
  }

  async postInThread(ticket: Ticket, text: string): Promise<void> {
    const post = ticket.channelPost;
    const queue = post ? await this.#d.queues.get(post.queueId) : undefined;
    if (!post?.threadConversationId || !queue) return;
    await continueConversation(this.#d.adapter, this.#d.appId, threadReference(queue, post.threadConversationId), async (ctx) => {
      await ctx.sendActivity(MessageFactory.text(text));
    });
  }
}

function threadReference(queue: Queue, conversationId: string): Record<string, unknown> {
  return { ...queue.reference, conversation: { ...(queue.reference.conversation as object), id: conversationId } };
}
