// Remembers that something happened once (the welcome for a user), atomically across concurrent turns and,
// on PostgreSQL, across instances (housekeeping drops marks older than WELCOME_MARK_DAYS; after that a person
// may be welcomed again). Teams sends both conversationUpdate and installationUpdate when an app is installed
// by policy.
import type { VersionedStateStore } from '../state/ports.js';

export class OnceRegistry {
  readonly #store: Pick<VersionedStateStore, 'claimOnce'>;
  constructor(store: Pick<VersionedStateStore, 'claimOnce'>) {
    this.#store = store;
  }

  /** True the first time a key is claimed, false ever after. */
  claim(key: string): Promise<boolean> {
    return this.#store.claimOnce(key);
  }
}
