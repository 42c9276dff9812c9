// The agents' channels in PostgreSQL (tables agent_channels, agent_channel_routes). Nothing is cached: each
// call reads the tables, so a channel chosen with "use this channel" on one instance routes the next ticket
// on every other. The precedence of scopes is the port's (tickets/queues.ts), passed in as an ordered list.
import type pg from 'pg';
import { scopeKey, taskScopes, ticketScopes, type Queue, type QueueRegistry, type QueueScope, type TicketToRoute } from '../../tickets/queues.js';

interface Row {
  id: string;
  queue: Omit<Queue, 'id'>;
}

const asQueue = (row: Row): Queue => ({ ...row.queue, id: row.id });

export class PgQueueRegistry implements QueueRegistry {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async use(queue: Omit<Queue, 'id'>, scope: QueueScope): Promise<Queue> {
    // One statement: the channel upserted by its Teams id (a channel chosen again keeps its id, its fields
    // merged as the file store merges them) and the scope pointed at it; two instances at once agree on the id.
    const { rows } = await this.#pool.query<Row>(
      `WITH saved AS (
         INSERT INTO agent_channels (channel_id, queue) VALUES ($1, $2)
         ON CONFLICT (channel_id) DO UPDATE SET queue = agent_channels.queue || EXCLUDED.queue
         RETURNING id, queue
       ), routed AS (
         INSERT INTO agent_channel_routes (scope, queue_id) SELECT $3, id FROM saved
         ON CONFLICT (scope) DO UPDATE SET queue_id = EXCLUDED.queue_id
       )
       SELECT id, queue FROM saved`,
      [queue.channelId, JSON.stringify(withoutId(queue)), scopeKey(scope)],
    );
    return asQueue(rows[0]!);
  }

  route(ticket: TicketToRoute): Promise<Queue | undefined> {
    return this.#first(ticketScopes(ticket));
  }

  routeTask(task: { organisationCode?: string } = {}): Promise<Queue | undefined> {
    return this.#first(taskScopes(task));
  }

  async get(id: string): Promise<Queue | undefined> {
    const { rows } = await this.#pool.query<Row>('SELECT id, queue FROM agent_channels WHERE id = $1', [id]);
    return rows[0] ? asQueue(rows[0]) : undefined;
  }

  async all(): Promise<Queue[]> {
    const { rows } = await this.#pool.query<Row>('SELECT id, queue FROM agent_channels ORDER BY position');
    return rows.map(asQueue);
  }

  /** The channel of the first scope, in the given order, that has one. */
  async #first(scopes: QueueScope[]): Promise<Queue | undefined> {
    const { rows } = await this.#pool.query<Row>(
      `SELECT c.id, c.queue FROM agent_channel_routes r JOIN agent_channels c ON c.id = r.queue_id
       WHERE r.scope = ANY($1::text[]) ORDER BY array_position($1::text[], r.scope) LIMIT 1`,
      [scopes.map(scopeKey)],
    );
    return rows[0] ? asQueue(rows[0]) : undefined;
  }
}

/** The record as given, minus an id a caller may have left in (the table's id is the one). */
function withoutId(queue: Omit<Queue, 'id'>): Omit<Queue, 'id'> {
  const { id: _id, ...rest } = queue as Queue;
  return rest;
}
