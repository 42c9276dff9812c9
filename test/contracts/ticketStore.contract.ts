// The TicketStore promises (tickets/ports.ts), for every implementation.
import { expect } from 'chai';
import { TicketConflictError, type TicketStore } from '../../tickets/ports.js';
import type { Ticket } from '../../tickets/types.js';
import { AISHA, SAM, conversationOf, ticketOf } from '../tickets/fixtures.js';
import { rejectionOf, type MakeSubject, type Subject } from './subject.js';

/** `shared`: instances of this store on the same back end see each other's writes (a database, not a file of one process's). */
export function ticketStoreContract(name: string, make: MakeSubject<TicketStore>, shared = false): void {
  describe(`${name} keeps the TicketStore contract`, () => {
    let s: Subject<TicketStore>;
    beforeEach(async () => (s = await make()));

    it('hands out ids 1, 2, 3 and never again after a restart', async () => {
      expect([await s.store.nextId(), await s.store.nextId(), await s.store.nextId()]).to.deep.equal([1, 2, 3]);
      expect(await (await s.reopen()).nextId()).to.equal(4);
    });

    it('never hands out an id of a ticket saved with an id of its own', async () => {
      await s.store.save(ticketOf(7), 0);
      expect(await s.store.nextId()).to.equal(8);
    });

    it('hands out twenty different ids to twenty callers at once', async () => {
      const ids = await Promise.all(Array.from({ length: 20 }, () => s.store.nextId()));
      expect([...ids].sort((a, b) => a - b)).to.deep.equal(Array.from({ length: 20 }, (_, i) => i + 1));
    });

    it('stores a ticket as given and reads it back, also after a restart', async () => {
      const ticket = ticketOf(1, 1, { kind: 'unlock', task: { teams: { upn: 'a@b.example' }, tried: ['steps'] }, channelPost: { queueId: 'q', threadConversationId: 't' } });
      await s.store.save(ticket, 0);
      expect(await s.store.get(1)).to.deep.equal(ticket);
      expect(await (await s.reopen()).get(1)).to.deep.equal(ticket);
      expect(await s.store.get(2)).to.equal(undefined);
    });

    it('refuses a save based on an older version, and stores nothing', async () => {
      await s.store.save(ticketOf(1), 0);
      await s.store.save(ticketOf(1, 2, { status: 'assigned', assignee: SAM, live: true }), 1);
      const error = await rejectionOf(s.store.save(ticketOf(1, 2, { status: 'resolved' }), 1));
      expect(error).to.be.instanceOf(TicketConflictError);
      expect(error).to.include({ ticketId: 1, expectedVersion: 1, actualVersion: 2 });
      expect((await s.store.get(1))?.status).to.equal('assigned');
    });

    it('refuses to create a ticket over one that exists (expected version 0), and an update of one that does not', async () => {
      await s.store.save(ticketOf(1), 0);
      expect(await rejectionOf(s.store.save(ticketOf(1), 0))).to.include({ ticketId: 1, expectedVersion: 0, actualVersion: 1 });
      expect(await rejectionOf(s.store.save(ticketOf(2, 2), 1))).to.include({ ticketId: 2, expectedVersion: 1, actualVersion: 0 });
      expect(await s.store.get(2)).to.equal(undefined);
    });

    it('stores a ticket regardless of version when no version is expected', async () => {
      await s.store.save(ticketOf(1, 5), 0);
      await s.store.save(ticketOf(1, 2, { description: 'forced' }));
      expect(await s.store.get(1)).to.deep.include({ version: 2, description: 'forced' });
    });

    it('lets exactly one of ten simultaneous saves from the same version through, and stores that one', async () => {
      await s.store.save(ticketOf(1), 0);
      const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => s.store.save(ticketOf(1, 2, { description: `save ${i}` }), 1)));
      const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
      expect(won).to.have.length(1);
      expect(results.filter((r) => r.status === 'rejected').every((r) => r.reason instanceof TicketConflictError)).to.equal(true);
      expect((await s.store.get(1))?.description).to.equal(`save ${won[0]}`);
    });

    if (shared)
      it('lets exactly one save through when two instances save from the same version at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        await s.store.save(ticketOf(1), 0);
        const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => (i % 2 ? other : s.store).save(ticketOf(1, 2, { description: `save ${i}` }), 1)));
        const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [i] : []));
        expect(won).to.have.length(1);
        expect((await other.get(1))?.description).to.equal(`save ${won[0]}`);
      });

    it('returns copies: changing what it returned changes nothing stored', async () => {
      const ticket = ticketOf(1);
      await s.store.save(ticket, 0);
      ticket.description = 'changed after saving';
      const got = (await s.store.get(1))!;
      got.status = 'resolved';
      (await s.store.list())[0]!.live = true;
      expect(await s.store.get(1)).to.include({ description: 'I cannot log in', status: 'open', live: false });
    });

    it('refuses to store a ticket that would not read back, naming the field', async () => {
      const bad = { ...ticketOf(1), status: 'closed' } as unknown as Ticket;
      const error = await rejectionOf(s.store.save(bad, 0));
      expect(error).to.be.instanceOf(TypeError);
      expect((error as Error).message).to.contain('status');
      expect(await s.store.get(1)).to.equal(undefined);
    });

    it('looks tickets up by thread and by user conversation, and filters by the rest, newest first', async () => {
      await s.store.save(ticketOf(1, 1, { channelPost: { queueId: 'q', threadConversationId: 'thread-1' } }), 0);
      await s.store.save(ticketOf(2, 1, { live: true, status: 'assigned', assignee: SAM }), 0);
      await s.store.save(ticketOf(3, 1, { category: 'payslip', createdAt: '2026-01-06T10:00:00.000Z', requester: { ...AISHA, teamsUserId: '29:other' }, userConversation: {} }), 0);
      const conversationId = (conversationOf(AISHA).conversation as { id: string }).id;
      const ids = async (filter: Parameters<TicketStore['list']>[0]) => (await s.store.list(filter)).map((t) => t.id);
      expect(await ids({ threadConversationId: 'thread-1' })).to.deep.equal([1]);
      expect(await ids({ userConversationId: conversationId })).to.deep.equal([2, 1]);
      expect(await ids({ userConversationId: conversationId, live: true })).to.deep.equal([2]);
      expect(await ids({ threadConversationId: 'thread-2' })).to.deep.equal([]);
      expect(await ids({})).to.deep.equal([3, 2, 1]);
      expect(await ids({ status: ['open', 'resolved'] })).to.deep.equal([3, 1]);
      expect(await ids({ status: 'assigned', holderId: SAM.id })).to.deep.equal([2]);
      expect(await ids({ category: 'payslip' })).to.deep.equal([3]);
      expect(await ids({ requesterId: '29:other' })).to.deep.equal([3]);
      expect(await ids({ from: new Date('2026-01-06T10:00:00.000Z') })).to.deep.equal([3]);
      expect(await ids({ to: new Date('2026-01-06T10:00:00.000Z') })).to.deep.equal([2, 1]);
    });
  });
}
