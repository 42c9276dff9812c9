// The tickets service end to end, over the real lowdb ticket store, screenshot files and audit log.
import { expect } from 'chai';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DAY, HOUR, MINUTE } from '../../core/clock.js';
import { TicketConflictError, type ScreenshotStore, type TicketStore } from '../../tickets/ports.js';
import {
  formatRef,
  isTicketError,
  MAX_SCREENSHOT_BYTES,
  parseRef,
  type TicketError,
  type NewTranscriptEntry,
  type TicketErrorCode,
} from '../../tickets/ticketService.js';
import type { Ticket } from '../../tickets/types.js';
import { AISHA, conversationOf, createTicketHarness, gifBytes, JO, jpegBytes, MORGAN, newTicket, pngBytes, RIA, SAM, webpBytes, type TicketHarness, rejectionOf } from './fixtures.js';


async function expectTicketError(promise: Promise<unknown>, code: TicketErrorCode): Promise<TicketError> {
  const error = await rejectionOf(promise);
  expect(isTicketError(error, code), String(error)).to.equal(true);
  return error as TicketError;
}

const entries = (n: number, from: NewTranscriptEntry['from'] = 'user'): NewTranscriptEntry[] =>
  Array.from({ length: n }, (_, i) => ({ from, text: `message ${i}` }));

describe('TicketService', () => {
  let h: TicketHarness;
  beforeEach(async () => (h = await createTicketHarness()));
  afterEach(() => h.cleanup());

  describe('creating a ticket', () => {
    it('opens a ticket with a five-digit reference, version 1, the requester and a "created" event', async () => {
      const ticket = await h.service.create(newTicket({ errorMessage: '  Invalid username or password  ', context: { flow: 'report', step: 'describe' } }));
      expect(ticket).to.include({ id: 1, ref: 'ESR-00001', status: 'open', category: 'login', live: false, wantsPerson: false, version: 1 });
      expect(ticket.errorMessage).to.equal('Invalid username or password');
      expect(ticket.requester).to.deep.equal(AISHA);
      expect(ticket.context).to.deep.equal({ flow: 'report', step: 'describe' });
      expect(ticket.createdAt).to.equal('2026-01-05T10:00:00.000Z');
      expect(ticket.updatedAt).to.equal(ticket.createdAt);
      expect(ticket.events).to.deep.equal([{ at: ticket.createdAt, action: 'created', by: 'user' }]);
      expect(await h.service.get(1)).to.deep.equal(ticket);
    });

    it('stores each screenshot by a random id, typed from its bytes, and lists it on the ticket', async () => {
      const images = [pngBytes(), jpegBytes(), gifBytes(), webpBytes()];
      const ticket = await h.service.create(
        newTicket({
          screenshots: [
            { bytes: images[0]!, fileName: 'C:\\Users\\aisha\\Desktop\\login error.png' },
            { bytes: images[1]!, fileName: 'photo.png' },
            { bytes: images[2]!, fileName: '../../etc/passwd' },
            { bytes: images[3]!, fileName: '\u0000\u0007' },
          ],
        }),
      );
      expect(ticket.screenshots.map((s) => s.contentType)).to.deep.equal(['image/png', 'image/jpeg', 'image/gif', 'image/webp']);
      expect(ticket.screenshots.map((s) => s.fileName)).to.deep.equal(['login error.png', 'photo.png', 'passwd', 'screenshot-4']);
      for (const [i, s] of ticket.screenshots.entries()) {
        expect(s.id).to.match(/^[0-9a-f]{32}$/);
        expect(s.bytes).to.equal(images[i]!.length);
        const got = await h.service.getScreenshot(ticket.id, s.id);
        expect(got?.bytes.equals(images[i]!)).to.equal(true);
      }
      const files = (await readdir(join(h.screenshotDir, '1'))).sort();
      expect(files).to.deep.equal(ticket.screenshots.map((s) => `${s.id}.${['png', 'jpg', 'gif', 'webp'][ticket.screenshots.indexOf(s)]}`).sort());
      expect(ticket.screenshots[0]!.sha256).to.match(/^[0-9a-f]{64}$/);
    });

    it('refuses a text file named .png, and stores neither ticket nor file', async () => {
      const error = await expectTicketError(
        h.service.create(newTicket({ screenshots: [{ bytes: pngBytes(), fileName: 'ok.png' }, { bytes: Buffer.from('hello'), fileName: 'fake.png' }] })),
        'screenshot_not_image',
      );
      expect(error.fileName).to.equal('fake.png');
      expect(await h.service.list()).to.deep.equal([]);
      expect(await readdir(h.screenshotDir)).to.deep.equal([]);
    });

    it('refuses a screenshot over 10 MB', async () => {
      const big = Buffer.concat([pngBytes(0), Buffer.alloc(MAX_SCREENSHOT_BYTES)]);
      await expectTicketError(h.service.create(newTicket({ screenshots: [{ bytes: big, fileName: 'huge.png' }] })), 'screenshot_too_large');
      expect(await h.service.list()).to.deep.equal([]);
    });

    it('refuses a sixth screenshot', async () => {
      const six = Array.from({ length: 6 }, (_, i) => ({ bytes: pngBytes(), fileName: `${i}.png` }));
      await expectTicketError(h.service.create(newTicket({ screenshots: six })), 'too_many_screenshots');
    });

    it('refuses a blank description and a conversation reference without an id, naming the fields', async () => {
      const error = await expectTicketError(h.service.create(newTicket({ description: '   ', userConversation: { serviceUrl: 'x' } })), 'invalid_input');
      expect(error.issues.map((i) => i.field)).to.have.members(['description', 'userConversation']);
    });

    it('cuts a long description to 4000 characters, ending in an ellipsis', async () => {
      const ticket = await h.service.create(newTicket({ description: 'x'.repeat(5000) }));
      expect(Array.from(ticket.description)).to.have.length(4000);
      expect(ticket.description.endsWith('…')).to.equal(true);
    });

    it('removes the stored screenshots again when the ticket cannot be saved', async () => {
      const failing: TicketStore = {
        nextId: () => h.tickets.nextId(),
        save: () => Promise.reject(new Error('disk full')),
        get: (id) => h.tickets.get(id),
        list: (f) => h.tickets.list(f),
      };
      const error = await rejectionOf(h.serviceWith({ tickets: failing }).create(newTicket({ screenshots: [{ bytes: pngBytes(), fileName: 'a.png' }] })));
      expect((error as Error).message).to.equal('disk full');
      expect(await readdir(h.screenshotDir)).to.deep.equal([]);
    });

    it('saves no ticket when a screenshot cannot be stored, and removes the ones that were', async () => {
      let puts = 0;
      const flaky: ScreenshotStore = {
        put: (id, meta, bytes) => (++puts === 2 ? Promise.reject(new Error('EIO')) : h.screenshots.put(id, meta, bytes)),
        get: (id, sid) => h.screenshots.get(id, sid),
        delete: (id, sid) => h.screenshots.delete(id, sid),
        deleteForTicket: (id) => h.screenshots.deleteForTicket(id),
      };
      const two = [pngBytes(), jpegBytes()].map((bytes, i) => ({ bytes, fileName: `${i}` }));
      await rejectionOf(h.serviceWith({ screenshots: flaky }).create(newTicket({ screenshots: two })));
      expect(await h.service.list()).to.deep.equal([]);
      expect(await readdir(h.screenshotDir)).to.deep.equal([]);
    });
  });

  describe('adding screenshots later', () => {
    it('stores and lists screenshots the user sends during a live chat, for the transcript to refer to', async () => {
      const ticket = await h.service.create(newTicket({ screenshots: [{ bytes: pngBytes(), fileName: 'first.png' }] }));
      const { ticket: after, screenshots } = await h.service.addScreenshots(ticket.id, [{ bytes: gifBytes(), fileName: 'later.gif' }]);
      expect(screenshots.map((s) => s.contentType)).to.deep.equal(['image/gif']);
      expect(after.screenshots.map((s) => s.fileName)).to.deep.equal(['first.png', 'later.gif']);
      expect(after.version).to.equal(2);
      await h.service.appendTranscript(ticket.id, { from: 'user', text: '[screenshot]', screenshotIds: [screenshots[0]!.id] });
      expect((await h.service.getScreenshot(ticket.id, screenshots[0]!.id))?.bytes.equals(gifBytes())).to.equal(true);
    });

    it('refuses a file that is not an image, and the 21st screenshot of a ticket, storing nothing', async () => {
      const ticket = await h.service.create(newTicket());
      await expectTicketError(h.service.addScreenshots(ticket.id, [{ bytes: Buffer.from('<svg/>'), fileName: 'x.png' }]), 'screenshot_not_image');
      for (let i = 0; i < 4; i++) await h.service.addScreenshots(ticket.id, Array.from({ length: 5 }, () => ({ bytes: pngBytes(), fileName: 'p.png' })));
      await expectTicketError(h.service.addScreenshots(ticket.id, [{ bytes: pngBytes(), fileName: 'one-too-many.png' }]), 'too_many_screenshots');
      expect((await h.service.get(ticket.id))!.screenshots).to.have.length(20);
      expect(await readdir(join(h.screenshotDir, String(ticket.id)))).to.have.length(20);
    });
  });

  describe('references', () => {
    it('pads the id to five digits and lets it grow past 99999', () => {
      expect([1, 42, 99999, 100000, 1234567].map(formatRef)).to.deep.equal(['ESR-00001', 'ESR-00042', 'ESR-99999', 'ESR-100000', 'ESR-1234567']);
    });

    const typed: Array<[string, number | undefined]> = [
      ['ESR-00042', 42],
      ['esr-42', 42],
      ['ESR 42', 42],
      ['esr00042', 42],
      [' #42 ', 42],
      ['42', 42],
      ['ESR-100000', 100000],
      ['ESR-00000', undefined],
      ['ESR-', undefined],
      ['ESR-4x2', undefined],
      ['ABC-42', undefined],
      ['', undefined],
    ];
    for (const [text, id] of typed) {
      it(`reads "${text}" as ${id === undefined ? 'no reference' : `ticket ${id}`}`, () => {
        expect(parseRef(text)).to.equal(id);
      });
    }

    it('numbers tickets in order and finds them by reference whatever the case and padding', async () => {
      for (let i = 0; i < 3; i++) await h.service.create(newTicket());
      expect((await h.service.getByRef('esr-2'))?.id).to.equal(2);
      expect((await h.service.getByRef('ESR-00003'))?.ref).to.equal('ESR-00003');
      expect(await h.service.getByRef('ESR-00004')).to.equal(undefined);
      expect(await h.service.getByRef('not a ref')).to.equal(undefined);
    });
  });

  describe('lookups', () => {
    it("finds a person's newest ticket that is not resolved, for \"speak to someone\"", async () => {
      const first = await h.service.create(newTicket());
      h.clock.advance(MINUTE);
      const second = await h.service.create(newTicket({ category: 'app' }));
      await h.service.create(newTicket({ requester: MORGAN }));
      expect((await h.service.openTicketFor(AISHA.teamsUserId))?.id).to.equal(second.id);
      await h.service.resolve(second.id, SAM);
      expect((await h.service.openTicketFor(AISHA.teamsUserId))?.id).to.equal(first.id);
      await h.service.resolve(first.id, SAM);
      expect(await h.service.openTicketFor(AISHA.teamsUserId)).to.equal(undefined);
    });

    it("finds the live ticket of a user's conversation only while an agent is live", async () => {
      const ticket = await h.service.create(newTicket());
      const conversationId = `a:conv-${AISHA.teamsUserId}`;
      expect(await h.service.liveTicketForConversation(conversationId)).to.equal(undefined);
      await h.service.takeOver(ticket.id, SAM);
      expect((await h.service.liveTicketForConversation(conversationId))?.id).to.equal(ticket.id);
      await h.service.endLive(ticket.id, 'user');
      expect(await h.service.liveTicketForConversation(conversationId)).to.equal(undefined);
    });

    it("finds a ticket by its thread in the agents' channel, and follows the thread when it changes", async () => {
      const ticket = await h.service.create(newTicket());
      await h.service.setChannelPost(ticket.id, { queueId: 'workforce', activityId: '1700', threadConversationId: '19:abc@thread.tacv2;messageid=1700' });
      expect((await h.service.ticketForThread('19:abc@thread.tacv2;messageid=1700'))?.id).to.equal(ticket.id);
      await h.service.setChannelPost(ticket.id, { queueId: 'workforce', activityId: '1800', threadConversationId: '19:abc@thread.tacv2;messageid=1800' });
      expect(await h.service.ticketForThread('19:abc@thread.tacv2;messageid=1700')).to.equal(undefined);
      expect((await h.service.ticketForThread('19:abc@thread.tacv2;messageid=1800'))?.channelPost?.activityId).to.equal('1800');
    });
  });

  describe('taking over', () => {
    it('assigns the ticket to the agent, goes live and stamps the first response', async () => {
      const created = await h.service.create(newTicket());
      h.clock.advance(7 * MINUTE);
      const result = await h.service.takeOver(created.id, SAM);
      expect(result.ok).to.equal(true);
      const ticket = (await h.service.get(created.id))!;
      expect(ticket).to.include({ status: 'assigned', live: true, version: 2, firstResponseAt: '2026-01-05T10:07:00.000Z', updatedAt: '2026-01-05T10:07:00.000Z' });
      expect(ticket.assignee).to.deep.equal(SAM);
      expect(ticket.events.at(-1)).to.deep.equal({ at: '2026-01-05T10:07:00.000Z', action: 'taken_over', by: SAM });
    });

    it('lets exactly one of two agents win when both take over at the same moment', async () => {
      const ticket = await h.service.create(newTicket());
      // Count the saves the store refused, to show both agents really read the same version.
      let conflicts = 0;
      const counting: TicketStore = {
        nextId: () => h.tickets.nextId(),
        save: async (t, v) => {
          try {
            await h.tickets.save(t, v);
          } catch (error) {
            if (error instanceof TicketConflictError) conflicts++;
            throw error;
          }
        },
        get: (id) => h.tickets.get(id),
        list: (f) => h.tickets.list(f),
      };
      const service = h.serviceWith({ tickets: counting });
      const [a, b] = await Promise.all([service.takeOver(ticket.id, SAM), service.takeOver(ticket.id, RIA)]);
      expect(conflicts).to.equal(1);
      const winners = [a, b].filter((r) => r.ok);
      const losers = [a, b].filter((r) => !r.ok);
      expect(winners).to.have.length(1);
      expect(losers).to.have.length(1);
      const winner = winners[0]!.ticket.assignee!;
      const loser = losers[0]!;
      expect(loser.ok === false && loser.reason === 'held_by_other' && loser.holder).to.deep.equal(winner);
      const stored = (await h.service.get(ticket.id))!;
      expect(stored.assignee).to.deep.equal(winner);
      expect(stored.version).to.equal(2);
      expect(stored.events.filter((e) => e.action === 'taken_over')).to.have.length(1);
      expect((await h.audit.list({ action: 'ticket.taken_over' })).map((e) => e.actor.id)).to.deep.equal([winner.id]);
    });

    it('lets exactly one of five agents win, and tells the other four who holds it', async () => {
      const ticket = await h.service.create(newTicket());
      const agents = Array.from({ length: 5 }, (_, i) => ({ id: `agent-${i}`, name: `Agent ${i}` }));
      const results = await Promise.all(agents.map((a) => h.service.takeOver(ticket.id, a)));
      const winner = results.find((r) => r.ok)!.ticket.assignee!;
      expect(results.filter((r) => r.ok)).to.have.length(1);
      for (const r of results.filter((x) => !x.ok)) expect(r).to.deep.include({ ok: false, reason: 'held_by_other', holder: winner });
    });

    it("leaves the holder's own live ticket unchanged, and turns live back on after the chat ended", async () => {
      const ticket = await h.service.create(newTicket());
      await h.service.takeOver(ticket.id, SAM);
      const again = await h.service.takeOver(ticket.id, SAM);
      expect(again).to.deep.include({ ok: true, changed: false });
      expect(again.ticket.version).to.equal(2);
      await h.service.endLive(ticket.id, 'user');
      h.clock.advance(HOUR);
      const resumed = await h.service.takeOver(ticket.id, SAM);
      expect(resumed).to.deep.include({ ok: true, changed: true });
      expect(resumed.ticket).to.include({ live: true, status: 'assigned', firstResponseAt: '2026-01-05T10:00:00.000Z' });
      expect(resumed.ticket.events.map((e) => e.action)).to.deep.equal(['created', 'taken_over', 'live_ended', 'live_resumed']);
    });

    it('refuses to take over a resolved ticket', async () => {
      const ticket = await h.service.create(newTicket());
      await h.service.resolve(ticket.id, SAM);
      expect(await h.service.takeOver(ticket.id, RIA)).to.deep.include({ ok: false, reason: 'resolved' });
    });

    it('throws not_found for a ticket that does not exist, and invalid_input for an agent without an id', async () => {
      await expectTicketError(h.service.takeOver(99, SAM), 'not_found');
      const ticket = await h.service.create(newTicket());
      await expectTicketError(h.service.takeOver(ticket.id, { id: ' ', name: 'Nobody' }), 'invalid_input');
    });

    it('records who acted and through which channel in the audit log', async () => {
      const ticket = await h.service.create(newTicket());
      await h.service.takeOver(ticket.id, SAM, { channel: 'dashboard' });
      const [event] = await h.audit.list({ action: 'ticket.taken_over' });
      expect(event).to.deep.include({ channel: 'dashboard', outcome: 'success', username: '241ASHAH01', actor: { kind: 'agent', id: SAM.id, name: SAM.name } });
      expect(event?.detail).to.deep.equal({ ticket: 'ESR-00001', category: 'login', status: 'assigned' });
    });
  });

  describe('state changes', () => {
    let ticket: Ticket;
    beforeEach(async () => (ticket = await h.service.create(newTicket())));

    it('unassigns back to the queue: open, no assignee, not live', async () => {
      await h.service.takeOver(ticket.id, SAM);
      const { ticket: after, changed } = await h.service.unassign(ticket.id, RIA);
      expect(changed).to.equal(true);
      expect(after).to.include({ status: 'open', live: false, version: 3 });
      expect(after.assignee).to.equal(undefined);
      expect(after.events.at(-1)).to.deep.include({ action: 'unassigned', by: RIA });
    });

    it('resolves: not live, resolvedAt stamped, the resolving agent recorded', async () => {
      await h.service.takeOver(ticket.id, SAM);
      h.clock.advance(30 * MINUTE);
      const { ticket: after } = await h.service.resolve(ticket.id, SAM);
      expect(after).to.include({ status: 'resolved', live: false, resolvedAt: '2026-01-05T10:30:00.000Z' });
      expect(after.assignee).to.deep.equal(SAM);
    });

    it('treats resolving twice as a no-op: no new version, no second event', async () => {
      const first = await h.service.resolve(ticket.id, SAM);
      h.clock.advance(MINUTE);
      const second = await h.service.resolve(ticket.id, RIA);
      expect(second.changed).to.equal(false);
      expect(second.ticket.version).to.equal(first.ticket.version);
      expect(second.ticket.resolvedAt).to.equal(first.ticket.resolvedAt);
      expect(second.ticket.events.filter((e) => e.action === 'resolved')).to.have.length(1);
    });

    it('counts resolving an unanswered ticket as its first response', async () => {
      h.clock.advance(2 * HOUR);
      const { ticket: after } = await h.service.resolve(ticket.id, SAM);
      expect(after.firstResponseAt).to.equal('2026-01-05T12:00:00.000Z');
    });

    it('reopens a resolved ticket: open, no assignee, no resolvedAt; and leaves an open one alone', async () => {
      await h.service.resolve(ticket.id, SAM);
      const { ticket: after } = await h.service.reopen(ticket.id, JO);
      expect(after.status).to.equal('open');
      expect(after.assignee).to.equal(undefined);
      expect(after.resolvedAt).to.equal(undefined);
      expect((await h.service.reopen(ticket.id, JO)).changed).to.equal(false);
    });

    it('refuses to unassign a resolved ticket, and changes nothing when unassigning an open one', async () => {
      expect((await h.service.unassign(ticket.id, SAM)).changed).to.equal(false);
      await h.service.resolve(ticket.id, SAM);
      await expectTicketError(h.service.unassign(ticket.id, SAM), 'invalid_transition');
    });

    it('ends the live chat, keeping the status and the agent; again changes nothing', async () => {
      await h.service.takeOver(ticket.id, SAM);
      const { ticket: after } = await h.service.endLive(ticket.id, 'user');
      expect(after).to.include({ live: false, status: 'assigned' });
      expect(after.assignee).to.deep.equal(SAM);
      expect(after.events.at(-1)).to.deep.include({ action: 'live_ended', by: 'user' });
      expect((await h.service.endLive(ticket.id, SAM)).changed).to.equal(false);
    });

    it('bumps the version and updatedAt and adds an event on every change', async () => {
      const steps: Array<() => Promise<unknown>> = [
        () => h.service.takeOver(ticket.id, SAM),
        () => h.service.endLive(ticket.id, SAM),
        () => h.service.unassign(ticket.id, SAM),
        () => h.service.resolve(ticket.id, RIA),
        () => h.service.reopen(ticket.id, RIA),
        () => h.service.rate(ticket.id, true),
        () => h.service.setChannelPost(ticket.id, { queueId: 'q' }),
      ];
      for (const [i, step] of steps.entries()) {
        h.clock.advance(MINUTE);
        await step();
        const now = (await h.service.get(ticket.id))!;
        expect(now.version, `step ${i}`).to.equal(i + 2);
        expect(now.updatedAt).to.equal(h.clock.now().toISOString());
        expect(now.events).to.have.length(i + 2);
      }
    });
  });

  describe('transcript', () => {
    it('appends entries with their time and gives each a number to mark its delivery by', async () => {
      const ticket = await h.service.create(newTicket({ transcript: [{ from: 'bot', text: 'How can I help?' }] }));
      h.clock.advance(MINUTE);
      const { index, ticket: after } = await h.service.appendTranscript(ticket.id, { from: 'agent', name: SAM.name, text: '  Hello Aisha  ' });
      expect(index).to.equal(1);
      expect(after.transcript[1]).to.deep.equal({ at: '2026-01-05T10:01:00.000Z', from: 'agent', name: 'Sam Agent', text: 'Hello Aisha' });
      expect(after.events).to.have.length(1);
      await h.service.markDelivery(ticket.id, index, false, 'the user blocked the bot');
      expect((await h.service.get(ticket.id))!.transcript[1]).to.include({ delivered: false, note: 'the user blocked the bot' });
      await h.service.markDelivery(ticket.id, index, true);
      const delivered = (await h.service.get(ticket.id))!.transcript[1]!;
      expect(delivered.delivered).to.equal(true);
      expect(delivered).not.to.have.property('note');
    });

    it('keeps at most 500 entries: the first and the newest, with entry numbers that stay valid', async () => {
      const ticket = await h.service.create(newTicket({ transcript: [{ from: 'bot', text: 'first' }, ...entries(498)] }));
      expect(ticket.transcript).to.have.length(499);
      const numbers: number[] = [];
      for (const text of ['a', 'b', 'c']) numbers.push((await h.service.appendTranscript(ticket.id, { from: 'user', text })).index);
      expect(numbers).to.deep.equal([499, 500, 501]);
      const after = (await h.service.get(ticket.id))!;
      expect(after.transcript).to.have.length(500);
      expect(after.transcriptDropped).to.equal(2);
      expect(after.transcript[0]!.text).to.equal('first');
      expect(after.transcript[1]!.text).to.equal('message 2');
      expect(after.transcript.slice(-3).map((e) => e.text)).to.deep.equal(['a', 'b', 'c']);
      await h.service.markDelivery(ticket.id, 500, true);
      expect((await h.service.get(ticket.id))!.transcript.find((e) => e.text === 'b')?.delivered).to.equal(true);
      expect((await h.service.markDelivery(ticket.id, 1, true)).changed).to.equal(false);
    });

    it('caps a long starting transcript the same way', async () => {
      const ticket = await h.service.create(newTicket({ transcript: [{ from: 'bot', text: 'first' }, ...entries(700)] }));
      expect(ticket.transcript).to.have.length(500);
      expect(ticket.transcript[0]!.text).to.equal('first');
      expect(ticket.transcript.at(-1)!.text).to.equal('message 699');
      expect(ticket.transcriptDropped).to.equal(201);
    });

    it('keeps every message when user and agent write at the same moment', async () => {
      const ticket = await h.service.create(newTicket());
      await Promise.all([
        h.service.appendTranscript(ticket.id, { from: 'user', text: 'one' }),
        h.service.appendTranscript(ticket.id, { from: 'agent', text: 'two' }),
        h.service.appendTranscript(ticket.id, { from: 'user', text: 'three' }),
      ]);
      expect((await h.service.get(ticket.id))!.transcript.map((e) => e.text)).to.have.members(['one', 'two', 'three']);
    });

    it('never writes message text, descriptions or comments to the audit log', async () => {
      const ticket = await h.service.create(newTicket({ description: 'SECRET-DESCRIPTION', errorMessage: 'SECRET-ERROR' }));
      await h.service.takeOver(ticket.id, SAM);
      await h.service.appendTranscript(ticket.id, { from: 'user', text: 'SECRET-MESSAGE' });
      await h.service.resolve(ticket.id, SAM);
      await h.service.rate(ticket.id, false, 'SECRET-COMMENT');
      const log = await readFile(h.audit.file, 'utf8');
      expect(log).not.to.match(/SECRET/);
      expect((await h.audit.list()).map((e) => e.action)).to.deep.equal(['ticket.created', 'ticket.taken_over', 'ticket.resolved', 'ticket.rated']);
    });
  });

  describe('rating', () => {
    it('keeps a trimmed comment of at most 1000 characters, and a later rating replaces it', async () => {
      const ticket = await h.service.create(newTicket());
      const rated = await h.service.rate(ticket.id, false, `  ${'y'.repeat(1500)}  `);
      expect(rated.rating?.helpful).to.equal(false);
      expect(Array.from(rated.rating!.comment!)).to.have.length(1000);
      h.clock.advance(MINUTE);
      const again = await h.service.rate(ticket.id, true, '   ');
      expect(again.rating).to.deep.equal({ helpful: true, at: '2026-01-05T10:01:00.000Z' });
    });
  });

  describe('lists and figures', () => {
    it('lists newest first, by status, category, holder and creation time', async () => {
      const a = await h.service.create(newTicket({ category: 'payslip' }));
      h.clock.advance(DAY);
      const b = await h.service.create(newTicket({ category: 'app' }));
      h.clock.advance(DAY);
      const c = await h.service.create(newTicket({ category: 'app', requester: MORGAN }));
      await h.service.takeOver(b.id, SAM);
      await h.service.resolve(c.id, RIA);
      const ids = (ts: Ticket[]) => ts.map((t) => t.id);
      expect(ids(await h.service.list())).to.deep.equal([c.id, b.id, a.id]);
      expect(ids(await h.service.list({ status: 'open' }))).to.deep.equal([a.id]);
      expect(ids(await h.service.list({ status: ['open', 'assigned'] }))).to.deep.equal([b.id, a.id]);
      expect(ids(await h.service.list({ category: 'app' }))).to.deep.equal([c.id, b.id]);
      expect(ids(await h.service.list({ holderId: SAM.id }))).to.deep.equal([b.id]);
      expect(ids(await h.service.list({ from: new Date('2026-01-06T00:00:00Z'), to: new Date('2026-01-07T10:00:00Z') }))).to.deep.equal([b.id]);
      await expectTicketError(h.service.list({ status: 'closed' as never }), 'invalid_input');
    });

    it('counts open and assigned tickets, this week\'s resolutions and the median first response', async () => {
      // Last week (Friday 2 January): answered after 2 hours; not in this week's figures.
      h.clock.set('2026-01-02T10:00:00Z');
      const old = await h.service.create(newTicket());
      h.clock.advance(2 * HOUR);
      await h.service.takeOver(old.id, SAM);
      await h.service.resolve(old.id, SAM);
      // This week (from Monday 5 January 00:00): answered after 5, 10, 30 and 20 minutes; one waiting.
      const waits = [5, 10, 30, 20];
      const ids: number[] = [];
      for (const [i, wait] of waits.entries()) {
        h.clock.set(new Date(Date.parse('2026-01-05T09:00:00Z') + i * HOUR));
        const t = await h.service.create(newTicket());
        h.clock.advance(wait * MINUTE);
        await h.service.takeOver(t.id, SAM);
        ids.push(t.id);
      }
      await h.service.create(newTicket());
      await h.service.resolve(ids[0]!, SAM);
      const stats = await h.service.stats({ now: new Date('2026-01-07T12:00:00Z') });
      expect(stats).to.deep.equal({ open: 1, assigned: 3, resolvedThisWeek: 1, medianFirstResponseMs: 15 * MINUTE, weekStart: '2026-01-05T00:00:00.000Z', tasksWaiting: 0 });
      await h.service.resolve(ids[1]!, SAM);
      expect((await h.service.stats({ now: new Date('2026-01-07T12:00:00Z') })).medianFirstResponseMs).to.equal(15 * MINUTE);
    });

    it('takes the middle value of an odd number of waits, and has no median without responses', async () => {
      expect((await h.service.stats({ now: h.clock.now() })).medianFirstResponseMs).to.equal(undefined);
      for (const wait of [40, 5, 10]) {
        const t = await h.service.create(newTicket());
        h.clock.advance(wait * MINUTE);
        await h.service.takeOver(t.id, SAM);
      }
      expect((await h.service.stats({ now: h.clock.now() })).medianFirstResponseMs).to.equal(10 * MINUTE);
    });
  });

  describe('purging resolved tickets', () => {
    it('deletes the screenshots and words of tickets resolved before the cutoff, and keeps the rest', async () => {
      const old = await h.service.create(
        newTicket({
          description: 'My payslip is missing',
          errorMessage: 'Error 500',
          context: { flow: 'report', step: 'describe', detail: 'payslip for December' },
          screenshots: [{ bytes: pngBytes(), fileName: 'a.png' }, { bytes: jpegBytes(), fileName: 'b.jpg' }],
          transcript: entries(3),
          category: 'payslip',
        }),
      );
      await h.service.takeOver(old.id, SAM);
      await h.service.resolve(old.id, SAM);
      await h.service.rate(old.id, true, 'Thanks');
      h.clock.set('2026-01-20T10:00:00Z');
      const recent = await h.service.create(newTicket({ screenshots: [{ bytes: pngBytes(), fileName: 'c.png' }] }));
      await h.service.resolve(recent.id, SAM);
      const open = await h.service.create(newTicket({ screenshots: [{ bytes: gifBytes(), fileName: 'd.gif' }] }));
      const before = (await h.service.get(old.id))!;

      h.clock.set('2026-04-10T02:00:00Z');
      const result = await h.service.purgeResolvedBefore(new Date('2026-01-10T00:00:00Z'));
      expect(result).to.deep.equal({ tickets: 1, screenshots: 2, transcriptEntries: 3 });

      const purged = (await h.service.get(old.id))!;
      expect(purged).to.include({ ref: old.ref, status: 'resolved', category: 'payslip', description: '', createdAt: before.createdAt, resolvedAt: before.resolvedAt, firstResponseAt: before.firstResponseAt, purgedAt: '2026-04-10T02:00:00.000Z' });
      expect(purged.rating).to.deep.equal(before.rating);
      expect(purged.requester).to.deep.equal(before.requester);
      expect(purged.context).to.deep.equal({ flow: 'report', step: 'describe' });
      expect(purged.screenshots).to.deep.equal([]);
      expect(purged.transcript).to.deep.equal([]);
      expect(purged).not.to.have.property('errorMessage');
      expect(purged.events.at(-1)).to.deep.include({ action: 'purged', by: 'system' });
      expect(await readdir(h.screenshotDir)).to.have.members([String(recent.id), String(open.id)]);
      expect(await h.service.getScreenshot(old.id, before.screenshots[0]!.id)).to.equal(undefined);
      expect((await h.service.get(recent.id))!.screenshots).to.have.length(1);
      expect((await h.service.get(open.id))!.description).to.equal('I cannot log in to ESR from home');

      expect(await h.service.purgeResolvedBefore(new Date('2026-01-10T00:00:00Z'))).to.deep.equal({ tickets: 0, screenshots: 0, transcriptEntries: 0 });
      await expectTicketError(h.service.reopen(old.id, SAM), 'invalid_transition');
      const [audit] = await h.audit.list({ action: 'ticket.purged' });
      expect(audit).to.deep.include({ channel: 'system', actor: { kind: 'system' } });
      expect(audit?.detail).to.include({ tickets: 1, screenshots: 2 });
    });
  });

  describe('after a restart', () => {
    it('finds every ticket, screenshot and lookup as it was, and carries on numbering', async () => {
      const ticket = await h.service.create(newTicket({ screenshots: [{ bytes: webpBytes(), fileName: 'w.webp' }], transcript: entries(2), wantsPerson: true }));
      await h.service.takeOver(ticket.id, SAM);
      await h.service.setChannelPost(ticket.id, { queueId: 'workforce', activityId: '1', threadConversationId: '19:t;messageid=1' });
      await h.service.appendTranscript(ticket.id, { from: 'user', text: 'still there?' });
      const before = (await h.service.get(ticket.id))!;

      const restarted = await h.restart();
      expect(await restarted.get(ticket.id)).to.deep.equal(before);
      expect((await restarted.ticketForThread('19:t;messageid=1'))?.id).to.equal(ticket.id);
      expect((await restarted.liveTicketForConversation(String((conversationOf(AISHA).conversation as { id: string }).id)))?.id).to.equal(ticket.id);
      expect((await restarted.getScreenshot(ticket.id, before.screenshots[0]!.id))?.bytes.equals(webpBytes())).to.equal(true);
      expect((await restarted.create(newTicket())).ref).to.equal('ESR-00002');
    });
  });
});
