// What the dashboard's JSON API answers: tickets as the queue and the ticket page show them, the week's
// figures, and the words the page needs (from the content layer, so a Trust can change them).
import type { Content, TextKey } from '../../content/content.js';
import type { TicketStats } from '../../tickets/ticketService.js';
import { ADMIN_TASK_KINDS, TICKET_CATEGORIES, TICKET_STATUSES, type Ticket } from '../../tickets/types.js';
import { deflectionRate, type UsageSummary } from '../../tickets/usage.js';

export const DASHBOARD_VERBS = ['takeOver', 'unassign', 'resolve', 'reopen', 'taskDone', 'taskFailed'] as const;
export type DashboardVerb = (typeof DASHBOARD_VERBS)[number];

/** The same buttons as the ticket's card in the channel. */
export function verbsFor(ticket: Ticket): DashboardVerb[] {
  const finish: DashboardVerb[] = ticket.kind ? ['taskDone', 'taskFailed'] : ['resolve'];
  if (ticket.status === 'open') return ['takeOver', ...finish];
  if (ticket.status === 'assigned') return ['unassign', ...finish];
  return ticket.purgedAt === undefined ? ['reopen'] : [];
}

export interface TicketRow {
  id: number;
  ref: string;
  status: Ticket['status'];
  category: Ticket['category'];
  /** The ESR admin task's kind, or null for an ordinary ticket. */
  kind: string | null;
  requester: string;
  createdAt: string;
  ageMs: number;
  holder: string | null;
  mine: boolean;
  live: boolean;
  wantsPerson: boolean;
}

export function ticketRow(ticket: Ticket, now: Date, agentId: string): TicketRow {
  return {
    id: ticket.id,
    ref: ticket.ref,
    status: ticket.status,
    category: ticket.category,
    kind: ticket.kind ?? null,
    requester: ticket.requester.name,
    createdAt: ticket.createdAt,
    ageMs: Math.max(0, now.getTime() - Date.parse(ticket.createdAt)),
    holder: ticket.status === 'assigned' ? (ticket.assignee?.name ?? null) : null,
    mine: ticket.status === 'assigned' && ticket.assignee?.id === agentId,
    live: ticket.live,
    wantsPerson: ticket.wantsPerson,
  };
}

export interface TicketDetail extends TicketRow {
  description: string;
  errorMessage: string | null;
  context: Ticket['context'];
  /** The flow's name as staff see it ("Resetting your password"), when the ticket came from one. */
  flowLabel: string | null;
  requesterDetails: { name: string; email: string | null; esrUsernames: string[]; staffGroup: string | null };
  firstResponseAt: string | null;
  resolvedAt: string | null;
  resolvedBy: string | null;
  purgedAt: string | null;
  screenshots: Array<{ id: string; fileName: string; kb: number; url: string }>;
  transcript: Array<{ at: string; from: string; name: string; text: string; delivered: boolean | null; note: string | null }>;
  transcriptDropped: number;
  events: Array<{ at: string; action: string; by: string | null }>;
  rating: { helpful: boolean; comment: string | null } | null;
  verbs: DashboardVerb[];
  /** An ESR admin task's details: staff text (tried, reason) kept in their own fields. */
  task: { organisationCode: string | null; teams: string | null; tried: string[]; outcome: string | null; reason: string | null; automation: string | null } | null;
}

export function ticketDetail(c: Content, ticket: Ticket, now: Date, agentId: string, screenshotUrl: (screenshotId: string) => string): TicketDetail {
  const r = ticket.requester;
  return {
    ...ticketRow(ticket, now, agentId),
    description: ticket.description,
    errorMessage: ticket.errorMessage ?? null,
    context: ticket.context,
    flowLabel: ticket.context.flow ? flowLabel(c, ticket.context.flow) : null,
    requesterDetails: { name: r.name, email: r.email ?? null, esrUsernames: r.esrUsernames, staffGroup: r.staffGroup ? c.t(`agents.staffGroups.${r.staffGroup}`) : null },
    firstResponseAt: ticket.firstResponseAt ?? null,
    resolvedAt: ticket.resolvedAt ?? null,
    resolvedBy: ticket.status === 'resolved' ? (ticket.assignee?.name ?? null) : null,
    purgedAt: ticket.purgedAt ?? null,
    screenshots: ticket.screenshots.map((s) => ({ id: s.id, fileName: s.fileName, kb: Math.max(1, Math.round(s.bytes / 1024)), url: screenshotUrl(s.id) })),
    transcript: ticket.transcript.map((e) => ({
      at: e.at,
      from: e.from,
      name: e.from === 'bot' ? c.t('common.botName') : e.from === 'system' ? c.t('common.botName') : (e.name ?? (e.from === 'user' ? r.name : 'Agent')),
      text: e.text,
      delivered: e.delivered ?? null,
      note: e.note ?? null,
    })),
    transcriptDropped: ticket.transcriptDropped ?? 0,
    events: ticket.events.map((e) => ({ at: e.at, action: e.action, by: e.by === undefined || e.by === 'system' ? null : e.by === 'user' ? 'user' : e.by.name })),
    rating: ticket.rating ? { helpful: ticket.rating.helpful, comment: ticket.rating.comment ?? null } : null,
    verbs: verbsFor(ticket),
    task: ticket.task
      ? {
          organisationCode: ticket.task.organisationCode ?? null,
          teams: [ticket.task.teams.displayName, ticket.task.teams.upn ?? ticket.task.teams.email].filter(Boolean).join(', ') || null,
          tried: ticket.task.tried,
          outcome: ticket.task.outcome ?? null,
          reason: ticket.task.reason ?? null,
          automation: ticket.task.automation ? c.t(`agents.automation.${ticket.task.automation.state}`) : null,
        }
      : null,
  };
}

export interface Figures {
  weekStart: string;
  open: number;
  assigned: number;
  medianFirstResponseMs: number | null;
  tasksWaiting: number;
  medianTaskDoneMs: number | null;
  selfServed: number;
  ticketsThisWeek: number;
  /** self-served ÷ (self-served + tickets raised this week); null when there were no requests. */
  deflectionRate: number | null;
  topFlows: Array<{ flow: string; label: string; count: number }>;
}

export function figures(c: Content, stats: TicketStats, usage: UsageSummary, ticketsThisWeek: number): Figures {
  return {
    weekStart: stats.weekStart,
    open: stats.open,
    assigned: stats.assigned,
    medianFirstResponseMs: stats.medianFirstResponseMs ?? null,
    tasksWaiting: stats.tasksWaiting,
    medianTaskDoneMs: stats.medianTaskDoneMs ?? null,
    selfServed: usage.selfServed,
    ticketsThisWeek,
    deflectionRate: deflectionRate(usage.selfServed, ticketsThisWeek) ?? null,
    topFlows: usage.topFlows.slice(0, 5).map((f) => ({ flow: f.flow, label: flowLabel(c, f.flow), count: f.count })),
  };
}

function flowLabel(c: Content, flow: string): string {
  const name = ((c.section('flowNames') ?? {}) as Record<string, string>)[flow] ?? flow;
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** Every word the page's script shows, by the key it uses. */
export function pageLabels(c: Content): Record<string, string> {
  const labels: Record<string, string> = {};
  const section = (prefix: string, node: unknown) => {
    if (typeof node === 'string') labels[prefix] = c.fill(node);
    else if (node && typeof node === 'object' && !Array.isArray(node)) for (const [k, v] of Object.entries(node)) section(prefix ? `${prefix}.${k}` : k, v);
  };
  section('dashboard', c.section('dashboard'));
  for (const s of TICKET_STATUSES) labels[`status.${s}`] = c.t(`agents.status.${s}`);
  for (const cat of TICKET_CATEGORIES) labels[`category.${cat}`] = c.t(`report.categories.${cat}`);
  const verbKeys: Record<DashboardVerb, TextKey> = { takeOver: 'agents.takeOver', unassign: 'agents.unassign', resolve: 'agents.resolve', reopen: 'agents.reopen', taskDone: 'agents.taskDone', taskFailed: 'agents.taskFailed' };
  for (const k of ADMIN_TASK_KINDS) labels[`kind.${k}`] = c.t(`tasks.kinds.${k}`);
  for (const f of ['kind', 'orgCode', 'teams', 'tried', 'automation', 'outcome'] as const) labels[`field.${f}`] = c.t(`agents.fields.${f}`);
  labels['outcome.done'] = c.t('agents.outcomes.done');
  for (const v of DASHBOARD_VERBS) labels[`verb.${v}`] = c.t(verbKeys[v]);
  for (const f of ['category', 'from', 'usernames', 'staffGroup', 'created', 'context', 'description', 'error', 'screenshots', 'transcript', 'wantsPerson', 'unknown'] as const) {
    labels[`field.${f}`] = c.t(`agents.fields.${f}`);
  }
  labels.heldBy = c.t('agents.heldBy');
  labels.unheld = c.t('agents.unheld');
  labels.yes = c.t('common.yes');
  return labels;
}
