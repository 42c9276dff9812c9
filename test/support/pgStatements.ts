// Records the text of every statement this process sends to PostgreSQL (through node-postgres), so a test can
// count a turn's round trips. Wraps Client.prototype.query until `stop()`; `keep` picks which texts to record.
import pg from 'pg';

export interface StatementRecorder {
  /** Texts recorded so far (whitespace collapsed), in the order they were sent. */
  readonly sent: string[];
  stop(): void;
}

export function recordStatements(keep: (text: string) => boolean = () => true): StatementRecorder {
  // eslint-disable-next-line @typescript-eslint/unbound-method -- put back by stop(), and called with its client
  const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
  const sent: string[] = [];
  (pg.Client.prototype as { query: unknown }).query = function (this: pg.Client, ...args: unknown[]) {
    const q = args[0] as string | { text?: string };
    const text = (typeof q === 'string' ? q : (q.text ?? '')).replace(/\s+/g, ' ');
    if (keep(text)) sent.push(text);
    return query.apply(this, args);
  };
  return {
    sent,
    stop: () => {
      (pg.Client.prototype as { query: unknown }).query = query;
    },
  };
}
