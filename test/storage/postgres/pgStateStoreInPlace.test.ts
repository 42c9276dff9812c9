// Conversation state on PostgreSQL is written in place (a HOT update: migration 009 and UPDATED_AT_STEP_MS in
// storage/postgres/pgStateStore.ts). With many stored conversations every turn's write lands on a different
// page, and a write that also changed an index wrote the index's page to the WAL as well. updated_at therefore
// moves forward at most once an hour, and pruning allows for that hour.
import { expect } from 'chai';
import { createPool } from '../../../storage/postgres/pool.js';
import { PgStateStore, UPDATED_AT_STEP_MS } from '../../../storage/postgres/pgStateStore.js';
import { usePostgres } from '../../support/postgres.js';

const CONV = 'msteams/conversations/a:1';
const MINUTE = 60_000;
const T0 = Date.parse('2026-12-06T09:00:00.000Z');

describe('conversation state written in place on PostgreSQL', () => {
  const db = usePostgres();
  let now = T0;
  const store = () => new PgStateStore(db().pool, () => new Date(now));
  beforeEach(async () => {
    await db().truncate();
    now = T0;
  });

  async function write(s: PgStateStore, value: Record<string, unknown>): Promise<void> {
    const etag = (await s.read([CONV])).get(CONV)?.etag ?? '';
    await s.write([{ key: CONV, value, expectedEtag: etag }]);
  }

  it('moves updated_at forward only once it is an hour old (or ahead of the clock)', async () => {
    const s = store();
    await write(s, { step: 1 });
    now = T0 + 30 * MINUTE;
    await write(s, { step: 2 });
    expect((await s.read([CONV])).get(CONV)).to.deep.include({ value: { step: 2 }, at: new Date(T0).toISOString() });
    now = T0 + UPDATED_AT_STEP_MS;
    await write(s, { step: 3 });
    expect((await s.read([CONV])).get(CONV)?.at).to.equal(new Date(now).toISOString());
    now = T0; // a writer whose clock is behind: the time is set back to its own, never left in the future
    await s.write([{ key: CONV, value: { step: 4 } }]);
    expect((await s.read([CONV])).get(CONV)?.at).to.equal(new Date(T0).toISOString());
  });

  it('never prunes an entry written since the cut-off, though its updated_at is older, and prunes it once idle an hour longer', async () => {
    const s = store();
    await write(s, { step: 1 });
    now = T0 + 50 * MINUTE;
    await write(s, { step: 2 }); // updated_at stays at T0
    expect(await s.pruneIdle(new Date(T0 + 40 * MINUTE))).to.equal(0);
    expect((await s.read([CONV])).get(CONV)?.value).to.deep.equal({ step: 2 });
    expect(await s.pruneIdle(new Date(T0 + 50 * MINUTE + UPDATED_AT_STEP_MS))).to.equal(1);
  });

  it('updates the row in place: twenty writes of a conversation touch no index', async () => {
    // One connection, so the statistics this session gathers can be sent at once (pg_stat_force_next_flush).
    const pool = createPool(db().url, { max: 1, applicationName: 'esr-helpdesk-tests-hot' });
    try {
      const s = new PgStateStore(pool, () => new Date(now));
      await write(s, { step: 0, padding: 'x'.repeat(1500) });
      const counts = async () => {
        await pool.query('SELECT pg_stat_force_next_flush()');
        await pool.query('SELECT 1'); // the flush happens as the session goes idle after the statement before
        const { rows } = await db().pool.query<{ updates: string; hot: string }>("SELECT n_tup_upd AS updates, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'bot_state'");
        return { updates: Number(rows[0]!.updates), hot: Number(rows[0]!.hot) };
      };
      const before = await counts();
      for (let i = 1; i <= 20; i++) {
        now = T0 + i * MINUTE;
        await write(s, { step: i, padding: 'x'.repeat(1500) });
      }
      let after = await counts();
      for (let tries = 0; after.updates - before.updates < 20 && tries < 50; tries++) after = await counts();
      expect(after.updates - before.updates, 'updates counted').to.equal(20);
      expect(after.hot - before.hot, 'of them in place').to.equal(20);
    } finally {
      await pool.end();
    }
  });
});
