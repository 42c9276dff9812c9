// Usage events as JSON Lines (usage.jsonl): counts of flows used, appended; never names or message text.
import type { UsageEvent, UsageLog } from '../tickets/usage.js';
import { JsonLinesFile, type JsonLinesOptions } from './jsonLines.js';

export class JsonlUsageLog implements UsageLog {
  readonly #lines: JsonLinesFile<UsageEvent>;

  constructor(file: string, options: JsonLinesOptions = {}) {
    this.#lines = new JsonLinesFile(file, options);
  }

  async init(): Promise<this> {
    await this.#lines.init();
    return this;
  }

  record(event: UsageEvent): Promise<void> {
    return this.#lines.append({ at: event.at, flow: event.flow, kind: event.kind, ...(event.organisationCode !== undefined ? { organisationCode: event.organisationCode } : {}) });
  }

  async since(since: string): Promise<UsageEvent[]> {
    return (await this.#lines.readAll()).filter((e) => e.at >= since);
  }
}
