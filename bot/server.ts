// The HTTP server: the Bot Framework endpoint, a health check, and whatever pages other modules add.
import restify, { type Request, type Response, type Server } from 'restify';
import { z } from 'zod';
import type { CloudAdapter } from 'botbuilder';
import type { ActivityHandlerBase } from 'botbuilder-core';
import type { Logger } from './logger.js';
import { bodyReader } from './requestBody.js';

/** A module that adds routes (the reset pages, the dashboard). */
export type RouteModule = (server: Server) => void;

export interface ServerDeps {
  adapter: CloudAdapter;
  bot: ActivityHandlerBase;
  logger: Logger;
  /** Resolves when every data store can be read; rejects (with a reason) when not. */
  health: () => Promise<Record<string, unknown>>;
  routes?: RouteModule[];
}

// The least an activity must have for the adapter to route it and reply; anything else is a 400 with a reason.
const activitySchema = z.looseObject({
  type: z.string().min(1),
  serviceUrl: z.string().min(1),
  channelId: z.string().min(1),
  conversation: z.looseObject({ id: z.string().min(1) }),
  from: z.looseObject({ id: z.string().min(1) }),
  recipient: z.looseObject({ id: z.string() }).optional(),
});

export const MAX_BODY_BYTES = 1024 * 1024;

// The most each route accepts, counted after decompression: activities, the dashboard's small JSON, and
// the reset and unlock forms (a token, a username, two passwords). Anything else gets the smallest.
export const BODY_LIMITS = { messages: MAX_BODY_BYTES, dashboard: 64 * 1024, form: 16 * 1024 } as const;

export function bodyLimitFor(path: string): number {
  if (path === '/api/messages') return BODY_LIMITS.messages;
  if (path.startsWith('/api/dashboard/')) return BODY_LIMITS.dashboard;
  return BODY_LIMITS.form;
}

export function createServer(deps: ServerDeps): Server {
  const server = restify.createServer({ name: 'esr-helpdesk', handleUncaughtExceptions: false });
  server.use(bodyReader(bodyLimitFor));
  server.use(restify.plugins.queryParser({ mapParams: false }));

  server.post('/api/messages', async (req: Request, res: Response) => {
    if (!req.is('json')) {
      res.send(415, { error: 'Send the activity as JSON (Content-Type: application/json).' });
      return;
    }
    const parsed = activitySchema.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      res.send(400, { error: `Malformed activity: ${issue?.path.join('.') || 'body'} ${issue?.message ?? 'is invalid'}` });
      return;
    }
    await deps.adapter.process(req, res, (context) => deps.bot.run(context));
  });

  server.get('/healthz', async (_req: Request, res: Response) => {
    try {
      res.send(200, { status: 'ok', ...(await deps.health()) });
    } catch (error) {
      deps.logger.error({ err: error }, 'Health check failed');
      res.send(503, { status: 'unavailable', reason: (error as Error).message });
    }
  });

  for (const add of deps.routes ?? []) add(server);

  server.on('restifyError', (req: Request, res: Response, err: Error & { statusCode?: number }, callback: () => void) => {
    if ((err.statusCode ?? 500) >= 500) deps.logger.error({ err, path: req.path() }, 'Request failed');
    callback();
  });
  return server;
}
