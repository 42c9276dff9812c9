// The recent transcript in PostgreSQL (table recent_transcript): with several instances a conversation's
// turns reach whichever instance Teams picks, so its last messages must be where every instance can read
// them. The last RECENT_LIMIT rows per conversation are kept; each append prunes the older ones.
import type pg from 'pg';
import { prepared } from './pool.js';
import { RECENT_LIMIT, type RecentTranscriptStore } from '../../tickets/recentTranscript.js';
import type { TranscriptEntry } from '../../tickets/types.js';

const APPEND = `WITH added AS (
    INSERT INTO recent_transcript (conversation_id, at, entry)
    SELECT $1, (e ->> 'at')::timestamptz, e FROM unnest($2::jsonb[]) WITH ORDINALITY AS u (e, n) ORDER BY n
    RETURNING id
  )
  DELETE FROM recent_transcript WHERE conversation_id = $1 AND id <= (
    SELECT id FROM recent_transcript WHERE conversation_id = $1 ORDER BY id DESC OFFSET $3 LIMIT 1
  )`;

export class PgRecentTranscript implements RecentTranscriptStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async append(conversationId: string, entries: TranscriptEntry[]): Promise<void> {
    const added = entries.slice(-RECENT_LIMIT);
    if (added.length === 0) return;
    // One round trip. The DELETE sees the table as it was before this INSERT, so it keeps the newest
    // RECENT_LIMIT - added.length of the rows already there; with the new ones that makes RECENT_LIMIT.
    // Two instances appending to one conversation at once may leave a row or two over until the next
    // append; `recent` reads only the last RECENT_LIMIT, so nobody sees them.
    await this.#pool.query(prepared(APPEND, [conversationId, added.map((e) => JSON.stringify(e)), RECENT_LIMIT - added.length]));
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
