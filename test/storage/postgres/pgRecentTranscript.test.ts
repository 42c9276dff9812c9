// What the PostgreSQL recent transcript does beyond the contract: the table itself holds no more than the
// last 30 rows of a conversation (the older ones are deleted, not only hidden), so it stays small.
import { expect } from 'chai';
import { PgRecentTranscript } from '../../../storage/postgres/pgRecentTranscript.js';
import { RECENT_LIMIT } from '../../../tickets/recentTranscript.js';
import { usePostgres } from '../../support/postgres.js';

const T0 = Date.parse('2026-01-05T10:00:00.000Z');
const entry = (n: number) => ({ at: new Date(T0 + n * 1000).toISOString(), from: 'user' as const, text: `message ${n}` });

describe('PgRecentTranscript', () => {
  const db = usePostgres();
  beforeEach(() => db().truncate());

  const rowsOf = async (conversationId: string) =>
    (await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM recent_transcript WHERE conversation_id = $1', [conversationId])).rows[0]!.n;

  it(`deletes the rows older than a conversation's last ${RECENT_LIMIT}, one at a time or many at once, leaving other conversations alone`, async () => {
    const store = new PgRecentTranscript(db().pool);
    await store.append('a:other', [entry(0), entry(1)]);
    for (let n = 0; n < 45; n++) await store.append('a:1', [entry(n)]);
    expect(await rowsOf('a:1')).to.equal(RECENT_LIMIT);
    await store.append('a:1', Array.from({ length: 50 }, (_, i) => entry(100 + i)));
    expect(await rowsOf('a:1')).to.equal(RECENT_LIMIT);
    expect((await store.recent('a:1')).map((e) => e.text)).to.deep.equal(Array.from({ length: RECENT_LIMIT }, (_, i) => `message ${120 + i}`));
    expect(await rowsOf('a:other')).to.equal(2);
  });
});
