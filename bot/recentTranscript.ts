// Records each turn's messages into the recent transcript (tickets/recentTranscript.ts), so a ticket can
// carry "the transcript so far": noted as the turn goes, written once at its end. Passwords never get in: text
// that looks like one, and card submissions, are recorded only as a note that something was submitted. Where the entries live is the store's business:
// in memory (embedded) or in PostgreSQL, where a conversation that moves between instances keeps its context.
import type { Activity, TurnContext } from 'botbuilder-core';
import { looksLikePassword } from '../dialogs/guards.js';
import { RECENT_LIMIT, type RecentTranscriptStore } from '../tickets/recentTranscript.js';
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
  /** This turn's entries, not yet written: a turn writes its transcript once, at its end (one round trip on PostgreSQL). */
  readonly #pending = Symbol('transcript-pending');

  /** `onError` hears entries that could not be recorded: the turn and its replies go on without them. */
  constructor(store: RecentTranscriptStore, now: () => Date, onError: (error: unknown) => void = () => undefined) {
    this.#store = store;
    this.#now = now;
    this.#onError = onError;
  }

  /** Notes the incoming message and, as they go out, the bot's replies in this turn; `flush` writes them. */
  track(context: TurnContext): void {
    const pending: TranscriptEntry[] = [];
    context.turnState.set(this.#pending, pending);
    const user = describeUserMessage(context.activity);
    if (user) pending.push({ at: this.#now().toISOString(), from: 'user', name: context.activity.from?.name ?? 'User', text: user });
    context.onSendActivities(async (_ctx, activities, next) => {
      // Noted before sending, so the order stays the order things were said.
      for (const a of activities) {
        const text = describeBotMessage(a);
        if (text) pending.push({ at: this.#now().toISOString(), from: 'bot', text: text.slice(0, 1000) });
      }
      return next();
    });
  }

  /** Writes what this turn said, in order; a failure loses the entries, never the turn. */
  async flush(context: TurnContext): Promise<void> {
    const pending = context.turnState.get<TranscriptEntry[] | undefined>(this.#pending);
    if (!pending?.length) return;
    const entries = pending.splice(0);
    await this.#store.append(context.activity.conversation.id, entries).catch(this.#onError);
  }

  /** The conversation's recent transcript, this turn's messages so far included. */
  async get(context: TurnContext): Promise<TranscriptEntry[]> {
    const stored = await this.#store.recent(context.activity.conversation.id);
    const pending = context.turnState.get<TranscriptEntry[] | undefined>(this.#pending) ?? [];
    return [...stored, ...structuredClone(pending)].slice(-RECENT_LIMIT);
  }
}
