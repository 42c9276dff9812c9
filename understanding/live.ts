// The understander the bot uses, swapped whole when the content changes: after an admin adds a phrasing
// (at once, in this instance) and when another instance changes the override files (seen by their mtime).
import { stat } from 'node:fs/promises';
import type { IntentMatch } from '../dialogs/intents.js';
import { Understander, type Candidate, type Understood, type UnderstandingSource } from './understander.js';

export class LiveUnderstanding {
  /** Built on first use, or by `prepare()`: training takes a few hundred ms that need not delay start-up. */
  #current: Understander | undefined;
  readonly #first: UnderstandingSource;
  readonly #load: () => Promise<UnderstandingSource>;

  constructor(source: UnderstandingSource, load?: () => Promise<UnderstandingSource>) {
    this.#first = source;
    this.#load = load ?? (() => Promise.resolve(source));
  }

  /** Builds the index now, if no use has yet (the app calls it once it is listening). */
  prepare(): void {
    this.#built();
  }

  #built(): Understander {
    return (this.#current ??= new Understander(this.#first));
  }

  get intents(): readonly string[] {
    return this.#built().intents;
  }

  understand(text: string): Understood {
    return this.#built().understand(text);
  }

  recognise(text: string): IntentMatch | undefined {
    return this.#built().recognise(text);
  }

  rank(text: string): Candidate[] {
    return this.#built().rank(text);
  }

  keyOf(text: string): string {
    return this.#built().keyOf(text);
  }

  /** Rebuilds from the content as it now stands; on a bad file the old index stays and the error is thrown. */
  async reload(): Promise<void> {
    this.#current = new Understander(await this.#load());
  }

  /** Reloads when any of `files` changes (created, edited or removed); returns a function that stops. */
  watch(files: string[], intervalMs: number, onReload: (error?: unknown) => void): () => void {
    const seen = new Map<string, number>();
    const mtimes = () => Promise.all(files.map((f) => stat(f).then((s) => s.mtimeMs, () => 0)));
    let busy = false;
    void mtimes().then((times) => files.forEach((f, i) => seen.set(f, times[i]!)));
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void mtimes()
        .then(async (times) => {
          const changed = files.some((f, i) => seen.get(f) !== times[i]);
          files.forEach((f, i) => seen.set(f, times[i]!));
          if (!changed) return;
          await this.reload().then(
            () => onReload(),
            (error: unknown) => onReload(error),
          );
        })
        .finally(() => {
          busy = false;
        });
    }, intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}
