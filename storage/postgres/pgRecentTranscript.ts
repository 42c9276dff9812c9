// The recent transcript in PostgreSQL (table recent_transcript): with several instances a conversation's
// turns reach whichever instance Teams picks, so its last messages must be where every instance can read
// them. The last RECENT_LIMIT rows per conversation are read; older ones are deleted PRUNE_SLACK rows at a time.
import type pg from 'pg';
import { prepared } from './pool.js';
import { RECENT_LIMIT, type RecentTranscriptStore } from '../../tickets/recentTranscript.js';
import type { TranscriptEntry } from '../../tickets/types.js';

// The append commits without waiting for the disk (synchronous_commit off for its own transaction only, set
// inside the statement so it costs no round trip and holds behind a transaction-mode pooler): a turn no longer
// waits the WAL flush (about a millisecond here) for a convenience copy of the last messages. Other sessions see
// the rows at once as usual; a crash of the database server itself may lose the last fraction of a second of
// them (the embedded store keeps this transcript in memory only, lost at every restart). Tickets, state,
// accounts and everything else still commit to disk first.
const APPEND = `WITH relaxed AS (SELECT set_config('synchronous_commit', 'off', true)),
  added AS (
    INSERT INTO recent_transcript (conversation_id, at, entry)
    SELECT $1, (e ->> 'at')::timestamptz, e FROM unnest($2::jsonb[]) WITH ORDINALITY AS u (e, n) ORDER BY n
    RETURNING id
  ),
  pruned AS (
    DELETE FROM recent_transcript WHERE conversation_id = $1 AND id <= (
      SELECT id FROM recent_transcript WHERE conversation_id = $1 ORDER BY id DESC OFFSET $3 LIMIT 1
    ) AND EXISTS (SELECT FROM recent_transcript WHERE conversation_id = $1 ORDER BY id DESC OFFSET $4 LIMIT 1)
    RETURNING id
  )
  SELECT count(*) FROM relaxed`;

/**
 * How many rows over RECENT_LIMIT a conversation may hold before an append deletes the older ones. Deleting a row
 * or two at every append made the append about three times as dear as the insert alone (measured with pgbench:
 * 6,400 against 15,000 appends a second; most of it in the DELETE, each walking past the rows deleted just
 * before); deleting them in batches, only when this many have built up, costs a look at the index otherwise.
 */
export const PRUNE_SLACK = 15;

export class PgRecentTranscript implements RecentTranscriptStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    const added = entries.slice(-RECENT_LIMIT);
    if (added.length === 0) return;
    // One round trip. The DELETE sees the table as it was before this INSERT: once more than
    // RECENT_LIMIT + PRUNE_SLACK - added.length rows are there, it keeps the newest RECENT_LIMIT - added.length,
    // which with the new ones makes RECENT_LIMIT. So a conversation holds at most RECENT_LIMIT + PRUNE_SLACK
    // rows (two instances appending at once may leave a row or two more until its next prune); `recent` reads
    // only the last RECENT_LIMIT, so nobody sees the others.
    const keep = RECENT_LIMIT - added.length;
    await this.#pool.query(prepared(APPEND, [conversationId, added.map((e) => JSON.stringify(e)), keep, keep + PRUNE_SLACK]));
  }

  async recent(conversationId: string): Promise<TranscriptEntry[]> {
    const { rows } = await this.#pool.query<{ entry: TranscriptEntry }>(
      `SELECT entry FROM (SELECT id, entry FROM recent_transcript WHERE conversation_id = $1 ORDER BY id DESC LIMIT $2) last ORDER BY id`,
      [conversationId, RECENT_LIMIT],
    );
    return rows.map((r) => r.entry);
  }

  async forgetBefore(before: Date): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM recent_transcript WHERE at < $1', [before]);
    return rowCount ?? 0;
  }
}
