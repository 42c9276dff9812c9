// The email that tells the helpdesk team about a ticket (or an update to one): the details, the
// conversation so far and the screenshots attached. Words from the content layer; values escaped by the layout.
import type { Content } from '../content/content.js';
import { extensionFor, sniffImageType } from '../tickets/imageType.js';
import type { Ticket } from '../tickets/types.js';
import { renderEmail } from './emailLayout.js';
import type { OutgoingMail } from './transport.js';

export function ticketEmail(c: Content, ticket: Ticket, options: { to: string; screenshots: Array<{ bytes: Buffer }>; update?: string }): OutgoingMail {
  const r = ticket.requester;
  const subject = (options.update ? `${c.t('email.ticket.updatePrefix')} ` : '') + c.t('email.ticket.subject', { ref: ticket.ref, category: c.t(`report.categories.${ticket.category}`), name: r.name });
  const facts = [
    `${c.t('agents.fields.from')}: ${[r.name, r.email].filter(Boolean).join(', ')}`,
    `${c.t('agents.fields.usernames')}: ${r.esrUsernames.join(', ') || c.t('agents.fields.unknown')}`,
    `${c.t('agents.fields.staffGroup')}: ${r.staffGroup ? c.t(`agents.staffGroups.${r.staffGroup}`) : c.t('agents.fields.unknown')}`,
    `${c.t('agents.fields.category')}: ${c.t(`report.categories.${ticket.category}`)}`,
    ...(ticket.context.flow ? [`${c.t('agents.fields.context')}: ${[ticket.context.flow, ticket.context.step].filter(Boolean).join(' / ')}`] : []),
    `${c.t('agents.fields.description')}: ${ticket.description}`,
    ...(ticket.errorMessage ? [`${c.t('agents.fields.error')}: ${ticket.errorMessage}`] : []),
  ];
  const transcript = ticket.transcript.slice(-15).map((e) => `${e.from === 'bot' ? c.t('common.botName') : (e.name ?? e.from)}: ${e.text}`);
  const count = options.screenshots.length;
  const paragraphs = [
    ...(options.update ? [c.t('email.ticket.update', { text: options.update })] : []),
    c.t('email.ticket.intro'),
    ...(ticket.wantsPerson ? [c.t('email.ticket.wantsPerson')] : []),
    facts.join('\n'),
    ...(transcript.length ? [`${c.t('email.ticket.transcript')}\n${transcript.join('\n')}`] : []),
    ...(count ? [c.t('email.ticket.screenshots', { count })] : []),
    r.email ? c.t('email.ticket.reply', { email: r.email }) : c.t('email.ticket.noEmail'),
  ];
  const { html, text } = renderEmail(subject, { paragraphs, footer: c.t('email.ticket.footer') });
  return {
    to: options.to,
    subject,
    text,
    html,
    // Named by the ticket, typed from the bytes: the user's own file names never reach the mail system.
    attachments: options.screenshots.map((s, i) => {
      const type = sniffImageType(s.bytes) ?? 'image/png';
      return { filename: `${ticket.ref}-${i + 1}.${extensionFor(type)}`, content: s.bytes, contentType: type };
    }),
  };
}
