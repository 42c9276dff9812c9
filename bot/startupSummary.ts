// The one plain line `npm start` prints for a person, beside the JSON logs: how the bot is running. Built
// from a list of parts, so another part (say, how ESR is reached) is one more entry.
import { describeDatabaseUrl } from '../storage/postgres/pool.js';
import type { Config } from './config.js';

export interface RunningFacts {
  /** The port actually listened on (PORT=0 picks a free one). */
  port: number;
  /** Where mail goes, without credentials: "smtp://mail.example:587", or the outbox folder. */
  mail: string;
}

export function summaryParts(config: Config, facts: RunningFacts): string[] {
  return [
    `${config.NODE_ENV} mode`,
    `ESR ${config.ESR_MODE}${config.ESR_MODE === 'simulated' ? ' (a training copy)' : ''}`,
    `listening on port ${facts.port}`,
    `public URL ${config.PUBLIC_URL}`,
    `data in ${config.DATA_DIR}`,
    config.DATABASE_URL ? `database ${describeDatabaseUrl(config.DATABASE_URL)}` : 'embedded store',
    config.SMTP_URL ? `mail sent through ${facts.mail}` : `mail written to ${outboxDir(config.DATA_DIR)}`,
  ];
}

export function startupSummary(parts: string[]): string {
  return `ESR Helpdesk: ${parts.join(', ')}`;
}

// As the person configured it ("./data/outbox"), not the absolute path.
function outboxDir(dataDir: string): string {
  return `${dataDir.replace(/[\\/]+$/, '')}/outbox`;
}
