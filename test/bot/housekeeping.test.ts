// The daily tidy-up: resolved tickets lose their screenshots and transcript after RETENTION_DAYS, open
// ones keep everything, and the run logs what it removed.
import { expect } from 'chai';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY, ManualClock } from '../../core/clock.js';
import { pngBytes } from '../tickets/fixtures.js';
import { replyText } from '../support/teamsUser.js';
import { DEMO_USERS, startTestApp } from '../support/testApp.js';

describe('housekeeping', () => {
  it('deletes screenshots and transcripts of tickets resolved more than RETENTION_DAYS ago, and logs it', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    const t = await startTestApp({ clock, housekeeping: false, env: { RETENTION_DAYS: '90' } });
    try {
      const tickets = t.app.tickets;
      const base = { requester: { teamsUserId: '29:a', name: 'Alex Demo', esrUsernames: ['241ADEMO01'] }, category: 'login' as const, userConversation: { conversation: { id: 'a:1' } } };
      const resolved = await tickets.create({ ...base, description: 'old problem', screenshots: [{ bytes: pngBytes(), fileName: 'a.png' }], transcript: [{ from: 'user', text: 'hello' }] });
      const open = await tickets.create({ ...base, description: 'still open', screenshots: [{ bytes: pngBytes(), fileName: 'b.png' }] });
      await tickets.resolve(resolved.id, { id: 'agent', name: 'Fran' });

      clock.advance(89 * DAY);
      expect((await t.app.housekeeping.runOnce())!.tickets).to.equal(0);

      clock.advance(2 * DAY);
      const report = await t.app.housekeeping.runOnce();
      expect(report).to.include({ tickets: 1, screenshots: 1 });
      const after = (await tickets.get(resolved.id))!;
      expect(after.screenshots).to.have.length(0);
      expect(after.transcript).to.have.length(0);
      expect(after.ref).to.equal(resolved.ref);
      expect((await tickets.get(open.id))!.screenshots).to.have.length(1);
      expect(await readdir(join(t.dataDir, 'screenshots', String(resolved.id))).catch(() => [])).to.have.length(0);
      expect(t.logs.some((l) => l.includes('Housekeeping removed old data') && l.includes('"screenshots":1'))).to.equal(true);
    } finally {
      await t.stop({ keepData: false });
    }
  });
});

describe('housekeeping of conversation state and welcome marks', () => {
  const welcomed = (texts: string[]) => texts.some((text) => text.includes("I'm the ESR Helpdesk"));

  it('forgets state and recent messages idle for 180 days and welcome marks older than 400 days, so a person is welcomed again after that', async () => {
    const clock = new ManualClock('2026-03-02T10:00:00Z');
    const t = await startTestApp({ clock, housekeeping: false });
    try {
      const bea = t.user(DEMO_USERS.bea);
      // A flow left half-way keeps conversation state (the dialog waits for the phone).
      expect(welcomed((await bea.say('how do I get the app')).map(replyText))).to.equal(true);

      clock.advance(181 * DAY);
      const idle = (await t.app.housekeeping.runOnce())!;
      expect(idle.stateEntries, 'conversation and user state').to.be.at.least(1);
      expect(idle.welcomeMarks).to.equal(0);
      expect(idle.recentMessages, 'the recent transcript goes with the state').to.be.at.least(2);
      expect(welcomed((await bea.say('how do I get the app')).map(replyText)), 'the mark outlives the state').to.equal(false);

      clock.advance(220 * DAY);
      const old = (await t.app.housekeeping.runOnce())!;
      expect(old.welcomeMarks).to.equal(1);
      expect(old.stateEntries, 'the state written 220 days ago').to.be.at.least(1);
      expect(welcomed((await bea.say('hello')).map(replyText))).to.equal(true);
    } finally {
      await t.stop({ keepData: false });
    }
  });
});
