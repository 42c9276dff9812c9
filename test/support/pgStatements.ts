// Records the text of every statement this process sends to PostgreSQL (through node-postgres), so a test can
// count a turn's round trips. Wraps Client.prototype.query until `stop()`; `keep` picks which texts to record.
import pg from 'pg';

export interface StatementRecorder {
  /** Texts recorded so far (whitespace collapsed), in the order they were sent. */
  readonly sent: string[];
  /** "sent <text>" and "done <text>" in the order they happened: which statements were in flight together. */
  readonly events: string[];
  stop(): void;
}

export function recordStatements(keep: (text: string) => boolean = () => true): StatementRecorder {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back by stop(), and called with its client
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  const sent: string[] = [];
  const events: string[] = [];
  (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = (typeof q === 'string' ? q : (q.text ?? '')).replace(/\s+/g, ' ');
    if (!keep(text)) return query.apply(this, args);
    sent.push(text);
    events.push(`sent ${text}`);
    const done = () => void events.push(`done ${text}`);
    // The pool passes a callback; a direct client.query returns a promise.
    const last = args.length - 1;
    if (typeof args[last] === 'function') {
      const callback = args[last] as (...a: unknown[]) => unknown;
      args[last] = (...a: unknown[]) => (done(), callback(...a));
      return query.apply(this, args);
    }
    const result = query.apply(this, args);
    if (result instanceof Promise) void result.then(done, done);
    return result;
  };
  return {
    sent,
    events,
    stop: () => {
      (pg.Client.prototype as { query: unknown }).query = query;
    },
  };
}
