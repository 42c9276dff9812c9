// Bot state over the state port (the embedded journal, or PostgreSQL), with real optimistic concurrency.
// botbuilder's own BotState writes with eTag '*' (last writer wins); EtagCheckedState keeps the eTag it read
// and sends it back, so a turn that lost a race (in this instance or another) fails loudly instead of
// silently overwriting the other turn's state.
import { createHash } from 'node:crypto';
import { BotState, type Storage, type StoreItems, type TurnContext } from 'botbuilder-core';
import type { StateReadAhead, VersionedEntry, VersionedStateStore } from '../state/ports.js';

interface ReadBatch {
  keys: Set<string>;
  result: Promise<Map<string, VersionedEntry>>;
}

/** botbuilder's Storage over a VersionedStateStore. After a write, each item carries its new eTag. */
export class VersionedBotStorage implements Storage {
  readonly #store: VersionedStateStore;
  #batch: ReadBatch | undefined;
  constructor(store: VersionedStateStore) {
    this.#store = store;
  }

  async read(keys: string[]): Promise<StoreItems> {
    const found = await this.#readTogether(keys);
    const items: StoreItems = {};
    for (const key of keys) {
      const entry = found.get(key);
      // A copy each: two readers of one key in a batch must not share (and edit) one object.
      if (entry) items[key] = { ...structuredClone(entry.value), eTag: entry.etag };
    }
    return items;
  }

  // Reads asked for in the same tick (a turn loading its conversation's and its person's state, or turns
  // arriving together) go to the store as one read: one round trip on PostgreSQL instead of one each.
  #readTogether(keys: string[]): Promise<Map<string, VersionedEntry>> {
    if (!this.#batch) {
      const batch: ReadBatch = { keys: new Set(), result: Promise.resolve(new Map<string, VersionedEntry>()) };
      batch.result = new Promise<void>((resolve) => queueMicrotask(resolve)).then(() => {
        this.#batch = undefined;
        return this.#store.read([...batch.keys]);
      });
      this.#batch = batch;
    }
    for (const key of keys) this.#batch.keys.add(key);
    return this.#batch.result;
  }

  async write(changes: StoreItems): Promise<void> {
    const writes = Object.entries(changes).map(([key, item]) => {
      const { eTag, ...value } = (item ?? {}) as Record<string, unknown> & { eTag?: string };
      return { key, value, ...(eTag === undefined ? {} : { expectedEtag: eTag }) };
    });
    const etags = await this.#store.write(writes);
    for (const [key, etag] of etags) (changes[key] as { eTag?: string }).eTag = etag;
  }

  async delete(keys: string[]): Promise<void> {
    await this.#store.delete(keys);
  }
}

/** Where a turn keeps what its lock read ahead (bot/helpdeskBot.ts), until each state's first load takes its part. */
const READ_AHEAD = Symbol('stateReadAhead');

/** Hands the turn's state loads what its lock read (each key used once: a later or forced load reads the store). */
export function useReadAhead(context: TurnContext, read: StateReadAhead): void {
  context.turnState.set(READ_AHEAD, { unused: new Set(read.keys), found: read.found });
}

function takeReadAhead(context: TurnContext, key: string): { entry: VersionedEntry | undefined } | undefined {
  const read = context.turnState.get<{ unused: Set<string>; found: Map<string, VersionedEntry> } | undefined>(READ_AHEAD);
  if (!read?.unused.delete(key)) return undefined;
  return { entry: read.found.get(key) };
}

interface Cached {
  state: Record<string, unknown>;
  hash: string;
  /** The eTag read with the state; '' when there was none (so the write must create it). */
  etag: string;
}

const hashOf = (state: Record<string, unknown>) => createHash('sha256').update(JSON.stringify(state)).digest('hex');

export class EtagCheckedState extends BotState {
  readonly #cacheKey = Symbol('etag-checked-state');

  constructor(storage: Storage, storageKey: (context: TurnContext) => string) {
    super(storage, (context) => Promise.resolve(storageKey(context)));
  }

  override async load(context: TurnContext, force = false): Promise<Record<string, unknown>> {
    const cached = context.turnState.get<Cached | undefined>(this.#cacheKey);
    if (cached && !force) return cached.state;
    const key = await this.storageKey(context);
    const ahead = force ? undefined : takeReadAhead(context, key);
    const item = ahead ? (ahead.entry && { ...ahead.entry.value, eTag: ahead.entry.etag }) : ((await this.storage.read([key]))[key] as (Record<string, unknown> & { eTag?: string }) | undefined);
    const { eTag, ...state } = item ?? {};
    context.turnState.set(this.#cacheKey, { state, hash: hashOf(state), etag: eTag ?? '' } satisfies Cached);
    return state;
  }

  /** This state's key in the store for the turn: what a turn lock can read ahead of the load. */
  keyFor(context: TurnContext): Promise<string> {
    return this.storageKey(context);
  }

  override async saveChanges(context: TurnContext, force = false): Promise<void> {
    const cached = context.turnState.get<Cached | undefined>(this.#cacheKey);
    if (!cached || (!force && cached.hash === hashOf(cached.state))) return;
    const key = await this.storageKey(context);
    const item: Record<string, unknown> & { eTag: string } = { ...cached.state, eTag: cached.etag };
    await this.storage.write({ [key]: item });
    cached.etag = item.eTag;
    cached.hash = hashOf(cached.state);
  }

  override clear(context: TurnContext): Promise<void> {
    const cached = context.turnState.get<Cached | undefined>(this.#cacheKey);
    context.turnState.set(this.#cacheKey, { state: {}, hash: '', etag: cached?.etag ?? '' } satisfies Cached);
    return Promise.resolve();
  }

  override async delete(context: TurnContext): Promise<void> {
    context.turnState.delete(this.#cacheKey);
    await this.storage.delete([await this.storageKey(context)]);
  }

  override get(context: TurnContext): Record<string, unknown> | undefined {
    return (context.turnState.get<Cached | undefined>(this.#cacheKey))?.state;
  }
}

// The same keys botbuilder's ConversationState and UserState use, so data stays where tools expect it.
export function conversationStateKey(context: TurnContext): string {
  const a = context.activity;
  if (!a.channelId || !a.conversation?.id) throw new Error('conversation state needs activity.channelId and activity.conversation.id');
  return `${a.channelId}/conversations/${a.conversation.id}`;
}

export function userStateKey(context: TurnContext): string {
  const a = context.activity;
  if (!a.channelId || !a.from?.id) throw new Error('user state needs activity.channelId and activity.from.id');
  return `${a.channelId}/users/${a.from.id}`;
}
