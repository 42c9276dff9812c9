// Screenshots kept aside for reports being written, in PostgreSQL (table upload_staging, bytea), so any
// instance can file a report whose screenshots another instance received. One INSERT keeps one whole.
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { StagedUpload, UploadStaging } from '../../tickets/ports.js';
import { MAX_SCREENSHOT_BYTES } from '../../tickets/ticketService.js';

// The same rules as the file store, so either store accepts and refuses the same ids.
const SAFE_ID = /^[A-Za-z0-9_-]{1,64}$/;

export class PgUploadStaging implements UploadStaging {
  readonly #pool: pg.Pool;
  readonly #now: () => Date;

  constructor(pool: pg.Pool, now: () => Date = () => new Date()) {
    this.#pool = pool;
    this.#now = now;
  }

  async keep(file: { name: string; contentType: string; bytes: Buffer }): Promise<StagedUpload> {
    if (file.bytes.length > MAX_SCREENSHOT_BYTES) throw new RangeError(`An upload is at most ${MAX_SCREENSHOT_BYTES / 1024 / 1024} MB (got ${file.bytes.length} bytes)`);
    const id = randomBytes(12).toString('base64url');
    await this.#pool.query('INSERT INTO upload_staging (id, name, content_type, bytes, staged_at) VALUES ($1, $2, $3, $4, $5)', [id, file.name, file.contentType, file.bytes, this.#now()]);
    return { id, name: file.name, contentType: file.contentType, bytes: file.bytes.length };
  }

  async read(id: string): Promise<Buffer | undefined> {
    if (!SAFE_ID.test(id)) return undefined;
    const { rows } = await this.#pool.query<{ bytes: Buffer }>('SELECT bytes FROM upload_staging WHERE id = $1', [id]);
    return rows[0]?.bytes;
  }

  async discard(ids: string[]): Promise<void> {
    const safe = ids.filter((id) => SAFE_ID.test(id));
    if (safe.length > 0) await this.#pool.query('DELETE FROM upload_staging WHERE id = ANY($1::text[])', [safe]);
  }

  async purgeBefore(cutoff: Date): Promise<number> {
    const { rowCount } = await this.#pool.query('DELETE FROM upload_staging WHERE staged_at < $1', [cutoff]);
    return rowCount ?? 0;
  }
}
