// /about, /privacy and /terms: the pages a Teams app package links to, in the Trust's words from the
// content file (override them in DATA_DIR/content/en-GB.json like any other text). With several organisations,
// `?organisation=242` shows one organisation's Trust name and contacts (otherwise the first organisation's).
import type { Request, Response, Server } from 'restify';
import type { Content, ListKey, Params, TextKey } from '../content/content.js';
import { addStaticFiles, queryField, sendHtml } from './http.js';
import { messagePage } from './layout.js';

const PAGES = ['about', 'privacy', 'terms'] as const;

export function infoPages(deps: { content: Content; retentionDays: number; organisationValues?: (code: string) => Params | undefined }) {
  return (server: Server): void => {
    // The pages' stylesheet lives here, not with the reset pages: those are not served in every ESR mode.
    addStaticFiles(server, ['esr-helpdesk.css']);
    for (const name of PAGES) {
      server.get(`/${name}`, async (req: Request, res: Response) => {
        const org = deps.organisationValues?.(queryField(req, 'organisation'));
        const c = org ? deps.content.withGlobals(org) : deps.content;
        const params = { retentionDays: deps.retentionDays };
        sendHtml(res, 200, messagePage(c, c.t(`pages.${name}.title` as TextKey), c.list(`pages.${name}.paragraphs` as ListKey, params)));
        return Promise.resolve();
      });
    }
  };
}
