// Structured JSON logs (pino). Anything that could be a secret or personal data is redacted by key,
// at any depth, before it is written: passwords, tokens, dates of birth, auth headers.
import { pino, type Logger } from 'pino';

export type { Logger };

const SECRET_KEY = /pass(word)?|pwd|secret|token|authori[sz]ation|cookie|date_?of_?birth|dob|^value$/i;

export function redact(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 8) return '[redacted]'; // too deep to check, so not written
  if (value instanceof Error) return { type: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return redactChildren(pino(
    {
      level,
      base: { app: 'esr-helpdesk' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { log: (object) => redact(object) as Record<string, unknown> },
      serializers: { err: (e: unknown) => redact(e) },
    },
    destination ?? process.stdout,
  ));
}

// pino does not run the log formatter over a child logger's bindings, so they are redacted here.
function redactChildren(logger: Logger): Logger {
  const child = logger.child.bind(logger) as unknown as (bindings: Record<string, unknown>, options?: object) => Logger;
  const safeChild = (bindings: Record<string, unknown>, options?: object): Logger => redactChildren(child(redact(bindings) as Record<string, unknown>, options));
  logger.child = safeChild as unknown as Logger['child'];
  return logger;
}
