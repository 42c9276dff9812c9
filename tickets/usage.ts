// What people use the bot for, for the agents' dashboard: which flows are started, and how many ended
// with the person helped by self-service (no ticket). Counts only: no names, no message text.
export type UsageKind = 'started' | 'self_served';

export interface UsageEvent {
  at: string;
  flow: string;
  kind: UsageKind;
  /** The person's ESR organisation, when the deployment serves several. */
  organisationCode?: string;
}

export interface UsageLog {
  record(event: UsageEvent): Promise<void>;
  /** Events at or after `since`. */
  since(since: string): Promise<UsageEvent[]>;
}

export interface UsageSummary {
  selfServed: number;
  /** Flows by how often they were started, most used first. */
  topFlows: Array<{ flow: string; count: number }>;
}

export function summariseUsage(events: UsageEvent[]): UsageSummary {
  const started = new Map<string, number>();
  let selfServed = 0;
  for (const e of events) {
    if (e.kind === 'self_served') selfServed++;
    else started.set(e.flow, (started.get(e.flow) ?? 0) + 1);
  }
  const topFlows = [...started.entries()].map(([flow, count]) => ({ flow, count })).sort((a, b) => b.count - a.count || a.flow.localeCompare(b.flow));
  return { selfServed, topFlows };
}

/** Share of requests this week that self-service settled: self-served / (self-served + tickets). */
export function deflectionRate(selfServed: number, tickets: number): number | undefined {
  const total = selfServed + tickets;
  return total === 0 ? undefined : selfServed / total;
}
