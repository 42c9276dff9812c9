// /about, /privacy and /terms: the pages a Teams app package links to, in the Trust's words from the
// content file (override them in DATA_DIR/content/en-GB.json like any other text). With several organisations,
// `?organisation=242` shows one organisation's Trust name and contacts (otherwise the first organisation's).
import type { Request, Response, Server } from 'restify';
import type { Content, ListKey, Params, TextKey } from '../content/content.js';
import { languageOfParam, type Language, type PerLanguage } from '../content/language.js';
import { addStaticFiles, queryField, sendHtml } from './http.js';
import { messagePage } from './layout.js';

const PAGES = ['about', 'privacy', 'terms'] as const;

export function infoPages(deps: {
  content: PerLanguage<Content> | Content;
  orgDefault?: Language;
  retentionDays: number;
  guided?: boolean;
  /** An organisation's {placeholder} values in a language, and its default language; undefined: not one served. */
  organisation?: (code: string) => { values: (language: Language) => Params; defaultLanguage: Language } | undefined;
}) {
  return (server: Server): void => {
    // The pages' stylesheet lives here, not with the reset pages: those are not served in every ESR mode.
    addStaticFiles(server, ['esr-helpdesk.css']);
    for (const name of PAGES) {
      server.get(`/${name}`, async (req: Request, res: Response) => {
        const org = deps.organisation?.(queryField(req, 'organisation'));
        // In the language the link asks for (`?lang=cy`), else the organisation's default.
        const language = languageOfParam(queryField(req, 'lang')) ?? org?.defaultLanguage ?? deps.orgDefault ?? 'en-GB';
        const base = 'en-GB' in deps.content ? deps.content[language] : deps.content;
        const c = org ? base.withGlobals(org.values(language)) : base;
        const params = { retentionDays: deps.retentionDays };
        // In guided and automation modes the bot holds no ESR password and sends no links: the privacy
        // notice and terms say so, rather than describe the training copy's password store.
        const body = deps.guided && name !== 'about' ? `${name}Guided` : name;
        sendHtml(res, 200, messagePage(c, c.t(`pages.${name}.title` as TextKey), c.list(`pages.${body}.paragraphs` as ListKey, params)));
        return Promise.resolve();
      });
    }
  };
}
