// Remembers that something happened once (the welcome for a user), atomically across concurrent turns and,
// on PostgreSQL, across instances (housekeeping drops marks older than WELCOME_MARK_DAYS; after that a person
// may be welcomed again). Teams sends both conversationUpdate and installationUpdate when an app is installed
// by policy.
import type { VersionedStateStore } from '../state/ports.js';

/** Keys remembered as already claimed, most recent first out last: about 100 bytes each. */
const REMEMBERED = 20_000;

export class OnceRegistry {
  readonly #store: Pick<VersionedStateStore, 'claimOnce'>;
  // A key once claimed stays claimed, so this instance need not ask the store again: without this, every
  // message of every conversation cost a round trip to PostgreSQL for a welcome that was sent long ago.
  // Bounded (oldest forgotten first), so memory does not grow with the directory; a forgotten key just asks again.
  readonly #claimed = new Set<string>();
  readonly #remember: number;

  constructor(store: Pick<VersionedStateStore, 'claimOnce'>, remember = REMEMBERED) {
    this.#store = store;
    this.#remember = remember;
  }

  /** True the first time a key is claimed, false ever after. */
  async claim(key: string): Promise<boolean> {
    if (this.#claimed.has(key)) return false;
    const first = await this.#store.claimOnce(key);
    this.#claimed.add(key);
    if (this.#claimed.size > this.#remember) this.#claimed.delete(this.#claimed.values().next().value!);
    return first;
  }
}
