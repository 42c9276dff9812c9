import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '/work/main/esr/clock.js';
import { LowdbTicketStore } from '/work/main/storage/lowdbTicketStore.js';
import { FileScreenshotStore } from '/work/main/storage/fileScreenshotStore.js';
import { TicketService } from '/work/main/tickets/ticketService.js';
const dir = await mkdtemp(join(tmpdir(), 'tb-'));
const audit = { record: async () => {}, list: async () => [] };
for (const n of [100, 1000, 3000]) {
  const tickets = await LowdbTicketStore.open(join(dir, `t${n}.json`));
  const svc = new TicketService({ clock: new ManualClock(), tickets, screenshots: await FileScreenshotStore.open(join(dir, 's')), audit });
  const transcript = Array.from({ length: 30 }, (_, i) => ({ from: 'user' as const, text: 'x'.repeat(200) + i }));
  for (let i = 1; i <= n; i++) {
    const id = await tickets.nextId();
    const now = new Date().toISOString();
    await tickets.save({ id, ref: 'ESR-' + id, status: 'resolved', category: 'login', description: 'd'.repeat(300), requester: { teamsUserId: 'u', name: 'n', esrUsernames: [] }, context: {}, screenshots: [], live: false, wantsPerson: false, createdAt: now, updatedAt: now, transcript: transcript.map(e => ({ ...e, at: now })), version: 1, userConversation: { conversation: { id: 'c' + i } }, events: [] });
  }
  const t = await svc.create({ requester: { teamsUserId: 'u', name: 'n', esrUsernames: [] }, category: 'login', description: 'x', userConversation: { conversation: { id: 'cz' } } });
  let start = performance.now();
  for (let i = 0; i < 20; i++) await svc.appendTranscript(t.id, { from: 'user', text: 'hello' });
  const seq = (performance.now() - start) / 20;
  start = performance.now();
  await svc.stats({ now: new Date() });
  const st = performance.now() - start;
  console.log(n, 'tickets', ((await stat(join(dir, `t${n}.json`))).size / 1e6).toFixed(1), 'MB; append ms', seq.toFixed(1), '; stats ms', st.toFixed(0));
}
await rm(dir, { recursive: true, force: true });
