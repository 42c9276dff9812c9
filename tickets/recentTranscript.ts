// The last few messages of each conversation, so a ticket can carry "the transcript so far": the port, and
// the embedded store's in-memory implementation. Entries arrive already redacted (bot/recentTranscript.ts
// records a password-like text only as a note that one was sent); a store keeps what it is given.
import type { TranscriptEntry } from './types.js';

/** Entries kept per conversation; older ones go as new ones come. */
export const RECENT_LIMIT = 30;

export interface RecentTranscriptStore {
  /** Adds entries, in order, to the end of a conversation's transcript, keeping its last RECENT_LIMIT. */
  append(conversationId: string, entries: TranscriptEntry[]): Promise<void>;
  /** The conversation's last RECENT_LIMIT entries, oldest first (empty for an unknown conversation). */
  recent(conversationId: string): Promise<TranscriptEntry[]>;
  /** Forgets entries recorded before `before` (housekeeping); returns how many. */
  forgetBefore(before: Date): Promise<number>;
}

export class MemoryRecentTranscript implements RecentTranscriptStore {
  // Kept in memory, not in conversation state: writing it with the state made nearly every turn a bigger
  // disk write (measured: p50 2.6x the echo bot's with it in state, 1.0x without). It is context for a
  // ticket, so after a restart a ticket starts from the messages since. Oldest conversations go first.
  // Several instances cannot share it: they use the PostgreSQL store (storage/postgres/pgRecentTranscript.ts).
  readonly #byConversation = new Map<string, TranscriptEntry[]>();
  readonly #maxConversations: number;

  constructor(maxConversations = 5_000) {
    this.#maxConversations = maxConversations;
  }

  append(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    const kept = this.#entries(conversationId);
    kept.push(...entries.map((e) => structuredClone(e)));
    if (kept.length > RECENT_LIMIT) kept.splice(0, kept.length - RECENT_LIMIT);
    return Promise.resolve();
  }

  recent(conversationId: string): Promise<TranscriptEntry[]> {
    return Promise.resolve(structuredClone(this.#byConversation.get(conversationId) ?? []));
  }

  forgetBefore(before: Date): Promise<number> {
    const cutoff = before.getTime();
    let forgotten = 0;
    for (const [id, entries] of this.#byConversation) {
      // Entries are in the order they were recorded, so the old ones are a prefix.
      const firstKept = entries.findIndex((e) => Date.parse(e.at) >= cutoff);
      const count = firstKept === -1 ? entries.length : firstKept;
      forgotten += count;
      if (count === entries.length) this.#byConversation.delete(id);
      else entries.splice(0, count);
    }
    return Promise.resolve(forgotten);
  }

  #entries(conversationId: string): TranscriptEntry[] {
    let entries = this.#byConversation.get(conversationId);
    if (entries) {
      this.#byConversation.delete(conversationId); // re-inserted below, as the most recent
    } else {
      entries = [];
      if (this.#byConversation.size >= this.#maxConversations) this.#byConversation.delete(this.#byConversation.keys().next().value!);
    }
    this.#byConversation.set(conversationId, entries);
    return entries;
  }
}
