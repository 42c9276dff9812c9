// The desk's email (tickets/channels.ts DeskMailer): the ticket to its team's mailbox, and a Teams message
// to a member of staff whom Teams could not reach. Through the durable outbox, like all mail.
import type { DeskMailer } from '../tickets/channels.js';
import { taskNoticeEmail } from './taskEmail.js';
import { ticketEmail } from './ticketEmail.js';
import type { MailTransport } from './transport.js';

export class OutboxDeskMailer implements DeskMailer {
  readonly #mail: Pick<MailTransport, 'send'>;

  constructor(mail: Pick<MailTransport, 'send'>) {
    this.#mail = mail;
  }

  async toTeam({ to, words, ticket, screenshots, update }: Parameters<DeskMailer['toTeam']>[0]): Promise<void> {
    await this.#mail.send(ticketEmail(words, ticket, { to, screenshots, ...(update ? { update } : {}) }));
  }

  async toPerson({ words, language, ticket, text }: Parameters<DeskMailer['toPerson']>[0]): Promise<boolean> {
    const email = taskNoticeEmail(words, ticket, text, language);
    if (!email) return false;
    await this.#mail.send(email);
    return true;
  }
}
