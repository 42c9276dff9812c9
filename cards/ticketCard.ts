// The ticket as agents see it in their Teams channel: who, what, where it failed, the screenshots and the
// conversation so far, with Universal Actions (Action.Execute) that update the card for everyone. Whatever
// people typed (staff, and agents' names) goes through inertText: shown as typed, never a live link.
import type { Content } from '../content/content.js';
import type { AgentVerb } from '../tickets/deskTypes.js';
import type { Ticket } from '../tickets/types.js';
import type { CardJson } from './render.js';
import { inertText } from '../tickets/inertText.js';
import { renderCard } from './render.js';

/** The card's buttons: the desk's agent actions. */
export { AGENT_VERBS as TICKET_VERBS, type AgentVerb as TicketVerb } from '../tickets/deskTypes.js';

export interface TicketCardOptions {
  /** A link to each screenshot that agents can open (signed, expiring). */
  screenshotUrl: (ticket: Ticket, screenshotId: string) => string;
  formatTime: (iso: string) => string;
  /** How many recent transcript lines to show. */
  transcriptLines?: number;
}

const STATUS_COLOR = { open: 'Attention', assigned: 'Accent', resolved: 'Good' } as const;

export function ticketCard(c: Content, ticket: Ticket, options: TicketCardOptions): CardJson {
  const f = (key: Parameters<Content['t']>[0]) => c.t(key);
  const r = ticket.requester;
  const status = c.t(`agents.status.${ticket.status}`);
  // An ESR admin task is finished with Done in ESR or Couldn't do it (with a reason), not Resolve.
  const finish = ticket.kind ? [{ verb: 'taskDone' as const, key: 'agents.taskDone' as const }, { verb: 'taskFailed' as const, key: 'agents.taskFailed' as const }] : [{ verb: 'resolve' as const, key: 'agents.resolve' as const }];
  const verbs: Array<{ verb: AgentVerb; key: Parameters<Content['t']>[0] }> =
    ticket.status === 'open'
      ? [{ verb: 'takeOver', key: 'agents.takeOver' }, ...finish]
      : ticket.status === 'assigned'
        ? [{ verb: 'unassign', key: 'agents.unassign' }, ...finish]
        : [{ verb: 'reopen', key: 'agents.reopen' }];
  const task = ticket.task;
  const facts = [
    ...(ticket.kind ? [{ title: f('agents.fields.kind'), value: c.t(`tasks.kinds.${ticket.kind}`) }] : [{ title: f('agents.fields.category'), value: c.t(`report.categories.${ticket.category}`) }]),
    { title: f('agents.fields.from'), value: inertText([r.name, r.email].filter(Boolean).join(', ')) },
    { title: f('agents.fields.usernames'), value: inertText(r.esrUsernames.join(', ')) || f('agents.fields.unknown') },
    { title: f('agents.fields.staffGroup'), value: r.staffGroup ? c.t(`agents.staffGroups.${r.staffGroup}`) : f('agents.fields.unknown') },
    ...(task ? [{ title: f('agents.fields.orgCode'), value: task.organisationCode ?? f('agents.fields.unknown') }] : []),
    ...(task ? [{ title: f('agents.fields.teams'), value: inertText([task.teams.displayName, task.teams.upn ?? task.teams.email].filter(Boolean).join(', ')) || f('agents.fields.unknown') }] : []),
    ...(task?.automation ? [{ title: f('agents.fields.automation'), value: c.t(`agents.automation.${task.automation.state}`) }] : []),
    ...(task?.outcome ? [{ title: f('agents.fields.outcome'), value: task.outcome === 'done' ? c.t('agents.outcomes.done') : c.t('agents.outcomes.not_done', { reason: task.reason ?? '' }) }] : []),
    { title: f('agents.fields.created'), value: options.formatTime(ticket.createdAt) },
    ...(ticket.context.flow ? [{ title: f('agents.fields.context'), value: inertText([ticket.context.flow, ticket.context.step, ticket.context.detail].filter(Boolean).join(' / ')) }] : []),
    ...(ticket.wantsPerson ? [{ title: f('agents.fields.wantsPerson'), value: c.t('common.yes') }] : []),
  ];
  const lines = ticket.transcript.slice(-(options.transcriptLines ?? 8)).map((e) => ({
    line: `**${e.from === 'bot' ? c.t('common.botName') : inertText(e.name ?? e.from)}:** ${inertText(oneLine(e.from === 'bot' || e.from === 'system' ? withoutBold(e.text) : e.text))}`,
  }));
  return renderCard('ticket', {
    title: ticket.kind ? c.t('agents.taskTitle', { ref: ticket.ref, kind: c.t(`tasks.kinds.${ticket.kind}`) }) : ticket.ref,
    statusText: status,
    statusColor: STATUS_COLOR[ticket.status],
    holderText: ticket.assignee ? c.t('agents.heldBy', { agent: inertText(ticket.assignee.name) }) : c.t('agents.unheld'),
    facts,
    descriptionLabel: f('agents.fields.description'),
    description: inertText(ticket.description),
    errorLabel: f('agents.fields.error'),
    errorMessage: inertText(ticket.errorMessage ?? ''),
    screenshotsLabel: f('agents.fields.screenshots'),
    screenshots: ticket.screenshots.map((s) => ({ name: `${inertText(s.fileName)} (${Math.max(1, Math.round(s.bytes / 1024))} KB)`, url: options.screenshotUrl(ticket, s.id) })),
    triedLabel: f('agents.fields.tried'),
    // What the person tried includes their own words: inert, like every other staff text.
    tried: (task?.tried ?? []).map((line) => ({ line: `• ${inertText(oneLine(line))}` })),
    isOpenTask: Boolean(ticket.kind) && ticket.status !== 'resolved',
    reasonLabel: f('agents.reasonLabel'),
    reasonRequired: f('agents.reasonRequired'),
    transcriptLabel: f('agents.fields.transcript'),
    transcript: lines,
    // Only Couldn't do it sends (and requires) the reason box; the other buttons ignore it.
    actions: verbs.map((v) => ({ title: c.t(v.key), verb: v.verb, ticketId: String(ticket.id), inputs: v.verb === 'taskFailed' ? 'auto' : 'none' })),
    fallback: c.t('agents.cardFallback', { ref: ticket.ref, status, description: inertText(oneLine(ticket.description)) }),
  });
}

// The bot's own replies may echo what staff typed (a file name), so they are made inert too; their bold
// markers would then show as typed, so they go first.
function withoutBold(text: string): string {
  return text.replace(/\*\*/g, '');
}

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}
