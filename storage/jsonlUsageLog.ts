// Usage events as JSON Lines (usage.jsonl): appended, one per line; a line cut short by a crash is skipped.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { UsageEvent, UsageLog } from '../tickets/usage.js';

export class JsonlUsageLog implements UsageLog {
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

  record(event: UsageEvent): Promise<void> {
    const line = `${JSON.stringify({ at: event.at, flow: event.flow, kind: event.kind })}\n`;
    const next = this.#queue.then(() => appendFile(this.file, line, 'utf8'));
    this.#queue = next.catch(() => undefined);
    return next;
  }

  async since(since: string): Promise<UsageEvent[]> {
    await this.#queue;
    const events: UsageEvent[] = [];
    for (const line of (await readFile(this.file, 'utf8')).split('\n')) {
      if (!line) continue;
      try {
        const e = JSON.parse(line) as UsageEvent;
        if (e.at >= since) events.push(e);
      } catch {
        // a line cut short by a crash
      }
    }
    return events;
  }
}
