// Shared pieces for the ESR automation tests: a secret, a request for a fictional person, a logger that
// keeps what it was told, and a request store in a temp folder.
import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AutomationLogger } from '../../esr/automation/ports.js';
import type { AutomationRequest } from '../../esr/automation/types.js';
import { LowdbAutomationRequestStore } from '../../storage/lowdbAutomationRequests.js';

export const SECRET = 'test-secret-0123456789abcdefghijklmnopqrstuvwxyz';

export function sampleRequest(overrides: Partial<AutomationRequest> = {}): AutomationRequest {
  return {
    id: randomUUID(),
    action: 'unlock',
    username: 'alex.demo',
    organisationCode: '241',
    employee: { firstName: 'Alex', lastName: 'Demo', workEmail: 'alex.demo@nhs-trust.example' },
    requestedAt: '2026-01-05T10:00:00.000Z',
    ...overrides,
  };
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  object: Record<string, unknown>;
  message: string;
}

export function recordingLogger(): AutomationLogger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  return {
    lines,
    info: (object, message) => void lines.push({ level: 'info', object, message }),
    warn: (object, message) => void lines.push({ level: 'warn', object, message }),
    error: (object, message) => void lines.push({ level: 'error', object, message }),
  };
}

export async function tempStore(): Promise<{ store: LowdbAutomationRequestStore; file: string }> {
  const file = join(await mkdtemp(join(tmpdir(), 'esr-automation-')), 'esr-automation-requests.json');
  return { store: await LowdbAutomationRequestStore.open(file), file };
}
