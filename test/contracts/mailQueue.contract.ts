// The MailQueueStore promises (mail/mailQueue.ts), for every implementation: what is queued comes back as
// queued, a claim holds a message alone until its lease ends, and nothing lists a body.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { MINUTE, HOUR } from '../../core/clock.js';
import type { ClaimedMail, MailQueueStore } from '../../mail/mailQueue.js';
import type { OutgoingMail } from '../../mail/transport.js';
import type { MakeSubject, Subject } from './subject.js';

const T0 = new Date('2026-01-05T10:00:00.000Z');
const at = (ms: number) => new Date(T0.getTime() + ms);
const LEASE = 5 * MINUTE;
const SECRET = 'https://esr-help.nhs-trust.example/reset?token=c2VjcmV0LXRva2VuLWluLWEtbGluay0xMjM0NTY3ODk';

function mail(n: number, changes: Partial<OutgoingMail> = {}): OutgoingMail {
  return { to: `person${n}@nhs-trust.example`, subject: `Message ${n}`, text: `Body ${n}: ${SECRET}`, html: `<p>Body ${n}: <a href="${SECRET}">reset</a></p>`, ...changes };
}

/** `shared`: instances on the same back end (a database) claim from one queue, as several bot instances do. */
export function mailQueueContract(name: string, make: MakeSubject<MailQueueStore>, shared = false): void {
  describe(`${name} keeps the MailQueueStore contract`, () => {
    let s: Subject<MailQueueStore>;
    let q: MailQueueStore;
    beforeEach(async () => {
      s = await make();
      q = s.store;
    });

    const claim = (now: Date, limit = 10, store = q) => store.claimDue({ now, leaseMs: LEASE, limit });
    const ids = (claims: ClaimedMail[]) => claims.map((c) => c.id);

    it('gives back a queued message as it was queued, attachments byte for byte, and forgets it once sent', async () => {
      const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00]), randomBytes(20_000)]);
      const queued = mail(1, {
        attachments: [
          { filename: 'screen-1.png', contentType: 'image/png', content: png },
          { filename: 'empty.txt', contentType: 'text/plain', content: Buffer.alloc(0) },
        ],
        expiresAt: at(4 * HOUR),
      });
      const id = await q.enqueue(queued, T0);

      const [claimed, ...more] = await claim(T0);
      expect(more).to.deep.equal([]);
      expect(claimed).to.deep.include({ id, attempts: 0, attachments: 2 });
      expect(claimed!.queuedAt.toISOString()).to.equal(T0.toISOString());
      expect(claimed!.expiresAt!.toISOString()).to.equal(at(4 * HOUR).toISOString());
      const loaded = await q.load(claimed!);
      expect(loaded).to.deep.include({ to: queued.to, subject: queued.subject, text: queued.text, html: queued.html });
      expect(loaded.attachments!.map((a) => [a.filename, a.contentType])).to.deep.equal([
        ['screen-1.png', 'image/png'],
        ['empty.txt', 'text/plain'],
      ]);
      expect(loaded.attachments![0]!.content.equals(png)).to.be.true;
      expect(loaded.attachments![1]!.content.length).to.equal(0);

      expect(await q.markSent(claimed!)).to.equal(true);
      expect(await q.pending()).to.deep.equal([]);
      expect(await claim(at(HOUR))).to.deep.equal([]);
      expect(await q.counts()).to.deep.equal({ waiting: 0, failed: 0 });
      expect(await q.nextDueAt()).to.equal(undefined);
    });

    it('keeps what was queued across a restart', async () => {
      const id = await q.enqueue(mail(1, { attachments: [{ filename: 'a.png', contentType: 'image/png', content: Buffer.from('bytes') }] }), T0);
      const again = await s.reopen();
      expect((await again.pending()).map((m) => m.id)).to.deep.equal([id]);
      const [claimed] = await claim(T0, 10, again);
      expect((await again.load(claimed!)).attachments![0]!.content.toString()).to.equal('bytes');
    });

    it('claims only what is due, oldest due first, at most the limit, all under one lease', async () => {
      const first = await q.enqueue(mail(1), T0);
      const second = await q.enqueue(mail(2), at(1_000));
      const third = await q.enqueue(mail(3), at(2_000));
      await q.enqueue(mail(4), at(MINUTE));
      expect(await claim(at(-1))).to.deep.equal([]);

      const batch = await claim(at(30_000), 2);
      expect(ids(batch)).to.deep.equal([first, second]);
      expect(batch[0]!.lease).to.equal(batch[1]!.lease);
      const next = await claim(at(30_000), 10);
      expect(ids(next)).to.deep.equal([third]);
      expect(next[0]!.lease).not.to.equal(batch[0]!.lease);
    });

    it('does not hand a claimed message out again while its lease lasts, and does once it has ended', async () => {
      const id = await q.enqueue(mail(1), T0);
      const [first] = await claim(T0);
      expect(await claim(T0)).to.deep.equal([]);
      expect(await claim(at(LEASE - 1))).to.deep.equal([]);

      // The worker holding it died: after the lease, another claim takes it...
      const [second] = await claim(at(LEASE));
      expect(second!.id).to.equal(id);
      // ...and the old lease can no longer change it.
      expect(await q.reschedule(first!, { attempts: 1, lastAttemptAt: at(LEASE), nextAttemptAt: at(LEASE + MINUTE), lastError: 'late' })).to.equal(false);
      expect(await q.markFailed(first!, { attempts: 1, failedAt: at(LEASE), lastError: 'late' })).to.equal(false);
      expect((await q.pending())[0]).to.include({ status: 'waiting', attempts: 0 }).and.not.have.property('lastError');
      expect(await q.reschedule(second!, { attempts: 1, lastAttemptAt: at(LEASE), nextAttemptAt: at(LEASE + MINUTE), lastError: 'ECONNREFUSED' })).to.equal(true);
    });

    it('records a failed attempt, releases the lease, and hands the message out again when the retry is due', async () => {
      const id = await q.enqueue(mail(1), T0);
      const [claimed] = await claim(T0);
      expect(await q.reschedule(claimed!, { attempts: 1, lastAttemptAt: T0, nextAttemptAt: at(30_000), lastError: 'ECONNREFUSED 127.0.0.1:25' })).to.equal(true);
      expect((await q.pending())[0]).to.deep.equal({
        id,
        to: 'person1@nhs-trust.example',
        subject: 'Message 1',
        status: 'waiting',
        attempts: 1,
        attachments: 0,
        queuedAt: T0.toISOString(),
        nextAttemptAt: at(30_000).toISOString(),
        lastAttemptAt: T0.toISOString(),
        lastError: 'ECONNREFUSED 127.0.0.1:25',
      });
      expect((await q.nextDueAt())!.toISOString()).to.equal(at(30_000).toISOString());
      expect(await claim(at(29_999))).to.deep.equal([]);
      // Released: due again at 30 s, well inside the first lease.
      const [again] = await claim(at(30_000));
      expect(again).to.deep.include({ id, attempts: 1 });
      expect(await q.markSent(again!)).to.equal(true);
    });

    it('keeps a message given up on, marked failed, never hands it out again, and queues it afresh on retryFailed', async () => {
      const id = await q.enqueue(mail(1), T0);
      const [claimed] = await claim(T0);
      await q.reschedule(claimed!, { attempts: 1, lastAttemptAt: T0, nextAttemptAt: at(MINUTE), lastError: 'first' });
      const [again] = await claim(at(MINUTE));
      // Given up without an attempt (its link expired): the last attempt stays as it was.
      expect(await q.markFailed(again!, { attempts: 1, failedAt: at(MINUTE), lastError: 'expired' })).to.equal(true);
      expect((await q.pending())[0]).to.include({ id, status: 'failed', attempts: 1, lastAttemptAt: T0.toISOString(), lastError: 'expired' });
      expect(await q.counts()).to.deep.equal({ waiting: 0, failed: 1 });
      expect(await claim(at(100 * HOUR))).to.deep.equal([]);
      expect(await q.nextDueAt()).to.equal(undefined);

      expect(await q.retryFailed(at(100 * HOUR))).to.equal(1);
      expect(await q.retryFailed(at(100 * HOUR))).to.equal(0);
      expect((await q.pending())[0]).to.include({ status: 'waiting', attempts: 0, queuedAt: at(100 * HOUR).toISOString(), nextAttemptAt: at(100 * HOUR).toISOString() });
      const [retried] = await claim(at(100 * HOUR));
      expect(retried!.queuedAt.toISOString()).to.equal(at(100 * HOUR).toISOString());
    });

    it('records the attempt that failed for good', async () => {
      await q.enqueue(mail(1), T0);
      const [claimed] = await claim(T0);
      expect(await q.markFailed(claimed!, { attempts: 1, lastAttemptAt: T0, failedAt: T0, lastError: 'rejected (550)' })).to.equal(true);
      expect((await q.pending())[0]).to.include({ status: 'failed', attempts: 1, lastAttemptAt: T0.toISOString(), lastError: 'rejected (550)' });
    });

    it('lists pending messages by who, subject and progress only: no body, link or attachment', async () => {
      await q.enqueue(mail(1, { attachments: [{ filename: 'a.png', contentType: 'image/png', content: Buffer.from(SECRET) }] }), T0);
      await q.enqueue(mail(2), T0);
      const pending = await q.pending();
      expect(pending.map((m) => m.subject)).to.deep.equal(['Message 1', 'Message 2']);
      expect(pending[0]).to.have.all.keys('id', 'to', 'subject', 'status', 'attempts', 'attachments', 'queuedAt', 'nextAttemptAt');
      expect(pending[0]!.attachments).to.equal(1);
      const listed = JSON.stringify(pending);
      expect(listed).not.to.include('token=');
      expect(listed).not.to.include('Body');
      expect(listed).not.to.include(Buffer.from(SECRET).toString('base64').slice(0, 20));
    });

    it('defers what is due while the server is unreachable, without counting an attempt, up to each deadline', async () => {
      const GIVE_UP = 72 * HOUR;
      const nearDeadline = await q.enqueue(mail(1), T0); // given up on at 72 h
      const ownBatch = await q.enqueue(mail(2), at(70 * HOUR));
      const othersHeld = await q.enqueue(mail(3), at(70 * HOUR));
      const free = await q.enqueue(mail(4), at(70 * HOUR));
      const notDue = await q.enqueue(mail(5), at(80 * HOUR));
      const now = at(71 * HOUR);
      const batch = await claim(now, 2);
      expect(ids(batch)).to.deep.equal([nearDeadline, ownBatch]);
      expect(ids(await claim(now, 1))).to.deep.equal([othersHeld]); // another worker's, its lease still running

      const until = at(73 * HOUR);
      const deferred = await q.deferDue({ now, until, giveUpAfterMs: GIVE_UP, lastError: 'not tried: unreachable', lease: batch[0]!.lease });
      expect(deferred).to.equal(3);
      const byId = new Map((await q.pending()).map((m) => [m.id, m]));
      expect(byId.get(nearDeadline)).to.include({ nextAttemptAt: at(72 * HOUR).toISOString(), attempts: 0, lastError: 'not tried: unreachable' });
      expect(byId.get(ownBatch)).to.include({ nextAttemptAt: until.toISOString(), attempts: 0, lastError: 'not tried: unreachable' });
      expect(byId.get(free)).to.include({ nextAttemptAt: until.toISOString(), attempts: 0 });
      expect(byId.get(othersHeld)).to.include({ nextAttemptAt: at(70 * HOUR).toISOString() }).and.not.have.property('lastError');
      expect(byId.get(notDue)!.nextAttemptAt).to.equal(at(80 * HOUR).toISOString());

      // Deferring released the batch's lease. At 72 h the first is due again, and past its deadline: a
      // deferral leaves it due and free (releasing it), for the worker to give up on.
      const due = await claim(at(72 * HOUR));
      expect(ids(due)).to.deep.equal([othersHeld, nearDeadline]); // the other worker's lease has ended too
      expect(await q.deferDue({ now: at(72 * HOUR), until, giveUpAfterMs: GIVE_UP, lastError: 'not tried', lease: due[0]!.lease })).to.equal(1);
      expect((await q.pending()).find((m) => m.id === nearDeadline)).to.include({ nextAttemptAt: at(72 * HOUR).toISOString() });
      expect(ids(await claim(at(72 * HOUR)))).to.deep.equal([nearDeadline]);
    });

    it('lets go of a lease at once on release, and names the next wake-up: a due time or a lease end', async () => {
      expect(await q.nextDueAt()).to.equal(undefined);
      const id = await q.enqueue(mail(1), T0);
      expect((await q.nextDueAt())!.toISOString()).to.equal(T0.toISOString());
      const [held] = await claim(T0);
      expect((await q.nextDueAt())!.toISOString()).to.equal(at(LEASE).toISOString());
      await q.release(held!.lease);
      expect((await q.nextDueAt())!.toISOString()).to.equal(T0.toISOString());
      expect(ids(await claim(T0))).to.deep.equal([id]);
    });

    it('never hands one message to two of twenty simultaneous claims', async () => {
      for (let i = 0; i < 60; i += 1) await q.enqueue(mail(i), T0);
      const batches = await Promise.all(Array.from({ length: 20 }, () => claim(T0, 5)));
      const all = batches.flatMap(ids);
      expect(new Set(all).size).to.equal(all.length);
      expect(all).to.have.length(60);
    });

    if (shared)
      it('never hands one message to both of two instances claiming at once', async () => {
        if (!s.beside) throw new Error('a shared store needs a second instance to test');
        const other = await s.beside();
        const queued = new Set<string>();
        for (let i = 0; i < 200; i += 1) queued.add(await (i % 2 ? other : q).enqueue(mail(i), T0));
        // Each instance keeps claiming small batches until nothing is left, as two senders would.
        const drain = async (store: MailQueueStore) => {
          const got: string[] = [];
          for (;;) {
            const batch = await claim(T0, 7, store);
            if (batch.length === 0) return got;
            got.push(...ids(batch));
          }
        };
        const [a, b] = await Promise.all([drain(q), drain(other)]);
        const all = [...a, ...b];
        expect(new Set(all).size, 'no message claimed twice').to.equal(all.length);
        expect(new Set(all)).to.deep.equal(queued);
        expect(a.length, 'both instances took part').to.be.above(0);
        expect(b.length, 'both instances took part').to.be.above(0);
      });
  });
}
