// The embedded stores behind the tickets module: tickets.json (lowdb) and screenshot files.
import { expect } from 'chai';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataFileError } from '../../storage/atomicJsonFile.js';
import { FileScreenshotStore } from '../../storage/fileScreenshotStore.js';
import { LowdbTicketStore } from '../../storage/lowdbTicketStore.js';
import { TicketConflictError } from '../../tickets/ports.js';
import type { Screenshot, Ticket } from '../../tickets/types.js';
import { AISHA, conversationOf, jpegBytes, pngBytes, SAM, rejectionOf, ticketOf } from './fixtures.js';

describe('ticket stores', () => {
  let dir: string;
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), 'esr-ticket-stores-'))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  describe('LowdbTicketStore', () => {
    it('hands out ids 1, 2, 3 and never again after a restart', async () => {
      const file = join(dir, 'tickets.json');
      const store = await LowdbTicketStore.open(file);
      expect([await store.nextId(), await store.nextId(), await store.nextId()]).to.deep.equal([1, 2, 3]);
      expect(await (await LowdbTicketStore.open(file)).nextId()).to.equal(4);
    });

    it('refuses a save based on an older version, and stores nothing', async () => {
      const store = await LowdbTicketStore.open(join(dir, 'tickets.json'));
      await store.save(ticketOf(1), 0);
      await store.save(ticketOf(1, 2, { status: 'assigned', assignee: SAM, live: true }), 1);
      const error = await rejectionOf(store.save(ticketOf(1, 2, { status: 'resolved' }), 1));
      expect(error).to.be.instanceOf(TicketConflictError);
      expect(error).to.include({ ticketId: 1, expectedVersion: 1, actualVersion: 2 });
      expect((await store.get(1))?.status).to.equal('assigned');
    });

    it('refuses to create a ticket over one that exists (expected version 0)', async () => {
      const store = await LowdbTicketStore.open(join(dir, 'tickets.json'));
      await store.save(ticketOf(1), 0);
      expect(await rejectionOf(store.save(ticketOf(1), 0))).to.be.instanceOf(TicketConflictError);
    });

    it('lets exactly one of two saves from the same version through', async () => {
      const store = await LowdbTicketStore.open(join(dir, 'tickets.json'));
      await store.save(ticketOf(1), 0);
      const results = await Promise.allSettled([store.save(ticketOf(1, 2, { description: 'a' }), 1), store.save(ticketOf(1, 2, { description: 'b' }), 1)]);
      expect(results.map((r) => r.status)).to.deep.equal(['fulfilled', 'rejected']);
      expect((await store.get(1))?.description).to.equal('a');
    });

    it('returns copies: changing what it returned changes nothing stored', async () => {
      const store = await LowdbTicketStore.open(join(dir, 'tickets.json'));
      const ticket = ticketOf(1);
      await store.save(ticket, 0);
      ticket.description = 'changed after saving';
      const got = (await store.get(1))!;
      got.status = 'resolved';
      (await store.list())[0]!.live = true;
      expect(await store.get(1)).to.include({ description: 'I cannot log in', status: 'open', live: false });
    });

    it('refuses to store a ticket that would not read back, naming the field', async () => {
      const store = await LowdbTicketStore.open(join(dir, 'tickets.json'));
      const bad = { ...ticketOf(1), status: 'closed' } as unknown as Ticket;
      const error = await rejectionOf(store.save(bad, 0));
      expect((error as Error).message).to.contain('status');
      expect(await store.get(1)).to.equal(undefined);
    });

    it('looks tickets up by thread and by user conversation, and filters by the rest', async () => {
      const store = await LowdbTicketStore.open(join(dir, 'tickets.json'));
      await store.save(ticketOf(1, 1, { channelPost: { queueId: 'q', threadConversationId: 'thread-1' } }), 0);
      await store.save(ticketOf(2, 1, { live: true, status: 'assigned', assignee: SAM }), 0);
      const conversationId = (conversationOf(AISHA).conversation as { id: string }).id;
      expect((await store.list({ threadConversationId: 'thread-1' })).map((t) => t.id)).to.deep.equal([1]);
      expect((await store.list({ userConversationId: conversationId })).map((t) => t.id)).to.deep.equal([2, 1]);
      expect((await store.list({ userConversationId: conversationId, live: true })).map((t) => t.id)).to.deep.equal([2]);
      expect(await store.list({ threadConversationId: 'thread-2' })).to.deep.equal([]);
    });

    it('refuses to open a corrupt file, and leaves it as it was', async () => {
      const file = join(dir, 'tickets.json');
      const text = JSON.stringify({ version: 1, lastId: 0, tickets: [ticketOf(1)] });
      await writeFile(file, text);
      expect(await rejectionOf(LowdbTicketStore.open(file))).to.be.instanceOf(DataFileError);
      expect(await readFile(file, 'utf8')).to.equal(text);
    });
  });

  describe('FileScreenshotStore', () => {
    const meta = (id: string, contentType: Screenshot['contentType'] = 'image/png'): Screenshot => ({
      id,
      fileName: 'shot.png',
      contentType,
      bytes: 0,
      sha256: '',
    });

    it('writes <ticket>/<id>.<ext>, leaves no temporary file and reads the bytes back', async () => {
      const store = await FileScreenshotStore.open(join(dir, 'shots'));
      await store.put(7, meta('abc123'), pngBytes());
      await store.put(7, meta('def456', 'image/jpeg'), jpegBytes());
      expect((await readdir(join(dir, 'shots', '7'))).sort()).to.deep.equal(['abc123.png', 'def456.jpg']);
      expect((await store.get(7, 'def456'))?.equals(jpegBytes())).to.equal(true);
      expect((await stat(join(dir, 'shots', '7', 'abc123.png'))).mode & 0o777).to.equal(0o600);
    });

    it('finds nothing for an unknown ticket or screenshot, or an id that is not file-name-safe', async () => {
      const store = await FileScreenshotStore.open(join(dir, 'shots'));
      await store.put(1, meta('abc'), pngBytes());
      expect(await store.get(2, 'abc')).to.equal(undefined);
      expect(await store.get(1, 'zzz')).to.equal(undefined);
      expect(await store.get(1, '../1/abc')).to.equal(undefined);
    });

    it('refuses ids that could leave its folder', async () => {
      const store = await FileScreenshotStore.open(join(dir, 'shots'));
      expect(await rejectionOf(store.put(1, meta('../../evil'), pngBytes()))).to.be.instanceOf(TypeError);
      expect(await rejectionOf(store.put(-1, meta('ok'), pngBytes()))).to.be.instanceOf(TypeError);
      expect(await readdir(join(dir, 'shots'))).to.deep.equal([]);
    });

    it('deletes one screenshot, and says whether there was one', async () => {
      const store = await FileScreenshotStore.open(join(dir, 'shots'));
      await store.put(3, meta('a'), pngBytes());
      await store.put(3, meta('b', 'image/jpeg'), jpegBytes());
      expect(await store.delete(3, 'b')).to.equal(true);
      expect(await store.delete(3, 'b')).to.equal(false);
      expect(await store.delete(3, '../3/a')).to.equal(false);
      expect(await readdir(join(dir, 'shots', '3'))).to.deep.equal(['a.png']);
    });

    it("deletes a ticket's screenshots and its folder, counting them; none for an unknown ticket", async () => {
      const store = await FileScreenshotStore.open(join(dir, 'shots'));
      await store.put(3, meta('a'), pngBytes());
      await store.put(3, meta('b'), pngBytes());
      await store.put(4, meta('c'), pngBytes());
      expect(await store.deleteForTicket(3)).to.equal(2);
      expect(await readdir(join(dir, 'shots'))).to.deep.equal(['4']);
      expect(await store.deleteForTicket(99)).to.equal(0);
    });
  });
});
