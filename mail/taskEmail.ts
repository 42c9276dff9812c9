// The email a member of staff gets about their ESR admin task when Teams could not reach them: the same
// words as the Teams message, in the same language (the person's), and how to reply. Words from the content
// layer; values escaped by the layout.
import type { Content } from '../content/content.js';
import type { Ticket } from '../tickets/types.js';
import { renderEmail } from './emailLayout.js';
import type { OutgoingMail } from './transport.js';

/** `c`: the words in the person's language (`language`, for the page's `lang`). */
export function taskNoticeEmail(c: Content, ticket: Ticket, message: string, language: 'en-GB' | 'cy-GB' = 'en-GB'): OutgoingMail | undefined {
  const to = ticket.requester.email;
  if (!to) return undefined;
  const subject = c.t('tasks.email.subject', { ref: ticket.ref });
  const { html, text } = renderEmail(subject, {
    paragraphs: [c.t('tasks.email.greeting', { name: ticket.requester.name }), c.t('tasks.email.notInTeams'), message.replace(/\*\*/g, ''), c.t('tasks.email.reply')],
    footer: c.t('email.footer'),
  }, language === 'cy-GB' ? 'cy' : 'en-GB');
  return { to, subject, text, html };
}
