// A member of staff's chat with the bot (tickets/channels.ts StaffMessenger). Teams may refuse: 403 when
// they blocked the bot (no point retrying), 429 when sending too fast (wait as long as Retry-After says, a
// few times). Nothing throws out of here: the desk is told how it went.
import type { CloudAdapter } from 'botbuilder';
import { MessageFactory, type Activity } from 'botbuilder-core';
import { infoCard, ratingCard } from '../cards/cards.js';
import { asAttachment } from '../cards/render.js';
import type { Delivery, StaffMessage, StaffMessenger } from '../tickets/channels.js';
import { continueConversation } from './proactive.js';

export interface TeamsStaffMessengerDeps {
  adapter: CloudAdapter;
  /** The bot's app id ('' when running without credentials). */
  appId: string;
  /** Waits before retrying a throttled send; tests pass one that does not really wait. */
  sleep?: (ms: number) => Promise<void>;
}

const ATTEMPTS = 4;
const MAX_WAIT_MS = 30_000;

export class TeamsStaffMessenger implements StaffMessenger {
  readonly #d: TeamsStaffMessengerDeps;
  readonly #sleep: (ms: number) => Promise<void>;

  constructor(deps: TeamsStaffMessengerDeps) {
    this.#d = deps;
    this.#sleep = deps.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  async send(conversation: Record<string, unknown>, message: StaffMessage): Promise<Delivery> {
    const outgoing = activityOf(message);
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        await continueConversation(this.#d.adapter, this.#d.appId, conversation, async (ctx) => {
          await ctx.sendActivity(outgoing);
        });
        return { ok: true };
      } catch (error) {
        const status = statusOf(error);
        if (status === 403) return { ok: false, reason: 'blocked', status, error };
        if (status === 429 && attempt < ATTEMPTS - 1) {
          await this.#sleep(Math.min(retryAfterMs(error) ?? 1000 * 2 ** attempt, MAX_WAIT_MS));
          continue;
        }
        return { ok: false, reason: status === 429 ? 'throttled' : 'failed', ...(status !== undefined ? { status } : {}), error };
      }
    }
    return { ok: false, reason: 'throttled' };
  }
}

function activityOf(message: StaffMessage): Activity {
  switch (message.kind) {
    case 'text':
      return MessageFactory.text(message.text) as Activity;
    case 'notice':
      return MessageFactory.attachment(asAttachment(infoCard(message.words, { title: message.title, intro: message.text, next: message.next }))) as Activity;
    case 'rating':
      return MessageFactory.attachment(asAttachment(ratingCard(message.words, message.ticket))) as Activity;
  }
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
