// Ticket screenshots in PostgreSQL (table screenshots, bytea). One INSERT stores the bytes whole or not at all.
import type pg from 'pg';
import type { ScreenshotStore } from '../../tickets/ports.js';
import type { Screenshot } from '../../tickets/types.js';

// The same rules as the file store, so either store accepts and refuses the same ids.
const SAFE_ID = /^[A-Za-z0-9_-]{1,100}$/;

export class PgScreenshotStore implements ScreenshotStore {
  readonly #pool: pg.Pool;

  constructor(pool: pg.Pool) {
    this.#pool = pool;
  }

  async put(ticketId: number, screenshot: Screenshot, bytes: Buffer): Promise<void> {
    checkTicketId(ticketId);
    if (!SAFE_ID.test(screenshot.id)) throw new TypeError(`Screenshot id "${screenshot.id}" is not file-name-safe`);
    await this.#pool.query(
      `INSERT INTO screenshots (ticket_id, screenshot_id, content_type, bytes) VALUES ($1, $2, $3, $4)
       ON CONFLICT (ticket_id, screenshot_id) DO UPDATE SET content_type = EXCLUDED.content_type, bytes = EXCLUDED.bytes`,
      [ticketId, screenshot.id, screenshot.contentType, bytes],
    );
  }

  async get(ticketId: number, screenshotId: string): Promise<Buffer | undefined> {
    checkTicketId(ticketId);
    if (!SAFE_ID.test(screenshotId)) return undefined;
    const { rows } = await this.#pool.query<{ bytes: Buffer }>('SELECT bytes FROM screenshots WHERE ticket_id = $1 AND screenshot_id = $2', [ticketId, screenshotId]);
    return rows[0]?.bytes;
  }

  async delete(ticketId: number, screenshotId: string): Promise<boolean> {
    checkTicketId(ticketId);
    if (!SAFE_ID.test(screenshotId)) return false;
    const { rowCount } = await this.#pool.query('DELETE FROM screenshots WHERE ticket_id = $1 AND screenshot_id = $2', [ticketId, screenshotId]);
    return rowCount === 1;
  }

  async deleteForTicket(ticketId: number): Promise<number> {
    checkTicketId(ticketId);
    const { rowCount } = await this.#pool.query('DELETE FROM screenshots WHERE ticket_id = $1', [ticketId]);
    return rowCount ?? 0;
  }
}

function checkTicketId(ticketId: number): void {
  if (!Number.isSafeInteger(ticketId) || ticketId < 1) throw new TypeError(`Ticket id ${ticketId} is not a positive whole number`);
}
