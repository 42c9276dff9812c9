// A mail transport that keeps what it is given, for tests that read the emails the bot sends.
import type { MailTransport, OutgoingMail } from '../../mail/transport.js';

export class KeepingTransport implements MailTransport {
  readonly description = 'kept in memory';
  readonly sent: OutgoingMail[] = [];
  send(mail: OutgoingMail): Promise<void> {
    this.sent.push(mail);
    return Promise.resolve();
  }
  close(): void {}
}
