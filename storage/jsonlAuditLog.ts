// The audit log as JSON Lines (audit.jsonl): one appended line per event, so recording never rewrites
// history and a crash can at worst cut the last line short (moved aside at start-up, see jsonLines.ts).
import type { AuditEvent, AuditFilter, AuditLog } from '../esr/ports.js';
import { JsonLinesFile, type JsonLinesOptions } from './jsonLines.js';

export class JsonlAuditLog implements AuditLog {
  readonly file: string;
  readonly #lines: JsonLinesFile<AuditEvent>;

  constructor(file: string, options: JsonLinesOptions = {}) {
    this.file = file;
    this.#lines = new JsonLinesFile(file, options);
  }

  async init(): Promise<this> {
    await this.#lines.init();
    return this;
  }

  record(event: AuditEvent): Promise<void> {
    return this.#lines.append(event);
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return applyFilter(await this.#lines.readAll(), filter);
  }
}

/** Keeps events in memory; for tests and tools that need no file. */
export class MemoryAuditLog implements AuditLog {
  readonly events: AuditEvent[] = [];
  record(event: AuditEvent): Promise<void> {
    this.events.push(structuredClone(event));
    return Promise.resolve();
  }
  list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    return Promise.resolve(applyFilter(this.events, filter));
  }
}

function applyFilter(events: AuditEvent[], filter: AuditFilter): AuditEvent[] {
  const kept = events.filter(
    (e) => (!filter.username || e.username === filter.username) && (!filter.action || e.action === filter.action) && (!filter.since || e.at >= filter.since),
  );
  return filter.limit ? kept.slice(-filter.limit) : kept;
}
