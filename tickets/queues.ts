// Which agents' channel gets which tickets: the port the helpdesk routes through, and the precedence every
// implementation shares (README "Organisations"): a ticket goes to its staff group's channel, else its
// category's, else its organisation's, else the general one; an admin task to its organisation's channel,
// else the admin tasks channel, else the general one. Specialist teams (lead employer, payroll) serve every
// organisation; ESR user administration is done per organisation. A channel's conversation reference is
// only a record here: posting to it is the Teams runtime's job.
import type { StaffGroup } from '../esr/types.js';
import type { TicketCategory } from './types.js';

export interface Queue {
  id: string;
  /** The channel's conversation reference, for posting new threads proactively. */
  reference: Record<string, unknown>;
  /** The Teams channel id (19:...@thread.tacv2). */
  channelId: string;
  teamId?: string;
  name?: string;
  setBy?: string;
  at: string;
}

export type QueueScope =
  | { kind: 'all' }
  | { kind: 'tasks' }
  | { kind: 'staffGroup'; group: StaffGroup }
  | { kind: 'category'; category: TicketCategory }
  | { kind: 'organisation'; code: string };

export interface TicketToRoute {
  category: TicketCategory;
  staffGroup?: StaffGroup;
  organisationCode?: string;
}

/**
 * The agents' channels and which scope each serves. Every instance of the bot sees a channel chosen on any
 * other at its next call: implementations shared between instances read their back end each time.
 */
export interface QueueRegistry {
  /** Records the channel (the same channelId keeps its id, its fields updated) and routes the scope to it. */
  use(queue: Omit<Queue, 'id'>, scope: QueueScope): Promise<Queue>;
  /** The channel for a ticket, by `ticketScopes`' precedence; undefined when no channel was chosen. */
  route(ticket: TicketToRoute): Promise<Queue | undefined>;
  /** The channel for an ESR admin task, by `taskScopes`' precedence. */
  routeTask(task?: { organisationCode?: string }): Promise<Queue | undefined>;
  get(id: string): Promise<Queue | undefined>;
  /** Every channel, in the order they were first chosen. */
  all(): Promise<Queue[]>;
}

/** The scopes that could take a ticket, the first with a channel winning. */
export function ticketScopes(ticket: TicketToRoute): QueueScope[] {
  return [
    ...(ticket.staffGroup ? [{ kind: 'staffGroup', group: ticket.staffGroup } as const] : []),
    { kind: 'category', category: ticket.category },
    ...(ticket.organisationCode ? [{ kind: 'organisation', code: ticket.organisationCode } as const] : []),
    { kind: 'all' },
  ];
}

/** The scopes that could take an ESR admin task, the first with a channel winning. */
export function taskScopes(task: { organisationCode?: string } = {}): QueueScope[] {
  return [...(task.organisationCode ? [{ kind: 'organisation', code: task.organisationCode } as const] : []), { kind: 'tasks' }, { kind: 'all' }];
}

/** One text per scope ("all", "tasks", "staffGroup:bank", "category:payslip", "organisation:242"), for keyed stores. */
export function scopeKey(scope: QueueScope): string {
  switch (scope.kind) {
    case 'all':
    case 'tasks':
      return scope.kind;
    case 'staffGroup':
      return `staffGroup:${scope.group}`;
    case 'category':
      return `category:${scope.category}`;
    case 'organisation':
      return `organisation:${scope.code}`;
  }
}
