// Requests sent to the Trust's ESR automation (esr-automation-requests.json): small and hot, so a file of
// its own. Kept until some time after they finish, so a late or repeated callback is recognised.
import type { Low } from 'lowdb';
import { z } from 'zod';
import type { AutomationRequestRecord, AutomationRequestStatus, AutomationRequestStore, FinishResult } from '../esr/automation/ports.js';
import { openStore } from './openStore.js';

const recordSchema = z.object({
  id: z.string(),
  action: z.enum(['unlock', 'reactivate']),
  username: z.string(),
  requestedAt: z.string(),
  sentAt: z.string(),
  status: z.enum(['pending', 'done', 'failed', 'timed_out', 'unavailable']),
  finishedAt: z.string().optional(),
  message: z.string().optional(),
});
const fileSchema = z.object({ version: z.literal(1), requests: z.record(z.string(), recordSchema) });
type RequestsFile = z.infer<typeof fileSchema>;

export class LowdbAutomationRequestStore implements AutomationRequestStore {
  readonly #db: Low<RequestsFile>;

  private constructor(db: Low<RequestsFile>) {
    this.#db = db;
  }

  static async open(file: string): Promise<LowdbAutomationRequestStore> {
    return new LowdbAutomationRequestStore(await openStore(file, fileSchema, () => ({ version: 1, requests: {} })));
  }

  /**
   * The store over `file`, opened at its first use, so DATA_DIR gains the file only where ESR_MODE=automation
   * uses it. Where it is used, open it at start-up instead: a corrupt file should stop start-up, not a request.
   */
  static lazy(file: string): AutomationRequestStore {
    let opened: Promise<LowdbAutomationRequestStore> | undefined;
    const store = () => (opened ??= LowdbAutomationRequestStore.open(file));
    return {
      begin: async (request) => (await store()).begin(request),
      get: async (id) => (await store()).get(id),
      finish: async (id, status, at, message) => (await store()).finish(id, status, at, message),
      pendingSentBefore: async (before) => (await store()).pendingSentBefore(before),
      pruneFinished: async (before) => (await store()).pruneFinished(before),
    };
  }

  async begin(request: Pick<AutomationRequestRecord, 'id' | 'action' | 'username' | 'requestedAt' | 'sentAt'>): Promise<void> {
    const earlier = this.#db.data.requests[request.id];
    this.#db.data.requests[request.id] = {
      id: request.id,
      action: request.action,
      username: request.username,
      requestedAt: earlier?.requestedAt ?? request.requestedAt,
      sentAt: request.sentAt,
      status: 'pending',
    };
    await this.#db.write();
  }

  get(id: string): Promise<AutomationRequestRecord | undefined> {
    const found = Object.hasOwn(this.#db.data.requests, id) ? this.#db.data.requests[id] : undefined;
    return Promise.resolve(found ? { ...found } : undefined);
  }

  // Check-and-set in one synchronous step before any await: of two simultaneous calls, exactly one finishes it.
  async finish(id: string, status: Exclude<AutomationRequestStatus, 'pending'>, at: string, message?: string): Promise<FinishResult> {
    const record = Object.hasOwn(this.#db.data.requests, id) ? this.#db.data.requests[id] : undefined;
    if (!record) return 'unknown';
    if (record.status !== 'pending') return 'already_finished';
    record.status = status;
    record.finishedAt = at;
    if (message !== undefined) record.message = message;
    await this.#db.write();
    return 'finished';
  }

  pendingSentBefore(before: Date): Promise<AutomationRequestRecord[]> {
    const cutoff = before.getTime();
    return Promise.resolve(
      Object.values(this.#db.data.requests)
        .filter((r) => r.status === 'pending' && Date.parse(r.sentAt) < cutoff)
        .map((r) => ({ ...r })),
    );
  }

  async pruneFinished(before: Date): Promise<number> {
    const cutoff = before.getTime();
    const stale = Object.values(this.#db.data.requests).filter((r) => r.status !== 'pending' && r.finishedAt !== undefined && Date.parse(r.finishedAt) < cutoff);
    for (const r of stale) delete this.#db.data.requests[r.id];
    if (stale.length > 0) await this.#db.write();
    return stale.length;
  }
}
