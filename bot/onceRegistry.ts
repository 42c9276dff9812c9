// Remembers that something happened once (the welcome for a user), atomically across concurrent turns and,
// on PostgreSQL, across instances (housekeeping drops marks older than WELCOME_MARK_DAYS; after that a person
// may be welcomed again). Teams sends both conversationUpdate and installationUpdate when an app is installed
// by policy.
import type { VersionedStateStore } from '../state/ports.js';

/** Keys remembered as already claimed (about 100 bytes each), and for how long. */
const REMEMBERED = 20_000;
const REMEMBER_MS = 60 * 60 * 1000;

export class OnceRegistry {
  readonly #store: Pick<VersionedStateStore, 'claimOnce'>;
  readonly #now: () => Date;
  // A key once claimed stays claimed, so this instance need not ask the store again for a while: without this,
  // every message of every conversation cost a round trip to PostgreSQL for a welcome sent long ago. Bounded
  // in number (oldest first out) and in time (an hour), so memory does not grow with the directory and a mark
  // that housekeeping has since dropped is seen as dropped (the person is welcomed again, as without this).
  readonly #claimedAt = new Map<string, number>();
  readonly #remember: number;

  constructor(store: Pick<VersionedStateStore, 'claimOnce'>, now: () => Date = () => new Date(), remember = REMEMBERED) {
    this.#store = store;
    this.#now = now;
    this.#remember = remember;
  }

  /** True the first time a key is claimed, false ever after. */
  async claim(key: string): Promise<boolean> {
    const now = this.#now().getTime();
    const at = this.#claimedAt.get(key);
    if (at !== undefined && now - at < REMEMBER_MS) return false;
    const first = await this.#store.claimOnce(key);
    this.#claimedAt.delete(key);
    this.#claimedAt.set(key, now);
    if (this.#claimedAt.size > this.#remember) this.#claimedAt.delete(this.#claimedAt.keys().next().value!);
    return first;
  }
}
