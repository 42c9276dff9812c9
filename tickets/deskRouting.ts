// Which team a ticket is for, and which agents' channel is asked to take it. Lead employer doctors are the
// lead employer team's (their own mailbox, and their staff group's channel when there is one); everyone
// else is the workforce team's. The channel registry applies the precedence of routes (channels.ts).
import type { StaffGroup } from '../esr/types.js';
import type { QueueRouting } from './channels.js';
import type { DeskOrganisation } from './deskTypes.js';
import type { Ticket } from './types.js';

export type Team = 'workforce' | 'leadEmployer';

export function teamFor(staffGroup: StaffGroup | undefined): Team {
  return staffGroup === 'lead_employer_doctor' ? 'leadEmployer' : 'workforce';
}

/** The team's mailbox in the ticket's organisation. */
export function mailboxOf(org: Pick<DeskOrganisation, 'workforceEmail' | 'leadEmployerEmail'>, team: Team): string {
  return team === 'leadEmployer' ? org.leadEmployerEmail : org.workforceEmail;
}

/**
 * The channel for a ticket of organisation `organisationCode`: an ESR admin task goes by organisation (ESR
 * user administration is done per organisation) then the tasks channel; an ordinary ticket by staff group,
 * category, then organisation. When the tasks routes name no channel, a task goes where a ticket would.
 */
export async function queueFor(routing: QueueRouting, ticket: Ticket, organisationCode: string | undefined): Promise<{ id: string } | undefined> {
  const org = organisationCode ? { organisationCode } : {};
  const task = ticket.kind ? await routing.routeTask(org) : undefined;
  return task ?? (await routing.route({ category: ticket.category, ...(ticket.requester.staffGroup ? { staffGroup: ticket.requester.staffGroup } : {}), ...org }));
}
