// Work that must not make the caller wait, or whose duration would give something away (whether an
// account exists). Tasks run at once, concurrently; failures go to `onError`; tests await `idle()`.
export class BackgroundTasks {
  readonly #pending = new Set<Promise<void>>();
  readonly #onError: (error: unknown, label: string) => void;

  constructor(onError: (error: unknown, label: string) => void) {
    this.#onError = onError;
  }

  run(label: string, task: () => Promise<void>): void {
    const promise = Promise.resolve()
      .then(task)
      .catch((error: unknown) => this.#onError(error, label))
      .finally(() => this.#pending.delete(promise));
    this.#pending.add(promise);
  }

  /** Resolves when every task started so far, and any they started, has finished. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  get size(): number {
    return this.#pending.size;
  }
}
