// The last few messages of each conversation, kept in conversation state so a ticket can carry "the
// transcript so far". Passwords never get in: text that looks like one, and card submissions, are
// recorded only as a note that something was submitted.
import type { Activity, StatePropertyAccessor, TurnContext } from 'botbuilder-core';
import { looksLikePassword } from '../dialogs/guards.js';
import type { TranscriptEntry } from '../tickets/types.js';

export const RECENT_LIMIT = 30;

export function describeUserMessage(activity: Partial<Activity>): string | undefined {
  const text = (activity.text ?? '').trim();
  const files = (activity.attachments ?? []).filter((a) => a.contentType?.startsWith('image/') || a.contentType === 'application/vnd.microsoft.teams.file.download.info').length;
  if (activity.value && typeof activity.value === 'object' && !text) return '[used a card]';
  if (text && looksLikePassword(text)) return '[a message that looked like a password, not kept]';
  const parts = [text, files ? `[${files} attachment${files > 1 ? 's' : ''}]` : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : undefined;
}

export function describeBotMessage(activity: Partial<Activity>): string | undefined {
  if (activity.type && activity.type !== 'message') return undefined;
  if (activity.text) return activity.text;
  const card = activity.attachments?.[0]?.content as { fallbackText?: unknown } | undefined;
  return typeof card?.fallbackText === 'string' ? card.fallbackText : undefined;
}

export class RecentTranscript {
  readonly #accessor: StatePropertyAccessor<TranscriptEntry[]>;
  readonly #now: () => Date;

  constructor(accessor: StatePropertyAccessor<TranscriptEntry[]>, now: () => Date) {
    this.#accessor = accessor;
    this.#now = now;
  }

  /** Records the incoming message and, as they go out, the bot's replies in this turn. */
  async track(context: TurnContext): Promise<void> {
    const entries = await this.#accessor.get(context, []);
    const user = describeUserMessage(context.activity);
    if (user) push(entries, { at: this.#now().toISOString(), from: 'user', name: context.activity.from?.name ?? 'User', text: user });
    context.onSendActivities(async (_ctx, activities, next) => {
      for (const a of activities) {
        const text = describeBotMessage(a);
        if (text) push(entries, { at: this.#now().toISOString(), from: 'bot', text: text.slice(0, 1000) });
      }
      return next();
    });
    await this.#accessor.set(context, entries);
  }

  async get(context: TurnContext): Promise<TranscriptEntry[]> {
    return [...(await this.#accessor.get(context, []))];
  }
}

function push(entries: TranscriptEntry[], entry: TranscriptEntry): void {
  entries.push(entry);
  if (entries.length > RECENT_LIMIT) entries.splice(0, entries.length - RECENT_LIMIT);
}
