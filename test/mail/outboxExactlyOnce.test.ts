// Two bot instances, each running the mail sender over one PostgreSQL queue (two pools on one test database),
// delivering through the real SmtpTransport to a real SMTP server on 127.0.0.1: every queued message arrives
// once, none is lost, and a message held by an instance that dies is sent by the other once the lease ends.
// Time is a ManualClock; each pass is run by hand (deliverDue), so nothing waits on a timer.
//
// "Exactly once" here is what the lease gives while both instances stay up. A crash after the mail server
// accepted a message and before its row was deleted sends it again after the lease (see mail/outbox.ts).
import { expect } from 'chai';
import { ManualClock } from '../../core/clock.js';
import { DEFAULT_LEASE_MS, MailOutbox, type OutboxLogger } from '../../mail/outbox.js';
import { SmtpTransport, type MailTransport, type OutgoingMail } from '../../mail/transport.js';
import { PgMailQueue } from '../../storage/postgres/pgMailQueue.js';
import { usePostgres } from '../support/postgres.js';
import { startSmtpServer, type TestSmtpServer } from '../support/smtpServer.js';

const FROM = 'ESR Helpdesk <esr-helpdesk@nhs-trust.example>';

function message(n: number): OutgoingMail {
  return { to: `person${n}@nhs-trust.example`, subject: `Queued message ${n}`, text: `Message ${n}`, html: `<p>Message ${n}</p>` };
}

/** A mail server connection that never answers: the instance using it hangs mid-send, as if it had died. */
class HangingTransport implements MailTransport {
  readonly description = 'a connection that never answers';
  readonly started: OutgoingMail[] = [];
  #fail: Array<(error: Error) => void> = [];
  #reached!: () => void;
  /** Resolves when the first send has begun. */
  readonly reached = new Promise<void>((resolve) => (this.#reached = resolve));
  send(mail: OutgoingMail): Promise<void> {
    this.started.push(mail);
    this.#reached();
    return new Promise((_resolve, reject) => this.#fail.push(reject));
  }
  /** The hung sends fail at last (the process came back to life too late). */
  giveUp(): void {
    for (const fail of this.#fail.splice(0)) fail(Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }));
  }
  close(): void {}
}

describe('MailOutbox on two instances over one PostgreSQL queue (real SMTP)', () => {
  const db = usePostgres();
  let smtp: TestSmtpServer;
  let clock: ManualClock;
  let transports: MailTransport[];

  before(async () => {
    smtp = await startSmtpServer();
  });
  after(async () => {
    await smtp.stop();
  });
  beforeEach(async () => {
    await db().truncate();
    smtp.clear();
    clock = new ManualClock('2026-01-05T10:00:00Z');
    transports = [];
  });
  afterEach(() => {
    for (const t of transports) t.close();
  });

  /**
   * One instance's sender: its own database pool (as its own process would have) and its own SMTP connection,
   * pooled (nodemailer's ?pool=true) so the test server's 100 ms greeting delay is paid once, not per message.
   */
  function instance(pool: 'pool' | 'otherPool', inner?: MailTransport, logger?: OutboxLogger): MailOutbox {
    const transport = inner ?? new SmtpTransport(`${smtp.url}?pool=true`, FROM, { connectionTimeoutMs: 2_000 });
    transports.push(transport);
    return new MailOutbox(new PgMailQueue(db()[pool]), transport, { clock, ...(logger ? { logger } : {}) });
  }

  /** How many times each subject arrived. */
  function arrivals(): Map<string, number> {
    const counts = new Map<string, number>();
    for (const m of smtp.messages) counts.set(m.subject, (counts.get(m.subject) ?? 0) + 1);
    return counts;
  }

  it('delivers each of 200 queued messages exactly once when both instances send at the same time', async function () {
    this.timeout(120_000);
    const a = instance('pool');
    const b = instance('otherPool');
    // Queued through both instances, as turns on either would.
    for (let n = 0; n < 200; n += 1) await (n % 2 ? b : a).send(message(n));
    expect(await a.counts()).to.deep.equal({ waiting: 200, failed: 0 });

    const [fromA, fromB] = await Promise.all([a.deliverDue(), b.deliverDue()]);

    expect(fromA.sent + fromB.sent).to.equal(200);
    expect(fromA.sent, 'instance A sent some').to.be.above(0);
    expect(fromB.sent, 'instance B sent some').to.be.above(0);
    expect(smtp.errors).to.deep.equal([]);
    const counts = arrivals();
    expect(counts.size, 'distinct messages that arrived').to.equal(200);
    expect([...counts.values()].filter((c) => c !== 1), 'messages that arrived more than once').to.deep.equal([]);
    for (let n = 0; n < 200; n += 1) expect(counts.get(`Queued message ${n}`), `message ${n}`).to.equal(1);
    expect(await b.pending()).to.deep.equal([]);
    // Another pass on either finds nothing to send.
    expect(await a.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 0 });
    expect(smtp.messages).to.have.length(200);
  });

  it('sends what an instance claimed and then died holding, once its lease has ended, and only then', async () => {
    const hanging = new HangingTransport();
    const logged: string[] = [];
    const dying = instance('pool', hanging, { info: (_obj, msg) => logged.push(msg), warn: (_obj, msg) => logged.push(msg) });
    const survivor = instance('otherPool');
    for (let n = 0; n < 3; n += 1) await survivor.send(message(n));

    // The dying instance claims all three and hangs on the first; it never marks any of them.
    const dyingPass = dying.deliverDue();
    await hanging.reached;

    // While the lease lasts the survivor leaves them alone...
    expect(await survivor.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 3 });
    clock.advance(DEFAULT_LEASE_MS - 1);
    expect(await survivor.deliverDue()).to.deep.equal({ sent: 0, failed: 0, waiting: 3 });
    expect(smtp.messages).to.have.length(0);

    // ...and once it has ended, sends each of them once.
    clock.advance(1);
    expect(await survivor.deliverDue()).to.deep.equal({ sent: 3, failed: 0, waiting: 0 });
    expect([...arrivals().entries()].sort()).to.deep.equal([
      ['Queued message 0', 1],
      ['Queued message 1', 1],
      ['Queued message 2', 1],
    ]);

    // If the hung instance wakes up late, its lease is gone: it changes nothing and sends nothing more.
    hanging.giveUp();
    expect(await dyingPass).to.deep.equal({ sent: 0, failed: 0, waiting: 0 });
    expect(hanging.started).to.have.length(1);
    expect(logged).to.deep.equal(['Mail attempt ended after its lease had run out; left to the worker that holds it now']);
    expect(await survivor.pending()).to.deep.equal([]);
    expect(smtp.messages).to.have.length(3);
  });
});
