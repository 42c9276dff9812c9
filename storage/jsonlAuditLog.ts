// The audit log as JSON Lines (audit.jsonl): one appended line per event, so recording never rewrites
// history and a crash can at worst cut the last line short (which reading skips).
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AuditEvent, AuditFilter, AuditLog } from '../esr/ports.js';

export class JsonlAuditLog implements AuditLog {
  readonly file: string;
  #queue: Promise<void> = Promise.resolve();

  constructor(file: string) {
    this.file = file;
  }

  async init(): Promise<this> {
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, '', { mode: 0o600 });
    return this;
  }

  // Appends go one after another so lines never interleave.
  record(event: AuditEvent): Promise<void> {
    const line = `${JSON.stringify(event)}\n`;
    const next = this.#queue.then(() => appendFile(this.file, line, 'utf8'));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async list(filter: AuditFilter = {}): Promise<AuditEvent[]> {
    await this.#queue;
    const text = await readFile(this.file, 'utf8');
    const events: AuditEvent[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      let event: AuditEvent;
      try {
        event = JSON.parse(line) as AuditEvent;
      } catch {
        continue; // a line cut short by a crash
      }
      events.push(event);
    }
    return applyFilter(events, filter);
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
