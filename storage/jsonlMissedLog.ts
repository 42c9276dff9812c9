// What the bot could not answer, as JSON Lines (unanswered.jsonl): redacted texts, appended.
import type { MissedEvent, MissedLog } from '../understanding/missed.js';
import { JsonLinesFile, type JsonLinesOptions } from './jsonLines.js';

export class JsonlMissedLog implements MissedLog {
  readonly #lines: JsonLinesFile<MissedEvent>;

  constructor(file: string, options: JsonLinesOptions = {}) {
    this.#lines = new JsonLinesFile(file, options);
  }

  async init(): Promise<this> {
    await this.#lines.init();
    return this;
  }

  record(event: MissedEvent): Promise<void> {
    return this.#lines.append({ at: event.at, kind: event.kind, key: event.key, text: event.text, ...(event.choice ? { choice: event.choice } : {}) });
  }

  async since(since: string): Promise<MissedEvent[]> {
    return (await this.#lines.readAll()).filter((e) => e.at >= since);
  }
}
