// How email leaves the bot: a real SMTP server when SMTP_URL is set, otherwise .eml files in an outbox
// folder that a person can open (double-click opens them in Outlook or any mail app).
import { randomBytes } from 'node:crypto';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer, { type Transporter, type TransportOptions } from 'nodemailer';
import { makePrivateDir, PRIVATE_FILE_MODE } from '../storage/privateFiles.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  attachments?: Array<{ filename: string; content: Buffer; contentType: string }>;
  /** After this the message is useless (its reset link has expired): a queue should not send it late. */
  expiresAt?: Date;
}

export interface MailTransport {
  /** Where mail goes, for the start-up log line ("smtp://mail.example:587" or the outbox folder). */
  readonly description: string;
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

export class SmtpTransport implements MailTransport {
  readonly description: string;
  readonly #from: string;
  readonly #transporter: Transporter;

  constructor(smtpUrl: string, from: string, options: { connectionTimeoutMs?: number } = {}) {
    const url = new URL(smtpUrl);
    this.description = `${url.protocol}//${url.hostname}:${url.port || (url.protocol === 'smtps:' ? 465 : 587)}`;
    this.#from = from;
    const timeout = options.connectionTimeoutMs ?? 15_000;
    this.#transporter = nodemailer.createTransport({
      url: smtpUrl,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 2,
    } as TransportOptions);
  }

  async send(mail: OutgoingMail): Promise<void> {
    const { expiresAt: _expiresAt, ...message } = mail;
    await this.#transporter.sendMail({ from: this.#from, ...message });
  }

  close(): void {
    this.#transporter.close();
  }
}

export class OutboxFolderTransport implements MailTransport {
  readonly description: string;
  readonly #dir: string;
  readonly #from: string;
  readonly #builder = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(dir: string, from: string) {
    this.#dir = dir;
    this.#from = from;
    this.description = `.eml files in ${dir}`;
  }

  async send(mail: OutgoingMail): Promise<void> {
    await makePrivateDir(this.#dir);
    const { expiresAt: _expiresAt, ...message } = mail;
    const info = (await this.#builder.sendMail({ from: this.#from, ...message })) as unknown as { message: Buffer };
    // Named by time and a random part only: a folder listing must not show who was emailed.
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`;
    const temp = join(this.#dir, `.${name}.tmp`);
    await writeFile(temp, info.message, { mode: PRIVATE_FILE_MODE });
    await rename(temp, join(this.#dir, name));
  }

  close(): void {
    this.#builder.close();
  }
}
