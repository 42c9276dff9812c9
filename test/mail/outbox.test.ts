// The durable outbox, through the real SmtpTransport to a real local SMTP server: mail queued while the
// server is down is delivered, once, when it comes back, even across a restart; nothing is ever dropped.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger } from '../../bot/logger.js';
import { HOUR, MINUTE, ManualClock } from '../../core/clock.js';
import { describeError, MailOutbox, type OutboxLogger, type Scheduler } from '../../mail/outbox.js';
import { SmtpTransport, type MailTransport, type OutgoingMail } from '../../mail/transport.js';
import { DataFileError } from '../../storage/atomicJsonFile.js';
import { FileMailQueue } from '../../storage/fileMailQueue.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';

// The bot's pino logger is what production passes in.
const _pinoFits: OutboxLogger = createLogger('silent');

const FROM = 'ESR Helpdesk <esr-helpdesk@nhs-trust.example>';
const RESET_LINK = 'https://esr-help.nhs-trust.example/reset?token=Q2xhcmUgcmVzZXQgdG9rZW4gc2VjcmV0IDQzIGNoYXJz';

/** A PNG signature followed by random bytes: every byte value, CR/LF pairs and NULs included. */
function png(size: number): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), randomBytes(size), Buffer.from([0x0d, 0x0a, 0x00, 0xff, 0x0a])]);
}

function resetMail(to = 'aisha.shah@nhs-trust.example'): OutgoingMail {
  return {
    to,
    subject: 'Reset your ESR password',
    text: `Dear Aisha,\n\nReset the password for 241ASHAH01:\n${RESET_LINK}`,
    html: `<p>Dear Aisha,</p><p><a href="${RESET_LINK}">Reset the password for 241ASHAH01</a></p>`,
  };
}

/** Records what would be logged. */
class LogRecorder implements OutboxLogger {
  readonly lines: Array<{ level: string; obj: object; msg: string }> = [];
  info(obj: object, msg: string): void {
    this.lines.push({ level: 'info', obj, msg });
  }
  warn(obj: object, msg: string): void {
    this.lines.push({ level: 'warn', obj, msg });
  }
  text(): string {
    return JSON.stringify(this.lines);
  }
}

/** Timers that fire only when the test says so. */
class ManualScheduler implements Scheduler {
  readonly timers: Array<{ ms: number; fn: () => void }> = [];
  schedule(ms: number, fn: () => void): () => void {
    const timer = { ms, fn };
    this.timers.push(timer);
    return () => {
      const i = this.timers.indexOf(timer);
      if (i >= 0) this.timers.splice(i, 1);
    };
  }
  /** Fires the one pending timer (the outbox keeps at most one). */
  fire(): void {
    expect(this.timers, 'pending timers').to.have.length(1);
    this.timers.shift()!.fn();
  }
}

describe('MailOutbox (real SMTP)', () => {
  let smtp: TestSmtpServer;
  let dir: string;
  let file: string;
  let clock: ManualClock;
  let log: LogRecorder;
  let open: Array<MailOutbox>;
  /** The file store under the outbox opened last. */
  let queue: FileMailQueue;

  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.stop();
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'outbox-test-'));
    file = join(dir, 'mail-queue.json');
    clock = new ManualClock('2026-01-05T10:00:00Z');
    log = new LogRecorder();
    open = [];
  });

  afterEach(async () => {
    for (const outbox of open) {
      await outbox.stop();
      outbox.close();
    }
    smtp.accept();
    if (!smtp.running) await smtp.restart();
    smtp.clear();
    await rm(dir, { recursive: true, force: true });
  });

  async function openOutbox(options: { scheduler?: Scheduler } = {}): Promise<MailOutbox> {
    // A short connection timeout, so a server that is down fails fast.
    const transport = new SmtpTransport(smtp.url, FROM, { connectionTimeoutMs: 500 });
    queue = await FileMailQueue.open(file);
    const outbox = new MailOutbox(queue, transport, { clock, logger: log, ...options });
    open.push(outbox);
    return outbox;
  }

  async function queueFile(): Promise<{ version: number; messages: Array<Record<string, unknown>> }> {
    return JSON.parse(await readFile(file, 'utf8')) as { version: number; messages: Array<Record<string, unknown>> };
  }

  async function attachmentFolders(): Promise<string[]> {
    return readdir(queue.attachmentsDir).catch(() => []);
  }

  it('delivers a message with two PNG attachments byte for byte, then empties the queue file and attachment folder', async () => {
    const outbox = await openOutbox();
    const first = png(48_000);
    const second = png(20_000);
    await outbox.send({
      to: 'workforce@nhs-trust.example',
      subject: 'Ticket 1042: cannot sign in to ESR',
      text: 'Screenshots attached.',
      html: '<p>Screenshots attached.</p>',
      attachments: [
        { filename: 'screenshot-1.png', contentType: 'image/png', content: first },
        { filename: 'screenshot-2.png', contentType: 'image/png', content: second },
      ],
    });

    // Queued, not sent: the attachments are files beside the queue, not base64 inside it.
    expect(smtp.messages).to.have.length(0);
    const queued = await queueFile();
    expect(queued.messages).to.have.length(1);
    const queueText = await readFile(file, 'utf8');
    expect(queueText.length).to.be.below(5_000);
    expect(queueText).not.to.include(first.subarray(8, 200).toString('base64'));
    const [folder] = await attachmentFolders();
    expect(await readdir(join(queue.attachmentsDir, folder!))).to.have.members(['0.bin', '1.bin']);
    expect((await readFile(join(queue.attachmentsDir, folder!, '0.bin'))).equals(first)).to.be.true;

    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 0 });

    expect(smtp.messages).to.have.length(1);
    const mail = smtp.messages[0]!;
    expect(mail.to).to.deep.equal(['workforce@nhs-trust.example']);
    expect(mail.subject).to.equal('Ticket 1042: cannot sign in to ESR');
    expect(mail.attachments.map((a) => [a.filename, a.contentType])).to.deep.equal([
      ['screenshot-1.png', 'image/png'],
      ['screenshot-2.png', 'image/png'],
    ]);
    expect(mail.attachments[0]!.content.equals(first), 'first attachment byte-identical').to.be.true;
    expect(mail.attachments[1]!.content.equals(second), 'second attachment byte-identical').to.be.true;

    expect((await queueFile()).messages).to.deep.equal([]);
    expect(await attachmentFolders()).to.deep.equal([]);
    expect(await outbox.pending()).to.deep.equal([]);
  });

  it('queues while the server is down, backs off, and delivers exactly once when it is back', async () => {
    const outbox = await openOutbox();
    await smtp.stop();
    const queuedAt = clock.now().getTime();

    await outbox.send(resetMail()); // resolves: the message is safely queued
    expect(await outbox.pending()).to.have.length(1);
    expect((await outbox.pending())[0]).to.include({ to: 'aisha.shah@nhs-trust.example', subject: 'Reset your ESR password', status: 'waiting', attempts: 0 });

    const expectations = [
      { after: 0, attempts: 1, next: 30_000 },
      { after: 30_000, attempts: 2, next: 30_000 + MINUTE },
      { after: MINUTE, attempts: 3, next: 30_000 + 3 * MINUTE },
      { after: 2 * MINUTE, attempts: 4, next: 30_000 + 8 * MINUTE },
    ];
    for (const step of expectations) {
      clock.advance(step.after);
      expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 1 });
      const [entry] = await outbox.pending();
      expect(entry!.attempts).to.equal(step.attempts);
      expect(Date.parse(entry!.nextAttemptAt) - queuedAt).to.equal(step.next);
      expect(entry!.lastError).to.match(/ECONNREFUSED/);
      // Not due yet: no attempt is made.
      expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 1 });
      expect((await outbox.pending())[0]!.attempts).to.equal(step.attempts);
    }
    // What is on disk survives: the queue file holds the message as queued.
    expect((await queueFile()).messages[0]).to.include({ attempts: 4, status: 'waiting' });

    await smtp.restart();
    clock.advance(5 * MINUTE);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 0 });
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 0 });
    clock.advance(HOUR);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 0 });

    expect(smtp.messages).to.have.length(1);
    expect(smtp.messages[0]!.text).to.include(RESET_LINK);
    expect((await queueFile()).messages).to.deep.equal([]);

    // Logs and pending() say what happened without the body or the secret link.
    expect(log.lines.filter((l) => l.level === 'warn')).to.have.length(4);
    expect(log.lines.at(-1)).to.deep.include({ level: 'info', msg: 'Mail delivered' });
    const logged = log.text();
    expect(logged).not.to.include('token=');
    expect(logged).not.to.include('Q2xhcmUgcmVzZXQgdG9rZW4');
    expect(logged).not.to.include('Dear Aisha');
    expect(logged).not.to.include('aisha.shah');
  });

  it('does not send a reset email late: once its link has expired it is kept as failed, not delivered', async () => {
    const outbox = await openOutbox();
    await smtp.stop();
    await outbox.send({ ...resetMail(), expiresAt: new Date(clock.now().getTime() + 4 * HOUR) });
    await outbox.deliverDue();
    clock.advance(4 * HOUR);
    await smtp.restart();
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 1, waiting: 0 });
    expect((await outbox.pending())[0]).to.include({ status: 'failed' });
    expect((await outbox.pending())[0]!.lastError).to.contain('expired before it could be sent');
    expect(smtp.messages).to.have.length(0);
  });

  it('retries when the server refuses mail for now (451), then delivers', async () => {
    const outbox = await openOutbox();
    smtp.refuse(451);
    await outbox.send(resetMail());
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 1 });
    expect((await outbox.pending())[0]!.lastError).to.match(/451/);

    smtp.accept();
    clock.advance(30_000);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 0 });
    expect(smtp.messages).to.have.length(1);
  });

  it('while the server is unreachable, tries one message per pass and lets the others wait with it', async () => {
    const outbox = await openOutbox();
    await smtp.stop();
    await outbox.send(resetMail('a@nhs-trust.example'));
    clock.advance(1_000);
    await outbox.send(resetMail('b@nhs-trust.example'));
    await outbox.send(resetMail('c@nhs-trust.example'));

    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 3 });
    const [a, b, c] = await outbox.pending();
    expect([a!.attempts, b!.attempts, c!.attempts]).to.deep.equal([1, 0, 0]);
    expect(b!.nextAttemptAt).to.equal(a!.nextAttemptAt);
    expect(c!.lastError).to.match(/^not tried/);

    await smtp.restart();
    clock.advance(30_000);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 3, failed: 0, waiting: 0 });
    expect(smtp.messages.map((m) => m.to[0]).sort()).to.deep.equal(['a@nhs-trust.example', 'b@nhs-trust.example', 'c@nhs-trust.example']);
  });

  it('after a restart, a new outbox over the same folder delivers what the old one queued', async () => {
    const screenshot = png(30_000);
    await smtp.stop();
    const before = await openOutbox();
    await before.send({ ...resetMail(), attachments: [{ filename: 'screen.png', contentType: 'image/png', content: screenshot }] });
    expect(await before.deliverDue()).to.deep.include({ sent: 0, waiting: 1 });
    await before.stop();
    before.close();
    // Leftovers of a crash mid-queue: a half-written folder and one no message refers to.
    await mkdir(join(queue.attachmentsDir, '.00000000-0000-4000-8000-000000000000.tmp'));
    await mkdir(join(queue.attachmentsDir, '11111111-1111-4111-8111-111111111111'));

    await smtp.restart();
    clock.advance(30_000);
    const after = await openOutbox();
    expect(await after.pending()).to.have.length(1);
    expect(await attachmentFolders()).to.have.length(1); // the orphans are gone, the queued one stays
    expect(queue.removedOrphans).to.equal(2);
    expect(await after.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 0 });

    expect(smtp.messages).to.have.length(1);
    expect(smtp.messages[0]!.attachments[0]!.content.equals(screenshot)).to.be.true;
    expect((await queueFile()).messages).to.deep.equal([]);
    expect(await attachmentFolders()).to.deep.equal([]);
  });

  it('after 72 hours of failures marks the message failed and keeps it', async () => {
    const outbox = await openOutbox();
    await smtp.stop();
    const queuedAt = clock.now().getTime();
    await outbox.send(resetMail());

    // The first hour attempt by attempt: 0, 30 s, 1.5, 3.5, 8.5 min, then every 15 min.
    const attemptTimes: number[] = [];
    while (clock.now().getTime() - queuedAt < HOUR) {
      expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 1 });
      attemptTimes.push((clock.now().getTime() - queuedAt) / 1000);
      clock.set((await outbox.pending())[0]!.nextAttemptAt);
    }
    expect(attemptTimes).to.deep.equal([0, 30, 90, 210, 510, 1410, 2310, 3210]);

    // Still down ten minutes before the deadline: the next try is at the deadline, not 15 minutes on.
    clock.set(new Date(queuedAt + 72 * HOUR - 10 * MINUTE));
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 1 });
    expect(Date.parse((await outbox.pending())[0]!.nextAttemptAt) - queuedAt).to.equal(72 * HOUR);

    clock.set((await outbox.pending())[0]!.nextAttemptAt);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 1, waiting: 0 });
    const [entry] = await outbox.pending();
    expect(entry!.status).to.equal('failed');
    expect(entry!.attempts).to.equal(attemptTimes.length + 2);
    expect(Date.parse(entry!.lastAttemptAt!) - queuedAt).to.equal(72 * HOUR);
    expect(entry!.lastError).to.match(/ECONNREFUSED/);
    expect((await queueFile()).messages[0]).to.include({ status: 'failed' });
    expect(log.lines.at(-1)!.msg).to.match(/kept in the queue marked failed/);

    // Kept, and not retried on its own even when the server is back...
    await smtp.restart();
    clock.advance(HOUR);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 0 });
    expect(smtp.messages).to.have.length(0);
    // ...until someone asks.
    expect(await outbox.retryFailed()).to.equal(1);
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 0 });
    expect(smtp.messages).to.have.length(1);
  });

  it('marks a message the server rejects for good (550) failed at once, and keeps it', async () => {
    const outbox = await openOutbox();
    smtp.refuse(550, 'No such user here');
    await outbox.send(resetMail());
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 1, waiting: 0 });
    expect((await outbox.pending())[0]).to.include({ status: 'failed', attempts: 1 });
    expect((await outbox.pending())[0]!.lastError).to.match(/rejected by the mail server.*550/);
  });

  it('marks a message with no usable recipient failed at once, and keeps it', async () => {
    const outbox = await openOutbox();
    await outbox.send(resetMail('not an address'));
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 1, waiting: 0 });
    expect((await outbox.pending())[0]).to.include({ status: 'failed', attempts: 1, to: 'not an address' });
    expect((await outbox.pending())[0]!.lastError).to.match(/No recipients defined/);
    expect(smtp.messages).to.have.length(0);
  });

  it('marks a message whose attachment file was damaged on disk failed, rather than send it broken', async () => {
    const outbox = await openOutbox();
    await outbox.send({ ...resetMail(), attachments: [{ filename: 'screen.png', contentType: 'image/png', content: png(1_000) }] });
    const [folder] = await attachmentFolders();
    await writeFile(join(queue.attachmentsDir, folder!, '0.bin'), png(10));
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 0, failed: 1, waiting: 0 });
    expect((await outbox.pending())[0]!.lastError).to.match(/cannot read its attachments/);
    expect(smtp.messages).to.have.length(0);
  });

  it('keeps links and token-like strings out of the error it records and logs', () => {
    const reason = describeError(Object.assign(new Error(`Message failed: 554 rejected ${RESET_LINK} and Q2xhcmUgcmVzZXQgdG9rZW4gc2VjcmV0IDQzIGNoYXJz`), { code: 'EMESSAGE' }));
    expect(reason).to.equal('EMESSAGE: Message failed: 554 rejected [link] and [redacted]');
  });

  it('pending() lists messages without their bodies', async () => {
    const outbox = await openOutbox();
    await outbox.send({ ...resetMail(), attachments: [{ filename: 'a.png', contentType: 'image/png', content: png(10) }] });
    const [entry] = await outbox.pending();
    expect(entry).to.have.all.keys('id', 'to', 'subject', 'status', 'attempts', 'attachments', 'queuedAt', 'nextAttemptAt');
    expect(entry).to.include({ attachments: 1, attempts: 0 });
    expect(JSON.stringify(await outbox.pending())).not.to.include('token');
  });

  it('start() delivers on its own timer: at once when mail is queued, and again when a retry falls due', async () => {
    const scheduler = new ManualScheduler();
    const outbox = await openOutbox({ scheduler });
    outbox.start();
    scheduler.fire(); // the first pass at start-up: nothing queued
    await outbox.idle();
    expect(scheduler.timers[0]!.ms).to.equal(MINUTE); // idle: look again in a minute

    await smtp.stop();
    await outbox.send(resetMail());
    expect(scheduler.timers[0]!.ms).to.equal(0); // queueing wakes the worker
    scheduler.fire();
    await outbox.idle();
    expect((await outbox.pending())[0]!.attempts).to.equal(1);
    expect(scheduler.timers[0]!.ms).to.equal(30_000); // next wake-up: when the retry is due

    await smtp.restart();
    clock.advance(30_000);
    scheduler.fire();
    await outbox.idle();
    expect(smtp.messages).to.have.length(1);
    expect(await outbox.pending()).to.deep.equal([]);

    await outbox.stop();
    expect(scheduler.timers).to.have.length(0);
  });

  it('refuses a corrupt queue file at start-up and leaves it as it is', async () => {
    await writeFile(file, '{"version":1,"messages":[{"id":"../../etc"}]}');
    let error: unknown;
    try {
      await openOutbox();
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(DataFileError);
    expect(await readFile(file, 'utf8')).to.equal('{"version":1,"messages":[{"id":"../../etc"}]}');

    await writeFile(file, '{"version":1,"messages":[');
    error = undefined;
    await openOutbox().catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(DataFileError);
  });

  it('begins no send with less than half its lease left, and lets the rest of the batch go for the next pass', async () => {
    const smtpTransport = new SmtpTransport(smtp.url, FROM, { connectionTimeoutMs: 500 });
    // Each send takes three minutes of a five-minute lease.
    const slow: MailTransport = {
      description: 'a slow mail server',
      send: async (mail) => {
        await smtpTransport.send(mail);
        clock.advance(3 * MINUTE);
      },
      close: () => smtpTransport.close(),
    };
    queue = await FileMailQueue.open(file);
    const outbox = new MailOutbox(queue, slow, { clock, leaseMs: 5 * MINUTE });
    open.push(outbox);
    for (const to of ['a@nhs-trust.example', 'b@nhs-trust.example', 'c@nhs-trust.example']) await outbox.send(resetMail(to));

    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 2 });
    // Let go, not left until the lease ends: the next pass takes the next one at once.
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 1 });
    expect(await outbox.deliverDue()).to.deep.equal({ sent: 1, failed: 0, waiting: 0 });
    expect(smtp.messages.map((m) => m.to[0])).to.deep.equal(['a@nhs-trust.example', 'b@nhs-trust.example', 'c@nhs-trust.example']);
  });

  it('describes itself as the transport it delivers through', async () => {
    const outbox = await openOutbox();
    expect(outbox.description).to.equal(`smtp://127.0.0.1:${smtp.port}`);
  });
});
