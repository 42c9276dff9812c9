// "Questions we couldn't answer this week" on the agents' dashboard:
//
//   GET  /api/dashboard/unanswered   this week's unanswered wordings, most asked first, and what they can be added to
//   POST /api/dashboard/unanswered   {"key", "target"}: adds that wording to a flow's or a question's phrases
//
// Same token check as the rest of the dashboard API (agents; there is no separate admin role). The wording
// added is the one the log holds for the key (already redacted), never text from the request.
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Content } from '../../content/content.js';
import type { Faq } from '../../content/faq.js';
import type { OverrideFiles } from '../../content/overrideFiles.js';
import type { IntentPhrases } from '../../dialogs/intents.js';
import { FAQ_PREFIX, FLOW_IDS } from '../../dialogs/flowIds.js';
import { summariseUnanswered, type MissedLog } from '../../understanding/missed.js';
import { addPhrasing, isPhrasingTarget, phraseFrom } from '../../understanding/overrides.js';

export interface UnansweredDeps {
  missed: MissedLog;
  understanding: { reload(): Promise<void> };
  /** The Trust's overrides (DATA_DIR/content; on PostgreSQL shared through the database). */
  overrides: OverrideFiles;
  locale: string;
  /** The content and questions as they stand now (overrides included). */
  load(): Promise<{ content: Content; faq: Faq }>;
}

/** Most rows listed: the long tail is in the export. */
export const MAX_UNANSWERED = 50;

const addBody = z.object({ key: z.string().min(1).max(500), target: z.string().min(1).max(100) });

export interface UnansweredRouteHelpers {
  signedIn(req: Request, res: Response): Promise<{ id: string; name: string } | undefined>;
  sendJson(res: Response, status: number, body: unknown): void;
  /** The start of this week, as the dashboard's figures count it. */
  weekStart(): Promise<string>;
  now(): Date;
  content: Content;
}

function targets(content: Content, faq: Faq): Array<{ value: string; label: string }> {
  return [
    ...FLOW_IDS.map((id) => ({ value: id, label: content.t(`menu.flows.${id}.label`) })),
    ...faq.entries.map((e) => ({ value: `${FAQ_PREFIX}${e.id}`, label: e.title })),
  ];
}

export function unansweredRoutes(server: Server, deps: UnansweredDeps, h: UnansweredRouteHelpers): void {
  server.get('/api/dashboard/unanswered', async (req: Request, res: Response) => {
    if (!(await h.signedIn(req, res))) return;
    const since = await h.weekStart();
    const rows = summariseUnanswered(await deps.missed.since(since));
    const { faq } = await deps.load();
    h.sendJson(res, 200, { since, total: rows.length, rows: rows.slice(0, MAX_UNANSWERED), targets: targets(h.content, faq) });
  });

  server.post('/api/dashboard/unanswered', async (req: Request, res: Response) => {
    const agent = await h.signedIn(req, res);
    if (!agent) return;
    if (!req.is('json')) return void h.sendJson(res, 415, { error: 'json_only', message: 'Send {"key": …, "target": …} as application/json.' });
    const body = addBody.safeParse(req.body);
    if (!body.success) return void h.sendJson(res, 400, { error: 'bad_request', message: 'key and target are required' });
    const { key, target } = body.data;
    const { content, faq } = await deps.load();
    if (!isPhrasingTarget(target, faq)) return void h.sendJson(res, 400, { error: 'bad_target', message: 'target should be a flow id or faq:<id>' });
    const row = summariseUnanswered(await deps.missed.since(await h.weekStart())).find((r) => r.key === key);
    const phrase = row ? phraseFrom(row.text) : '';
    if (!row || !phrase) return void h.sendJson(res, 404, { error: 'not_found', message: h.content.t('dashboard.unanswered.notFound') });
    await addPhrasing({ overrides: deps.overrides, locale: deps.locale, target, phrase, intents: content.section('intents') as IntentPhrases, faq });
    await deps.understanding.reload();
    await deps.missed.record({ at: h.now().toISOString(), kind: 'added', key, text: row.text, choice: target });
    const label = targets(h.content, faq).find((t) => t.value === target)?.label ?? target;
    h.sendJson(res, 200, { ok: true, phrase, target, message: h.content.t('dashboard.unanswered.added', { text: phrase, target: label }) });
  });
}
