// Records each turn's messages into the recent transcript (tickets/recentTranscript.ts), so a ticket can
// carry "the transcript so far". Passwords never get in: text that looks like one, and card submissions,
// are recorded only as a note that something was submitted. Where the entries live is the store's business:
// in memory (embedded) or in PostgreSQL, where a conversation that moves between instances keeps its context.
import type { Activity, TurnContext } from 'botbuilder-core';
import { looksLikePassword } from '../dialogs/guards.js';
import type { RecentTranscriptStore } from '../tickets/recentTranscript.js';
import type { TranscriptEntry } from '../tickets/types.js';

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
  readonly #store: RecentTranscriptStore;
  readonly #now: () => Date;
  readonly #onError: (error: unknown) => void;

  /** `onError` hears an entry that could not be recorded: the turn and its replies go on without it. */
  constructor(store: RecentTranscriptStore, now: () => Date, onError: (error: unknown) => void = () => undefined) {
    this.#store = store;
    this.#now = now;
    this.#onError = onError;
  }

  /** Records the incoming message and, as they go out, the bot's replies in this turn. */
  async track(context: TurnContext): Promise<void> {
    const conversationId = context.activity.conversation.id;
    const user = describeUserMessage(context.activity);
    context.onSendActivities(async (_ctx, activities, next) => {
      const entries = activities.flatMap((a): TranscriptEntry[] => {
        const text = describeBotMessage(a);
        return text ? [{ at: this.#now().toISOString(), from: 'bot', text: text.slice(0, 1000) }] : [];
      });
      // Recorded before sending, so the order stays the order things were said; a failure loses the entry, not the reply.
      if (entries.length > 0) await this.#store.append(conversationId, entries).catch(this.#onError);
      return next();
    });
    if (user) await this.#store.append(conversationId, [{ at: this.#now().toISOString(), from: 'user', name: context.activity.from?.name ?? 'User', text: user }]).catch(this.#onError);
  }

  get(context: TurnContext): Promise<TranscriptEntry[]> {
    return this.#store.recent(context.activity.conversation.id);
  }
}
