// A real SMTP server for tests, on 127.0.0.1 and a free port, without TLS or required sign-in. Every message
// it accepts is parsed with mailparser, so tests read what a mail client would show.
//
//   const smtp = await startSmtpServer();
//   const transport = new SmtpTransport(smtp.url, 'ESR Helpdesk <esr@nhs-trust.example>', { connectionTimeoutMs: 500 });
//   await transport.send({ ... });
//   const mail = await smtp.waitFor((m) => m.subject === 'Reset your ESR password');
//
// Outages: `refuse(451)` answers every MAIL FROM with that code until `accept()`; `stop()` closes the port
// (connections are refused) until `restart()` opens the same port again.
import { EventEmitter } from 'node:events';
import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  /** The envelope (MAIL FROM / RCPT TO), which is where the server actually delivers. */
  envelope: { from: string; to: string[] };
  from: string;
  /** The addresses in the To: header. */
  to: string[];
  subject: string;
  /** The text/plain part ('' if none). */
  text: string;
  /** The text/html part as sent, entities and all ('' if none). */
  html: string;
  attachments: Array<{ filename: string; contentType: string; content: Buffer }>;
  /** The whole message as received, to check its MIME structure. */
  raw: Buffer;
}

export class TestSmtpServer {
  readonly messages: ReceivedMail[] = [];
  /** Errors the server met (a message it could not parse, a socket error). */
  readonly errors: Error[] = [];
  #server: SMTPServer | undefined;
  #port = 0;
  #refusal: { code: number; message: string } | undefined;
  readonly #events = new EventEmitter();

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.#port}`;
  }

  get running(): boolean {
    return this.#server !== undefined;
  }

  /** Listens on `port` (0: any free port). */
  async listen(port = 0): Promise<this> {
    if (this.#server) throw new Error('The test SMTP server is already running');
    const server = new SMTPServer({
      secure: false,
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      allowInsecureAuth: true,
      logger: false,
      closeTimeout: 200,
      disableReverseLookup: true, // no DNS in tests (each connection still waits 100 ms for early talkers)
      onAuth: (_auth, _session, callback) => callback(null, { user: 'test' }),
      onMailFrom: (_address, _session, callback) => {
        if (!this.#refusal) return callback();
        const error = new Error(this.#refusal.message) as Error & { responseCode: number };
        error.responseCode = this.#refusal.code;
        callback(error);
      },
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', (error) => callback(error));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks);
          const envelope = {
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
          };
          this.#receive(raw, envelope).then(
            () => callback(),
            (error: unknown) => {
              this.errors.push(error as Error);
              callback(error as Error);
            },
          );
        });
      },
    });
    server.on('error', (error) => this.errors.push(error));
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      server.server.once('error', onError);
      server.listen(port, '127.0.0.1', () => {
        server.server.off('error', onError);
        resolve();
      });
    });
    this.#server = server;
    this.#port = (server.server.address() as AddressInfo).port;
    return this;
  }

  /** Closes the port: clients get "connection refused" until `restart()`. */
  async stop(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Opens the same port again after `stop()`. */
  async restart(): Promise<void> {
    await this.listen(this.#port);
  }

  /** Answers every MAIL FROM with this reply (451: try again later; 550: refused for good) until `accept()`. */
  refuse(code = 451, message = 'Requested action aborted: try again later'): void {
    this.#refusal = { code, message };
  }

  accept(): void {
    this.#refusal = undefined;
  }

  /** Forgets the messages received so far. */
  clear(): void {
    this.messages.length = 0;
    this.errors.length = 0;
  }

  /** The first message received (already, or within `timeoutMs`) that matches. */
  waitFor(predicate: (mail: ReceivedMail) => boolean = () => true, timeoutMs = 2_000): Promise<ReceivedMail> {
    const already = this.messages.find(predicate);
    if (already) return Promise.resolve(already);
    return new Promise((resolve, reject) => {
      const onMail = (mail: ReceivedMail) => {
        if (!predicate(mail)) return;
        clearTimeout(timer);
        this.#events.off('mail', onMail);
        resolve(mail);
      };
      const timer = setTimeout(() => {
        this.#events.off('mail', onMail);
        const seen = this.messages.map((m) => `"${m.subject}" to ${m.envelope.to.join(', ')}`).join('; ') || 'none';
        reject(new Error(`No matching email arrived within ${timeoutMs} ms (received: ${seen})`));
      }, timeoutMs);
      this.#events.on('mail', onMail);
    });
  }

  async #receive(raw: Buffer, envelope: ReceivedMail['envelope']): Promise<void> {
    const parsed = await simpleParser(raw);
    const mail: ReceivedMail = {
      envelope,
      from: addresses(parsed.from)[0] ?? '',
      to: addresses(parsed.to),
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: parsed.html === false ? '' : (parsed.html ?? ''),
      attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? '', contentType: a.contentType, content: a.content })),
      raw,
    };
    this.messages.push(mail);
    this.#events.emit('mail', mail);
  }
}

/** Starts a test SMTP server on a free port of 127.0.0.1. */
export async function startSmtpServer(): Promise<TestSmtpServer> {
  return new TestSmtpServer().listen();
}

function addresses(field: AddressObject | AddressObject[] | undefined): string[] {
  if (!field) return [];
  return (Array.isArray(field) ? field : [field]).flatMap((group) => group.value.map((a) => a.address ?? ''));
}
