// What the PostgreSQL recent transcript does beyond the contract: the table itself holds no more than a
// conversation's last 30 rows and a few more (the older ones are deleted in batches, not only hidden), so it
// stays small; and an append
// does not wait for the disk, while the connection's own setting stays as it was for whatever runs on it next.
import { expect } from 'chai';
import { createPool } from '../../../storage/postgres/pool.js';
import { PgRecentTranscript, PRUNE_SLACK } from '../../../storage/postgres/pgRecentTranscript.js';
import { RECENT_LIMIT } from '../../../tickets/recentTranscript.js';
import { usePostgres } from '../../support/postgres.js';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const entry = (n: number) => ({ at: new Date(T0 + n * 1000).toISOString(), from: 'user' as const, text: `message ${n}` });

describe('PgRecentTranscript', () => {
  const db = usePostgres();
  beforeEach(() => db().truncate());

  const rowsOf = async (conversationId: string) =>
    (await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM recent_transcript WHERE conversation_id = $1', [conversationId])).rows[0]!.n;

  it(`deletes the rows older than a conversation's last ${RECENT_LIMIT} once ${PRUNE_SLACK} more have built up, one at a time or many at once, leaving other conversations alone`, async () => {
    const store = new PgRecentTranscript(db().pool);
    await store.append('a:other', [entry(0), entry(1)]);
    const counts: number[] = [];
    for (let n = 0; n < RECENT_LIMIT + 2 * PRUNE_SLACK + 5; n++) {
      await store.append('a:1', [entry(n)]);
      counts.push(await rowsOf('a:1'));
    }
    // Up to the limit and the slack, then back to the limit: the older rows go in batches.
    expect(Math.max(...counts)).to.equal(RECENT_LIMIT + PRUNE_SLACK);
    expect(counts.filter((n, i) => i > 0 && n < counts[i - 1]!)).to.deep.equal([RECENT_LIMIT, RECENT_LIMIT]);
    expect((await store.recent('a:1')).map((e) => e.text)).to.deep.equal(Array.from({ length: RECENT_LIMIT }, (_, i) => `message ${2 * PRUNE_SLACK + 5 + i}`));
    await store.append('a:1', Array.from({ length: 50 }, (_, i) => entry(100 + i)));
    expect(await rowsOf('a:1')).to.equal(RECENT_LIMIT);
    expect((await store.recent('a:1')).map((e) => e.text)).to.deep.equal(Array.from({ length: RECENT_LIMIT }, (_, i) => `message ${120 + i}`));
    expect(await rowsOf('a:other')).to.equal(2);
  });

  it("commits an append without waiting for the WAL to reach the disk, and leaves the connection's setting for its next user", async () => {
    const one = createPool(db().url, { max: 1 }); // one connection: the SHOW below runs where the appends ran
    try {
      const store = new PgRecentTranscript(one);
      await store.append('a:warm', [entry(0)]); // the statement prepared on the connection
      // A backend hands its WAL counts to the statistics about once a second; asked to, at its next idle moment.
      const walSyncs = async () => {
        await one.query('SELECT pg_stat_force_next_flush()');
        return Number((await one.query<{ n: string }>('SELECT wal_sync AS n FROM pg_stat_wal')).rows[0]!.n);
      };
      const before = await walSyncs();
      for (let n = 0; n < 60; n++) await store.append('a:1', [entry(n)]);
      const syncs = (await walSyncs()) - before;
      // Committed one by one to disk, 60 appends would be 60 WAL flushes at least; relaxed, the WAL writer
      // flushes them in the background, a few times at most while they run.
      expect(syncs).to.be.below(20);
      expect((await one.query<{ synchronous_commit: string }>('SHOW synchronous_commit')).rows[0]!.synchronous_commit).to.equal('on');
      expect(await rowsOf('a:1')).to.be.within(RECENT_LIMIT, RECENT_LIMIT + PRUNE_SLACK);
    } finally {
      await one.end();
    }
  });
});
