// What was missed, counted and exported; and an admin's "Add this phrasing to…" from the dashboard API to the
// override file and back into what the running bot understands.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { missedToCsv, summariseUnanswered, type MissedEvent } from '../../understanding/missed.js';
import { DEMO_USERS, startTestApp, type TestApp } from '../support/testApp.js';

const ev = (at: string, kind: MissedEvent['kind'], key: string, text: string, choice?: string): MissedEvent => ({ at, kind, key, text, ...(choice ? { choice } : {}) });

describe('questions the bot could not answer', () => {
  it('counts them by wording, most asked first, with the latest example', () => {
    const rows = summariseUnanswered([
      ev('2026-01-05T09:00:00Z', 'fallback', 'canteen open', 'is the canteen open'),
      ev('2026-01-05T10:00:00Z', 'fallback', 'park', 'where do I park'),
      ev('2026-01-05T11:00:00Z', 'somethingElse', 'canteen open', 'canteen open?'),
      ev('2026-01-05T12:00:00Z', 'choice', 'pay', 'pay', 'faq:payslips'),
    ]);
    expect(rows).to.deep.equal([
      { key: 'canteen open', count: 2, text: 'canteen open?', lastAt: '2026-01-05T11:00:00Z' },
      { key: 'park', count: 1, text: 'where do I park', lastAt: '2026-01-05T10:00:00Z' },
    ]);
  });

  it('drops a wording once it has been added, until it is missed again', () => {
    const added = [ev('2026-01-05T09:00:00Z', 'fallback', 'park', 'where do I park'), ev('2026-01-05T10:00:00Z', 'added', 'park', 'where do I park', 'faq:contact')];
    expect(summariseUnanswered(added)).to.deep.equal([]);
    expect(summariseUnanswered([...added, ev('2026-01-05T11:00:00Z', 'fallback', 'park', 'park where')])).to.have.length(1);
  });

  it('exports CSV with formulas defused', () => {
    const csv = missedToCsv([ev('2026-01-05T09:00:00Z', 'fallback', 'sum', '=SUM(A1:A9)'), ev('2026-01-05T10:00:00Z', 'choice', 'pay', 'pay, "now"', 'faq:payslips')]);
    expect(csv.split('\r\n')).to.deep.equal(['\uFEFFat,kind,text,key,choice', "2026-01-05T09:00:00Z,fallback,'=SUM(A1:A9),sum,", '2026-01-05T10:00:00Z,choice,"pay, ""now""",pay,faq:payslips', '']);
  });

  describe('in the running bot and on the dashboard', function () {
    this.timeout(30_000);
    let clock: ManualClock;
    let t: TestApp;
    before(async () => {
      clock = new ManualClock('2026-01-07T10:00:00Z');
      t = await startTestApp({
        clock,
        housekeeping: false,
        // The bot's endpoint takes unauthenticated test turns only without app credentials, so the dashboard is
        // used in its development sign-in here; its token checks are the same signedIn() as every other route.
        env: { DASHBOARD_DEV_LOGIN: 'true' },
      });
    });
    after(async () => {
      await t?.stop({ keepData: false });
    });

    const api = async (path: string, token: string | undefined, body?: unknown) => {
      const res = await fetch(`${t.url}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };

    it('keeps a fallback redacted, lists it for agents only, and recognises it once an agent adds it', async () => {
      const user = t.user(DEMO_USERS.alex);
      await user.say('hello'); // the first message is answered with the welcome
      const first = await user.say('is there a parking permit, my password is Secret123');
      expect(JSON.stringify(first), JSON.stringify(first).slice(0, 3000)).to.include("didn't understand");
      await new Promise((r) => setTimeout(r, 50));
      const log = await readFile(join(t.dataDir, 'unanswered.jsonl'), 'utf8');
      expect(log).to.include('parking permit').and.not.include('Secret123');

      const token = undefined;
      const list = await api('/api/dashboard/unanswered', token);
      expect(list.status).to.equal(200);
      const rows = list.json.rows as Array<{ key: string; count: number; text: string }>;
      expect(rows).to.have.length(1);
      expect(rows[0]).to.include({ count: 1, text: 'is there a parking permit, my password is [password]' });

      expect((await api('/api/dashboard/unanswered', token, { key: rows[0]!.key, target: 'nonsense' })).status).to.equal(400);
      const added = await api('/api/dashboard/unanswered', token, { key: rows[0]!.key, target: 'faq:contact' });
      expect(added.status, JSON.stringify(added.json)).to.equal(200);
      const override = JSON.parse(await readFile(join(t.dataDir, 'content', 'faq.en-GB.json'), 'utf8')) as { entries: Array<{ id: string; phrases: string[] }> };
      expect(override.entries.find((e) => e.id === 'contact')!.phrases).to.include('is there a parking permit my password is');

      const again = await user.say('is there a parking permit');
      expect(JSON.stringify(again)).to.include('Who to contact');
      expect((await api('/api/dashboard/unanswered', token)).json.rows).to.deep.equal([]);
    });
  });
});
