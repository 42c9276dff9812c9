// Helpdesk tickets in PostgreSQL (table tickets): the ticket as JSON beside the columns lookups filter on.
// save() is a compare-and-set on the version column, so of two saves from the same version exactly one
// succeeds, whichever instance made them.
import type pg from 'pg';
import { TicketConflictError, conversationIdOf, ticketMatches, type TicketFilter, type TicketStore } from '../../tickets/ports.js';
import type { Ticket } from '../../tickets/types.js';
import { ticketSchema } from '../lowdbTicketStore.js';
import { inTransaction, prepared } from './pool.js';

const COLUMNS = 'id, version, status, category, created_at, holder_id, requester_id, user_conversation_id, thread_conversation_id, live, ticket';
const VALUES = '$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11';
const UPDATE_SET = COLUMNS.split(', ').slice(1).map((c) => `${c} = EXCLUDED.${c}`).join(', ');
const UPDATE_FROM_VALUES = COLUMNS.split(', ').slice(1).map((c, i) => `${c} = $${i + 2}`).join(', ');

export class PgTicketStore implements TicketStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async nextId(): Promise<number> {
    const { rows } = await this.#pool.query<{ last_id: number }>('UPDATE ticket_ids SET last_id = last_id + 1 RETURNING last_id');
    return rows[0]!.last_id;
  }

  async save(ticket: Ticket, expectedVersion?: number): Promise<void> {
    // The same check as the embedded store, on a JSON copy: what is stored is what reads back.
    const parsed = ticketSchema.safeParse(JSON.parse(JSON.stringify(ticket)));
    if (!parsed.success) {
      const first = parsed.error.issues[0];
      throw new TypeError(`Ticket ${ticket.id} cannot be stored: ${first?.path.join('.') || 'ticket'} ${first?.message ?? 'is invalid'}`);
    }
    const next = parsed.data;
    const values = [
      next.id,
      next.version,
      next.status,
      next.category,
      next.createdAt,
      next.assignee?.id ?? null,
      next.requester.teamsUserId,
      conversationIdOf(next.userConversation) ?? null,
      next.channelPost?.threadConversationId ?? null,
      next.live,
      JSON.stringify(next),
    ];
    await inTransaction(this.#pool, async (client) => {
      let stored: boolean;
      if (expectedVersion === undefined) {
        await client.query(`INSERT INTO tickets (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (id) DO UPDATE SET ${UPDATE_SET}`, values);
        stored = true;
      } else if (expectedVersion === 0) {
        stored = (await client.query(`INSERT INTO tickets (${COLUMNS}) VALUES (${VALUES}) ON CONFLICT (id) DO NOTHING`, values)).rowCount === 1;
      } else {
        const sql = `UPDATE tickets SET ${UPDATE_FROM_VALUES} WHERE id = $1 AND version = $12`;
        stored = (await client.query(sql, [...values, expectedVersion])).rowCount === 1;
      }
      if (!stored) {
        const { rows } = await client.query<{ version: number }>('SELECT version FROM tickets WHERE id = $1', [next.id]);
        throw new TicketConflictError(next.id, expectedVersion!, rows[0]?.version ?? 0);
      }
      // A ticket saved with an id never handed out (an import) still keeps nextId from reusing it.
      await client.query('UPDATE ticket_ids SET last_id = $1 WHERE last_id < $1', [next.id]);
    });
  }

  async get(id: number): Promise<Ticket | undefined> {
    const { rows } = await this.#pool.query<{ ticket: Ticket }>('SELECT ticket FROM tickets WHERE id = $1', [id]);
    return rows[0]?.ticket;
  }

  /** Narrowed in SQL by the indexed fields, then checked with the same ticketMatches as the embedded store. */
  async list(filter: TicketFilter = {}): Promise<Ticket[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      where.push(sql.replace('?', `$${values.length}`));
    };
    const list = <T>(v: T | T[]) => (Array.isArray(v) ? v : [v]);
    if (filter.status !== undefined) add('status = ANY(?)', list(filter.status));
    if (filter.category !== undefined) add('category = ANY(?)', list(filter.category));
    if (filter.from) add('created_at >= ?', filter.from.toISOString());
    if (filter.to) add('created_at < ?', filter.to.toISOString());
    if (filter.holderId !== undefined) add('holder_id = ?', filter.holderId);
    if (filter.requesterId !== undefined) add('requester_id = ?', filter.requesterId);
    if (filter.userConversationId !== undefined) add('user_conversation_id = ?', filter.userConversationId);
    if (filter.threadConversationId !== undefined) add('thread_conversation_id = ?', filter.threadConversationId);
    if (filter.live !== undefined) add('live = ?', filter.live);
    // Prepared: one of few shapes (which filters are set), and the live-ticket check runs every turn.
    const { rows } = await this.#pool.query<{ ticket: Ticket }>(prepared(`SELECT ticket FROM tickets${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`, values));
    return rows.map((r) => r.ticket).filter((t) => ticketMatches(t, filter));
  }
}
