// The agents' dashboard, a Teams tab served by the bot's own server (personal tab and configurable channel tab):
//
//   GET  /dashboard                        the page: figures, the queue with filters, a ticket's view (script-built)
//   GET  /dashboard/configure              the channel tab's configuration page (saves contentUrl PUBLIC_URL/dashboard)
//   GET  /static/teams-js.js               @microsoft/teams-js's own browser bundle, from node_modules
//   GET  /api/dashboard/summary            the week's figures and who is signed in: ?organisation=242
//   GET  /api/dashboard/tickets            the queue: ?status=active|open|assigned|resolved|all &category= &mine=true &organisation=242
//   GET  /api/dashboard/trends             tickets opened and resolved per day, self-service share per week, last 12 weeks: ?organisation=242
//   GET  /api/dashboard/tickets/:id        one ticket: requester, context, transcript, screenshots (signed links), history
//   POST /api/dashboard/tickets/:id/actions  {"verb":"takeOver"|"unassign"|"resolve"|"reopen"|"taskDone"|"taskFailed", "reason"?: "…"}
//
// The pages hold no data; the API answers only with a valid Teams SSO token of a configured agent (auth.ts):
// 401 for a missing or bad token, 403 for someone who is not an agent, 503 when the server cannot check tokens.
// Actions go through the helpdesk's act(): the same rules as the card in the agents' channel (one winner, the
// same audit, the member of staff told, the channel card refreshed), done as the agent the token names.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { Request, Response, Server } from 'restify';
import { z } from 'zod';
import type { Content } from '../content/content.js';
import type { Clock } from '../core/clock.js';
import { isTicketError, type ListFilter, type TicketService } from '../tickets/ticketService.js';
import { TICKET_CATEGORIES, type Agent, type Ticket } from '../tickets/types.js';
import { summariseUsage, type UsageLog } from '../tickets/usage.js';
import { ticketTrends, trendsStart } from '../tickets/trends.js';
import { DashboardAuth, type DashboardAgent, type DashboardAuthSettings } from './dashboard/auth.js';
import { DASHBOARD_VERBS, figures, pageLabels, ticketDetail, ticketRow, type DashboardVerb } from './dashboard/views.js';
import { addStaticFiles, escapeHtml } from './http.js';
import { unansweredRoutes, type UnansweredDeps } from './dashboard/unanswered.js';

/** What the dashboard needs of the helpdesk (tickets/deskService.ts DeskService). */
export interface DashboardDesk {
  act(verb: DashboardVerb, ticketId: number, agent: Agent, channel: 'dashboard', options?: { reason?: string }): Promise<{ ok: boolean; ticket?: Ticket; message?: string }>;
  /** An absolute, signed, expiring link to a ticket's screenshot. */
  screenshotUrl(ticket: Ticket, screenshotId: string): string;
}

export interface DashboardDeps {
  content: Content;
  tickets: TicketService;
  desk: DashboardDesk;
  usage: UsageLog;
  clock: Clock;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  /** PUBLIC_URL: the configured tab's address is built from it, never from the request. */
  publicUrl: string;
  auth: DashboardAuthSettings;
  /** "Questions we couldn't answer" (absent: the section and its API are not offered). */
  unanswered?: UnansweredDeps;
  /** Replaces the remote Entra key set (tests). */
  keys?: JWTVerifyGetKey;
  /** The organisations served, the first being the default; with more than one the page offers a filter. */
  organisations?: Array<{ code: string; name: string; timeZone: string }>;
}

/** Teams and the Microsoft 365 hosts that may frame the tab (learn.microsoft.com: tab requirements). */
export const TAB_FRAME_ANCESTORS = [
  'https://teams.microsoft.com',
  'https://*.teams.microsoft.com',
  'https://*.cloud.microsoft',
  'https://*.microsoft365.com',
  'https://*.office.com',
  'https://outlook.office.com',
  'https://outlook.office365.com',
];

// As strict as the reset pages (our own script and style only, nothing inline), except that Teams must be able
// to frame it, and teams-js may fetch Microsoft's list of valid host origins.
export const DASHBOARD_PAGE_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self' https://res.cdn.office.net; form-action 'none'; base-uri 'none'; frame-ancestors ${TAB_FRAME_ANCESTORS.join(' ')}`,
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store, max-age=0',
  Pragma: 'no-cache',
  'X-Content-Type-Options': 'nosniff',
};

const API_HEADERS: Record<string, string> = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store, max-age=0',
  Pragma: 'no-cache',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

/** Most rows the queue answers with; the filters find the rest. */
export const MAX_ROWS = 200;

const STATUS_FILTERS = ['active', 'open', 'assigned', 'resolved', 'all'] as const;
const one = (v: unknown) => (Array.isArray(v) ? v[0] : v) as unknown;
const queueQuery = z.object({
  status: z.preprocess(one, z.enum(STATUS_FILTERS).default('active')),
  category: z.preprocess((v) => (one(v) === '' ? undefined : one(v)), z.enum(TICKET_CATEGORIES).optional()),
  mine: z.preprocess(one, z.enum(['true', 'false', '1', '0', '']).optional()).transform((v) => v === 'true' || v === '1'),
  organisation: z.preprocess((v) => (one(v) === '' ? undefined : one(v)), z.string().regex(/^\d{3}$/, 'should be a three-digit ESR organisation code').optional()),
});
const trendsQuery = queueQuery.pick({ organisation: true });
const actionBody = z.object({ verb: z.enum(DASHBOARD_VERBS), reason: z.string().max(1000).optional() });
const STATUS_ORDER = { open: 0, assigned: 1, resolved: 2 } as const;

export function dashboard(deps: DashboardDeps) {
  const c = deps.content;
  const orgs = deps.organisations ?? [];
  // Tickets from before organisations belong to the first one.
  const organisationFilter = (code: string | undefined): ListFilter => (code ? { organisationCode: code, ...(orgs[0] ? { defaultOrganisationCode: orgs[0].code } : {}) } : {});
  const auth = new DashboardAuth(deps.auth, { clock: deps.clock, logger: deps.logger, ...(deps.keys ? { keys: deps.keys } : {}) });
  // Said once at start-up: a warning on a real deployment, quietly (debug) on a laptop without credentials.
  if (auth.problem) deps.logger[deps.auth.devLogin || (!deps.auth.tenantId && !deps.auth.appId) ? 'debug' : 'warn']({ reason: auth.problem }, `The agents' dashboard API will refuse requests until this is fixed: ${auth.problem}`);
  if (auth.devLogin) deps.logger.warn('DASHBOARD_DEV_LOGIN is on: the dashboard lets anyone in without a token as a fictional local agent. Local development only.');
  const labelsJson = () => JSON.stringify(pageLabels(c)).replace(/</g, '\\u003c');
  const tabUrl = `${deps.publicUrl.replace(/\/+$/, '')}/dashboard`;

  const sendJson = (res: Response, status: number, body: unknown, extra: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { ...API_HEADERS, ...extra, 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  };

  /** The agent the request's token names, or undefined after answering 401/403/503. */
  const signedIn = async (req: Request, res: Response): Promise<DashboardAgent | undefined> => {
    const outcome = await auth.authenticate(req.header('authorization'));
    if (outcome.ok) return outcome.agent;
    const challenge: Record<string, string> = outcome.status === 401 ? { 'WWW-Authenticate': outcome.error === 'missing_token' ? 'Bearer' : 'Bearer error="invalid_token"' } : {};
    sendJson(res, outcome.status, { error: outcome.error, message: outcome.reason }, challenge);
    return undefined;
  };

  // Relative, so the image loads from wherever the page was (the link is signed and expires).
  const screenshotLink = (ticket: Ticket) => (id: string) => {
    const url = new URL(deps.desk.screenshotUrl(ticket, id));
    return `${url.pathname}${url.search}`;
  };

  const ticketId = (req: Request): number | undefined => {
    const raw = (req.params as { id?: string }).id ?? '';
    return /^\d{1,9}$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined;
  };

  const shell = (page: 'queue' | 'configure', title: string, body: string) => `<!doctype html>
<html lang="en-GB" data-theme="default">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} – ${escapeHtml(c.t('web.serviceName'))}</title>
<link rel="stylesheet" href="/static/dashboard.css">
<script src="/static/teams-js.js" defer></script>
<script src="/static/dashboard.js" defer></script>
</head>
<body data-page="${page}" data-dev-login="${auth.devLogin ? 'true' : 'false'}"${page === 'configure' ? ` data-tab-url="${escapeHtml(tabUrl)}"` : ''}>
<script type="application/json" id="dashboard-labels">${labelsJson()}</script>
${body}
</body>
</html>`;

  const sendPage = (res: Response, html: string) => {
    res.writeHead(200, { ...DASHBOARD_PAGE_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html) });
    res.end(html);
  };

  const t = (key: Parameters<Content['t']>[0]) => escapeHtml(c.t(key));
  const option = (value: string, label: string, selected = false) => `<option value="${escapeHtml(value)}"${selected ? ' selected' : ''}>${escapeHtml(label)}</option>`;

  const queuePage = () =>
    shell(
      'queue',
      c.t('dashboard.title'),
      `<header class="dash-header">
<div class="dash-header__title"><span class="dash-service">${t('web.serviceName')}</span> <h1 id="page-title">${t('dashboard.title')}</h1></div>
<div class="dash-header__who"><span id="who"></span> <button type="button" class="button button--quiet" id="refresh" hidden>${t('dashboard.refresh')}</button></div>
</header>
<main id="main" class="dash-main" tabindex="-1">
<div id="notice" class="notice" role="status" aria-live="polite">${t('dashboard.connecting')}</div>
<div id="dev-banner" class="notice notice--warning" hidden>${t('dashboard.devMode')}</div>
<div id="app" hidden>
<section id="queue-view" aria-labelledby="figures-title">
<h2 id="figures-title" class="section-title">${t('dashboard.figures.title')}</h2>
<div class="figures" id="figures">
<div class="figure"><p class="figure__label">${t('dashboard.figures.open')}</p><p class="figure__value" id="fig-open">–</p><p class="figure__detail" id="fig-open-detail"></p></div>
<div class="figure"><p class="figure__label">${t('dashboard.figures.medianFirstResponse')}</p><p class="figure__value" id="fig-median">–</p><p class="figure__detail" id="fig-median-detail"></p></div>
<div class="figure"><p class="figure__label">${t('dashboard.figures.tasksWaiting')}</p><p class="figure__value" id="fig-tasks">–</p><p class="figure__detail" id="fig-tasks-detail"></p></div>
<div class="figure"><p class="figure__label">${t('dashboard.figures.medianTaskDone')}</p><p class="figure__value" id="fig-task-median">–</p><p class="figure__detail" id="fig-task-median-detail"></p></div>
<div class="figure"><p class="figure__label">${t('dashboard.figures.deflection')}</p><p class="figure__value" id="fig-deflection">–</p><p class="figure__detail" id="fig-deflection-detail"></p></div>
<div class="figure figure--list"><p class="figure__label">${t('dashboard.figures.topFlows')}</p><ol class="top-flows" id="fig-flows"></ol></div>
</div>
<form id="filters" class="filters" aria-label="${t('dashboard.filters.title')}">
<div class="filter"><label for="filter-status">${t('dashboard.filters.status')}</label>
<select id="filter-status" name="status">${option('active', c.t('dashboard.filters.statusActive'), true)}${option('open', c.t('agents.status.open'))}${option('assigned', c.t('agents.status.assigned'))}${option('resolved', c.t('agents.status.resolved'))}${option('all', c.t('dashboard.filters.statusAll'))}</select></div>
<div class="filter"><label for="filter-category">${t('dashboard.filters.category')}</label>
<select id="filter-category" name="category">${option('', c.t('dashboard.filters.categoryAll'), true)}${TICKET_CATEGORIES.map((k) => option(k, c.t(`report.categories.${k}`))).join('')}</select></div>
<div class="filter filter--check"><input type="checkbox" id="filter-mine" name="mine" value="true"> <label for="filter-mine">${t('dashboard.filters.mine')}</label></div>
${orgs.length > 1 ? `<div class="filter"><label for="filter-organisation">${t('dashboard.filters.organisation')}</label>
<select id="filter-organisation" name="organisation">${option('', c.t('dashboard.filters.organisationAll'), true)}${orgs.map((o) => option(o.code, `${o.code} ${o.name}`)).join('')}</select></div>` : ''}
</form>
<h2 class="section-title">${t('dashboard.queue.title')} <span class="count" id="queue-count"></span></h2>
<table class="queue" id="queue">
<thead><tr><th scope="col">${t('dashboard.queue.ref')}</th><th scope="col">${t('dashboard.queue.status')}</th><th scope="col">${t('dashboard.queue.age')}</th><th scope="col">${t('dashboard.queue.category')}</th><th scope="col">${t('dashboard.queue.holder')}</th><th scope="col">${t('dashboard.queue.requester')}</th></tr></thead>
<tbody id="queue-body"></tbody>
</table>
<p id="queue-empty" class="empty" hidden>${t('dashboard.queue.empty')}</p>
<p id="queue-truncated" class="hint" hidden></p>
<section id="trends" class="trends" aria-labelledby="trends-title">
<h2 id="trends-title" class="section-title">${t('dashboard.trends.title')}</h2>
<p class="hint">${t('dashboard.trends.intro')}</p>
<figure class="trend" id="trend-daily">
<figcaption class="trend__title">${t('dashboard.trends.dailyTitle')}</figcaption>
<div class="trend__chart" id="trend-daily-chart"></div>
<details class="trend__details"><summary>${t('dashboard.trends.showTable')}</summary>
<table class="queue trend__table" id="trend-daily-table"><caption>${t('dashboard.trends.dailyCaption')}</caption>
<thead><tr><th scope="col">${t('dashboard.trends.date')}</th><th scope="col">${t('dashboard.trends.opened')}</th><th scope="col">${t('dashboard.trends.resolved')}</th></tr></thead><tbody></tbody></table>
</details>
</figure>
<figure class="trend" id="trend-weekly">
<figcaption class="trend__title">${t('dashboard.trends.weeklyTitle')}</figcaption>
<div class="trend__chart" id="trend-weekly-chart"></div>
<details class="trend__details"><summary>${t('dashboard.trends.showTable')}</summary>
<table class="queue trend__table" id="trend-weekly-table"><caption>${t('dashboard.trends.weeklyCaption')}</caption>
<thead><tr><th scope="col">${t('dashboard.trends.week')}</th><th scope="col">${t('dashboard.trends.selfServed')}</th><th scope="col">${t('dashboard.trends.tickets')}</th><th scope="col">${t('dashboard.trends.share')}</th></tr></thead><tbody></tbody></table>
</details>
</figure>
</section>
</section>
${deps.unanswered ? `<section id="unanswered-view" aria-labelledby="unanswered-title">
<h2 id="unanswered-title" class="section-title">${t('dashboard.unanswered.title')} <span class="count" id="unanswered-count"></span></h2>
<p class="hint">${t('dashboard.unanswered.intro')}</p>
<table class="queue" id="unanswered">
<thead><tr><th scope="col">${t('dashboard.unanswered.asked')}</th><th scope="col">${t('dashboard.unanswered.example')}</th><th scope="col">${t('dashboard.unanswered.addTo')}</th></tr></thead>
<tbody id="unanswered-body"></tbody>
</table>
<p id="unanswered-empty" class="empty" hidden>${t('dashboard.unanswered.empty')}</p>
<p id="unanswered-notice" class="hint" role="status" aria-live="polite"></p>
</section>` : ''}
<section id="ticket-view" aria-live="polite" hidden></section>
</div>
</main>`,
    );

  const configurePage = () =>
    shell(
      'configure',
      c.t('dashboard.configure.title'),
      `<main id="main" class="dash-main dash-main--narrow">
<h1>${t('dashboard.configure.title')}</h1>
<p>${t('dashboard.configure.intro')}</p>
<div id="notice" class="notice" role="status" aria-live="polite">${t('dashboard.connecting')}</div>
</main>`,
    );

  return (server: Server): void => {
    addStaticFiles(server, ['dashboard.css', 'dashboard.js']);
    const teamsJs = teamsJsBundle();
    server.get('/static/teams-js.js', async (_req: Request, res: Response) => {
      res.writeHead(200, { 'Content-Type': 'text/javascript; charset=utf-8', 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff', 'Content-Length': teamsJs.length });
      res.end(teamsJs);
      return Promise.resolve();
    });

    server.get('/dashboard', async (_req: Request, res: Response) => {
      sendPage(res, queuePage());
      return Promise.resolve();
    });
    server.get('/dashboard/configure', async (_req: Request, res: Response) => {
      sendPage(res, configurePage());
      return Promise.resolve();
    });

    server.get('/api/dashboard/summary', async (req: Request, res: Response) => {
      const agent = await signedIn(req, res);
      if (!agent) return;
      const query = trendsQuery.safeParse(req.query ?? {});
      const organisation = query.success ? query.data.organisation : undefined;
      const byOrg = organisationFilter(organisation);
      const now = deps.clock.now();
      const stats = await deps.tickets.stats({ now, ...(organisation ? { filter: byOrg } : {}) });
      const until = now.toISOString();
      const usage = summariseUsage((await deps.usage.since(stats.weekStart)).filter((e) => e.at <= until && (organisation === undefined || (e.organisationCode ?? orgs[0]?.code) === organisation)));
      const raised = (await deps.tickets.list({ from: new Date(stats.weekStart), ...byOrg })).filter((tk) => tk.createdAt <= until).length;
      sendJson(res, 200, { now: until, agent: { name: agent.name, dev: agent.dev }, figures: figures(c, stats, usage, raised) });
    });

    if (deps.unanswered) {
      unansweredRoutes(server, deps.unanswered, {
        signedIn,
        sendJson,
        weekStart: async () => (await deps.tickets.stats({ now: deps.clock.now() })).weekStart,
        now: () => deps.clock.now(),
        content: c,
      });
    }

    server.get('/api/dashboard/tickets', async (req: Request, res: Response) => {
      const agent = await signedIn(req, res);
      if (!agent) return;
      const query = queueQuery.safeParse(req.query ?? {});
      if (!query.success) {
        const issue = query.error.issues[0];
        sendJson(res, 400, { error: 'bad_filter', message: `${issue?.path.join('.') || 'query'}: ${issue?.message ?? 'is not valid'}` });
        return;
      }
      const { status, category, mine, organisation } = query.data;
      const filter: ListFilter = { ...organisationFilter(organisation) };
      if (status === 'active') filter.status = ['open', 'assigned'];
      else if (status !== 'all') filter.status = status;
      if (category) filter.category = category;
      if (mine) filter.holderId = agent.id;
      const now = deps.clock.now();
      const all = (await deps.tickets.list(filter)).sort(
        (a, b) => STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (a.status === 'resolved' ? b.createdAt.localeCompare(a.createdAt) : a.createdAt.localeCompare(b.createdAt)),
      );
      sendJson(res, 200, { now: now.toISOString(), total: all.length, tickets: all.slice(0, MAX_ROWS).map((tk) => ticketRow(tk, now, agent.id)) });
    });

    server.get('/api/dashboard/trends', async (req: Request, res: Response) => {
      const agent = await signedIn(req, res);
      if (!agent) return;
      const query = trendsQuery.safeParse(req.query ?? {});
      if (!query.success) {
        sendJson(res, 400, { error: 'bad_filter', message: `organisation: ${query.error.issues[0]?.message ?? 'is not valid'}` });
        return;
      }
      const { organisation } = query.data;
      const now = deps.clock.now();
      const timeZone = orgs.find((o) => o.code === organisation)?.timeZone ?? orgs[0]?.timeZone ?? 'Europe/London';
      const fallback = orgs[0]?.code;
      const usage = (await deps.usage.since(trendsStart(now, timeZone).toISOString())).filter((e) => organisation === undefined || (e.organisationCode ?? fallback) === organisation);
      const tickets = await deps.tickets.list(organisationFilter(organisation));
      sendJson(res, 200, { now: now.toISOString(), ...(organisation ? { organisation } : {}), trends: ticketTrends({ tickets, usage, now, timeZone }) });
    });

    server.get('/api/dashboard/tickets/:id', async (req: Request, res: Response) => {
      const agent = await signedIn(req, res);
      if (!agent) return;
      const id = ticketId(req);
      const ticket = id === undefined ? undefined : await deps.tickets.get(id);
      if (!ticket) {
        sendJson(res, 404, { error: 'not_found', message: 'No such ticket.' });
        return;
      }
      sendJson(res, 200, { now: deps.clock.now().toISOString(), ticket: ticketDetail(c, ticket, deps.clock.now(), agent.id, screenshotLink(ticket)) });
    });

    server.post('/api/dashboard/tickets/:id/actions', async (req: Request, res: Response) => {
      const agent = await signedIn(req, res);
      if (!agent) return;
      // JSON only: a form on another site cannot send it without a CORS preflight we never grant.
      if (!req.is('json')) {
        sendJson(res, 415, { error: 'json_only', message: 'Send {"verb": …} as application/json.' });
        return;
      }
      const body = actionBody.safeParse(req.body);
      if (!body.success) {
        sendJson(res, 400, { error: 'bad_verb', message: `verb should be one of ${DASHBOARD_VERBS.join(', ')}` });
        return;
      }
      const id = ticketId(req);
      const before = id === undefined ? undefined : await deps.tickets.get(id);
      if (!before || id === undefined) {
        sendJson(res, 404, { error: 'not_found', message: 'No such ticket.' });
        return;
      }
      const { verb, reason } = body.data;
      const who: Agent = { id: agent.id, name: agent.name };
      let outcome: Awaited<ReturnType<DashboardDesk['act']>>;
      try {
        outcome = await deps.desk.act(verb, id, who, 'dashboard', reason !== undefined ? { reason } : {});
      } catch (error) {
        if (!isTicketError(error, 'invalid_transition') && !isTicketError(error, 'conflict')) throw error;
        const fresh = await deps.tickets.get(id);
        sendJson(res, 409, { ok: false, message: c.t('dashboard.actions.failed', { reason: error.message }), ...(fresh ? { ticket: ticketDetail(c, fresh, deps.clock.now(), agent.id, screenshotLink(fresh)) } : {}) });
        return;
      }
      const after = outcome.ticket;
      if (!after) {
        sendJson(res, 404, { error: 'not_found', message: 'No such ticket.' });
        return;
      }
      const detail = ticketDetail(c, after, deps.clock.now(), agent.id, screenshotLink(after));
      if (!outcome.ok) {
        // Lost a race (someone else holds it), or the ticket is resolved: say so, with the ticket as it is now.
        const message = outcome.message ?? (after.status === 'resolved' ? c.t('dashboard.actions.resolvedFirst', { ref: after.ref }) : c.t('dashboard.actions.failed', { reason: after.status }));
        sendJson(res, 409, { ok: false, message, holder: after.assignee?.name ?? null, ticket: detail });
        return;
      }
      sendJson(res, 200, { ok: true, message: c.t(`dashboard.actions.${verb}`, { ref: after.ref, name: after.requester.name }), ticket: detail });
    });
  };
}

// teams-js's own UMD bundle (it sets window.microsoftTeams), without its source map comment.
function teamsJsBundle(): Buffer {
  const file = createRequire(import.meta.url).resolve('@microsoft/teams-js');
  return Buffer.from(readFileSync(file, 'utf8').replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n'), 'utf8');
}
