// How the helpdesk reaches people: the agents' channels (a card per ticket, heading its own thread), a
// member of staff's chat with the bot, and email. The desk (deskService.ts) decides what to say to whom;
// these ports carry it. The Teams implementations are bot/teamsAgentChannel.ts and bot/teamsStaffMessenger.ts,
// the email one mail/deskMailer.ts.
import type { Content } from '../content/content.js';
import type { Language } from '../content/language.js';
import type { QueueRegistry, QueueScope } from './queues.js';
import type { ChannelPost, Ticket } from './types.js';

/** What an agents' card shows besides the ticket itself. */
export interface CardView {
  /** Times are shown in the ticket's organisation's time zone. */
  timeZone: string;
  /** A signed, expiring link to one of the ticket's screenshots. */
  screenshotUrl(screenshotId: string): string;
}

/** Where a ticket's card went: what the ticket must remember to update the card and to find its thread. */
export type PostedCard = Omit<ChannelPost, 'queueId'>;

/** The agents' side: a channel per queue, where each ticket is a card heading its own reply thread. */
export interface AgentChannel {
  /** Posts the ticket's card as a new thread in the queue's channel; undefined when that queue is not known. Throws when the channel refuses. */
  post(queueId: string, ticket: Ticket, view: CardView): Promise<PostedCard | undefined>;
  /** Shows the ticket's card as it is now, for everyone (nothing when it has no card). Throws when the channel refuses. */
  update(ticket: Ticket, view: CardView): Promise<void>;
  /** A message (Markdown) in the ticket's thread (nothing when it has none). Throws when the channel refuses. */
  postInThread(ticket: Ticket, text: string): Promise<void>;
}

/** What the desk sends a member of staff: words, a notice with buttons to go on, or the rating card. */
export type StaffMessage =
  | { kind: 'text'; text: string }
  /** `words`: the person's, for the buttons' labels. */
  | { kind: 'notice'; words: Content; title: string; text: string; next: Array<'human'> }
  | { kind: 'rating'; words: Content; ticket: Pick<Ticket, 'id' | 'ref'> };

/** blocked: they blocked the bot; throttled: still refused for sending too fast after waiting; failed: anything else. */
export type Delivery = { ok: true } | { ok: false; reason: 'blocked' | 'throttled' | 'failed'; status?: number; error?: unknown };

/** A member of staff's own conversation with the bot. */
export interface StaffMessenger {
  /** Sends into the conversation (the ticket's opaque reference). Never throws: a refusal is a Delivery. */
  send(conversation: Record<string, unknown>, message: StaffMessage): Promise<Delivery>;
}

/** Email from the desk: to a team's mailbox, and to a member of staff whom Teams could not reach. */
export interface DeskMailer {
  /** The ticket (or, with `update`, a change to it) with its screenshots attached, in the team's words. */
  toTeam(mail: { to: string; words: Content; ticket: Ticket; screenshots: Array<{ bytes: Buffer }>; update?: string }): Promise<void>;
  /** What a Teams message said, by email, in the person's words; false when the ticket has no address for them. */
  toPerson(mail: { words: Content; language: Language; ticket: Ticket; text: string }): Promise<boolean>;
}

/** One agents' channel's job, as an agent chose it with "use this channel [for ...]" (bot/queues.ts reads it). */
export type ChannelScope = QueueScope;

/**
 * Which agents' channel (queue) serves what. The registry keeps the channels agents chose and applies the
 * precedence (README "Organisations"): a ticket goes to its staff group's channel, else its category's, else
 * its organisation's, else the general one; an ESR admin task to its organisation's channel, else the admin
 * tasks channel, else the general one. The desk decides what is asked: task or ticket, and whose organisation.
 */
export type QueueRouting = Pick<QueueRegistry, 'route' | 'routeTask'>;
