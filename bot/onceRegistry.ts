// Remembers that something happened once (the welcome for a user), atomically across concurrent turns
// (housekeeping drops marks older than WELCOME_MARK_DAYS; after that a person may be welcomed again).
// Teams sends both conversationUpdate and installationUpdate when an app is installed by policy.
import { EtagConflictError, type LowdbVersionedStore } from '../storage/lowdbVersionedStore.js';

export class OnceRegistry {
  readonly #store: LowdbVersionedStore;
  constructor(store: LowdbVersionedStore) {
    this.#store = store;
  }

  /** True the first time a key is claimed, false ever after. */
  async claim(key: string): Promise<boolean> {
    // Nearly always claimed already: answer from memory rather than throwing a conflict every message.
    if (this.#store.read([`once/${key}`]).size > 0) return false;
    try {
      await this.#store.write([{ key: `once/${key}`, value: { at: new Date().toISOString() }, expectedEtag: '' }]);
      return true;
    } catch (error) {
      if (error instanceof EtagConflictError) return false;
      throw error;
    }
  }
}
