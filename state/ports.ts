// What the bot's conversation and user state, and its welcome-once marks, need from a store. The embedded
// journal (storage/lowdbVersionedStore.ts) and PostgreSQL (storage/postgres/pgStateStore.ts) implement it;
// bot/ uses it through botbuilder's Storage (bot/stateStorage.ts) and the once-registry. Here, apart from
// both, so storage engines depend on this and never the other way round.

export interface VersionedEntry {
  value: Record<string, unknown>;
  /** Changes with every write; a write may insist on the one it read. */
  etag: string;
  /**
   * ISO time of the last write, for expiring idle state. A store may keep it up to an hour behind (PostgreSQL
   * does, so a write can update its row in place); its pruneIdle then allows for that hour.
   */
  at: string;
}

export interface VersionedWrite {
  key: string;
  value: Record<string, unknown>;
  /**
   * Write only if the stored eTag is still this one. '' means the key must not exist yet; undefined or '*'
   * writes regardless (last writer wins).
   */
  expectedEtag?: string;
}

/** Someone else changed the key since it was read; the write was refused and nothing was stored. */
export class EtagConflictError extends Error {
  readonly key: string;
  constructor(key: string) {
    super(`The stored value of "${key}" changed since it was read`);
    this.name = 'EtagConflictError';
    this.key = key;
  }
}

/**
 * What a turn's lock read for it, in the same step as taking the lock and after it (so as fresh as a read the
 * turn would make itself): the state under `keys`, those not stored left out of `found`.
 */
export interface StateReadAhead {
  keys: readonly string[];
  found: Map<string, VersionedEntry>;
}

/**
 * A turn lock that can also read the turn's first state where that costs nothing more (PostgreSQL: the lock's
 * own statement). `read` is undefined when it did not (the lock was already held here, so no statement was
 * made): the turn then reads as usual.
 */
export interface ReadingTurnLock {
  runReading<T>(conversationId: string, keys: string[], turn: (read: StateReadAhead | undefined) => Promise<T>): Promise<T>;
}

export interface VersionedStateStore {
  /**
   * The entries stored under these keys (absent keys are left out). The embedded store answers from memory,
   * at once; a database answers later. Callers await either.
   */
  read(keys: string[]): Map<string, VersionedEntry> | Promise<Map<string, VersionedEntry>>;
  /**
   * Checks every write's expectedEtag, then stores them all, or, if any check fails, throws EtagConflictError
   * and stores none. Returns each key's new eTag.
   */
  write(writes: VersionedWrite[]): Promise<Map<string, string>>;
  delete(keys: string[]): Promise<void>;
  /** True for the one caller that claims a key first, from any instance on the same store; false ever after. */
  claimOnce(key: string): Promise<boolean>;
  /** Removes entries not written since `before` (once-marks are not entries); returns how many. */
  pruneIdle(before: Date): Promise<number>;
  /** Removes once-marks claimed before `before` (that key may then be claimed again); returns how many. */
  pruneOnceMarks(before: Date): Promise<number>;
}
