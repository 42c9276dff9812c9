// The pages that emailed links open: /reset (choose a new password) and /unlock. A GET only shows a
// form, so mail scanners that follow links cannot use a token up; the POST does the work. Failed token
// attempts are limited per visitor. Served only by the simulated ESR, so every page says it is a training copy.
import type { Request, Response, Server } from 'restify';
import { withOrganisationValues, type Content, type ScopedValues } from '../content/content.js';
import { languageOfParam, languageParam, type Language, type PerLanguage } from '../content/language.js';
import { describeFailure } from '../content/passwordMessages.js';
import { normalisePassword } from '../esr/passwordPolicy.js';
import type { Clock } from '../core/clock.js';
import { isEsrError } from '../esr/errors.js';
import type { EsrService, TokenCheck } from '../esr/esrService.js';
import type { PolicyFailure, PolicyRule } from '../esr/passwordPolicy.js';
import type { Limit, RateLimiter } from '../esr/rateLimiter.js';
import type { TrustProxy } from './clientAddress.js';
import { addStaticFiles, clientId, escapeHtml, formField, queryField, sendHtml } from './http.js';
import { messagePage, page, type PageError, type PageNotice } from './layout.js';

export interface ResetPagesDeps {
  esr: EsrService;
  /** The words per language (the link says which: `&lang=cy`), or one Content for every page. */
  content: PerLanguage<Content> | Content;
  /** The language of a page whose link names none. */
  orgDefault?: Language;
  clock: Clock;
  limiter: RateLimiter;
  /** Failed token attempts allowed per visitor in the window. */
  tokenLimit: Limit;
  trustProxy: TrustProxy;
  resetLinkHours: number;
  /** The {placeholder} values (Trust name, contacts; per language) of a username's organisation. */
  organisationOf?: (username: string) => ScopedValues;
}

// Which of the four rules shown beside the fields each failure belongs to.
const RULE_INDEX: Record<PolicyRule, number> = { too_short: 0, too_long: 0, common: 1, reused: 2, personal: 3, predictable: 3 };

interface FormState {
  token: string;
  username?: string;
  errors?: PageError[];
  passwordErrors?: string[];
  failedRules?: Set<number>;
}

export function resetPages(deps: ResetPagesDeps) {
  const contents: PerLanguage<Content> = 'en-GB' in deps.content ? deps.content : { 'en-GB': deps.content, 'cy-GB': deps.content };
  const views: PerLanguage<ReturnType<typeof pageViews>> = { 'en-GB': pageViews(deps, contents['en-GB'], 'en-GB'), 'cy-GB': pageViews(deps, contents['cy-GB'], 'cy-GB') };
  // The page speaks the language its link carries (and its forms carry it on), else the organisation's default.
  const viewsFor = (req: Request) => views[languageOfParam(queryField(req, 'lang') || formField(req, 'lang')) ?? deps.orgDefault ?? 'en-GB'];

  const limitKey = (req: Request) => `web-token:${clientId(req, deps.trustProxy)}`;
  const blocked = (req: Request) => deps.limiter.isBlocked(limitKey(req), deps.tokenLimit, deps.clock.now());
  const failed = (req: Request) => deps.limiter.allow(limitKey(req), deps.tokenLimit, deps.clock.now());

  // Each page in the words of the link owner's organisation (its Trust's name and contacts).
  type Handler = (req: Request, res: Response) => Promise<void>;
  const inOrganisation = (tokenOf: (req: Request) => string, handler: Handler): Handler => async (req, res) => {
    const username = deps.organisationOf ? await deps.esr.tokenOwner(tokenOf(req)) : undefined;
    return username ? withOrganisationValues(deps.organisationOf!(username), () => handler(req, res)) : handler(req, res);
  };
  const fromQuery = (req: Request) => queryField(req, 'token');
  const fromForm = (req: Request) => formField(req, 'token');

  return (server: Server): void => {
    addStaticFiles(server, ['reset.js']);

    server.get('/reset', inOrganisation(fromQuery, async (req: Request, res: Response) => {
      const { tooMany, linkProblem, resetForm } = viewsFor(req);
      if (await blocked(req)) return tooMany(res);
      const token = queryField(req, 'token');
      const check = await deps.esr.inspectToken(token);
      if (!check.ok || check.purpose !== 'reset') {
        await failed(req);
        return linkProblem(res, check.ok ? 'token_invalid' : check.code);
      }
      sendHtml(res, 200, resetForm({ token }));
    }));

    server.post('/reset', inOrganisation(fromForm, async (req: Request, res: Response) => {
      const { c, language, tooMany, linkProblem, resetForm, donePage, rules } = viewsFor(req);
      if (await blocked(req)) return tooMany(res);
      const token = formField(req, 'token');
      const username = formField(req, 'username').trim();
      const password = formField(req, 'password');
      const confirm = formField(req, 'confirm');
      const check = await deps.esr.inspectToken(token);
      if (!check.ok || check.purpose !== 'reset') {
        await failed(req);
        return linkProblem(res, check.ok ? 'token_invalid' : check.code);
      }
      // Every problem at once, in the order of the fields: a blank username must not hide the password's.
      const review = await deps.esr.reviewReset({ token, username, password });
      if (!review) return linkProblem(res, 'token_invalid');
      const errors: PageError[] = [];
      if (!username) errors.push({ field: 'username', message: c.t('web.reset.usernameRequired') });
      else if (!review.usernameMatches) {
        await failed(req);
        errors.push({ field: 'username', message: c.t('web.reset.usernameMismatch') });
      }
      if (!password) errors.push({ field: 'password', message: c.t('web.reset.passwordRequired') });
      errors.push(...review.failures.map((f) => ({ field: 'password', message: describeFailure(c, f) })));
      if (!confirm) errors.push({ field: 'confirm', message: c.t('web.reset.confirmRequired') });
      else if (password && normalisePassword(password) !== normalisePassword(confirm)) errors.push({ field: 'confirm', message: c.t('web.reset.mismatch') });
      if (errors.length > 0) return sendHtml(res, 400, resetForm({ token, username, errors, failedRules: new Set(review.failures.map((f) => RULE_INDEX[f.rule])) }));
      try {
        const account = await deps.esr.resetPasswordWithToken({ token, username, password, confirmPassword: confirm, actor: { kind: 'anonymous', id: clientId(req, deps.trustProxy) }, channel: 'web', language });
        sendHtml(res, 200, donePage(c.t('web.reset.doneTitle'), c.t('web.reset.done', { username: account.record.username }), [c.t('web.reset.doneNext')]));
      } catch (error) {
        if (isEsrError(error, 'token_username_mismatch')) {
          await failed(req);
          return sendHtml(res, 400, resetForm({ token, username, errors: [{ field: 'username', message: c.t('web.reset.usernameMismatch') }] }));
        }
        if (isEsrError(error, 'password_mismatch')) return sendHtml(res, 400, resetForm({ token, username, errors: [{ field: 'confirm', message: c.t('web.reset.mismatch') }] }));
        if (isEsrError(error, 'password_policy') || isEsrError(error, 'invalid_input')) {
          const failures: PolicyFailure[] = isEsrError(error, 'password_policy') ? error.failures : [{ rule: 'too_long', max: rules().maxLength, length: [...password].length }];
          const messages = failures.map((f) => describeFailure(c, f));
          return sendHtml(
            res,
            400,
            resetForm({
              token,
              username,
              errors: messages.map((message) => ({ field: 'password', message })),
              failedRules: new Set(failures.map((f) => RULE_INDEX[f.rule])),
            }),
          );
        }
        if (isEsrError(error, 'token_used') || isEsrError(error, 'token_expired') || isEsrError(error, 'token_invalid')) {
          await failed(req);
          return linkProblem(res, error.code as 'token_used');
        }
        throw error;
      }
    }));

    server.get('/unlock', inOrganisation(fromQuery, async (req: Request, res: Response) => {
      const { tooMany, linkProblem, unlockForm } = viewsFor(req);
      if (await blocked(req)) return tooMany(res);
      const token = queryField(req, 'token');
      const check = await deps.esr.inspectToken(token);
      if (!check.ok || check.purpose !== 'unlock') {
        await failed(req);
        return linkProblem(res, check.ok ? 'token_invalid' : check.code);
      }
      sendHtml(res, 200, unlockForm(token));
    }));

    server.post('/unlock', inOrganisation(fromForm, async (req: Request, res: Response) => {
      const { c, language, tooMany, linkProblem, donePage } = viewsFor(req);
      if (await blocked(req)) return tooMany(res);
      try {
        const { account, resetToken } = await deps.esr.unlockWithToken({ token: formField(req, 'token'), actor: { kind: 'anonymous', id: clientId(req, deps.trustProxy) }, channel: 'web', language });
        sendHtml(
          res,
          200,
          donePage(c.t('web.unlock.doneTitle'), c.t('web.unlock.done', { username: account.record.username }), [
            c.t('web.unlock.realNext'),
            { html: `<p><a class="button button--secondary" href="/reset?token=${encodeURIComponent(resetToken)}${language === 'en-GB' ? '' : `&amp;lang=${languageParam(language)}`}">${escapeHtml(c.t('web.unlock.newPassword'))}</a></p>` },
            c.t('web.unlock.newPasswordHint', { hours: deps.resetLinkHours }),
          ]),
        );
      } catch (error) {
        if (isEsrError(error, 'token_used') || isEsrError(error, 'token_expired') || isEsrError(error, 'token_invalid')) {
          await failed(req);
          return linkProblem(res, error.code as 'token_used');
        }
        throw error;
      }
    }));
  };
}

/** The pages in one language. */
function pageViews(deps: ResetPagesDeps, c: Content, language: Language) {
  const langField = language === 'en-GB' ? '' : `<input type="hidden" name="lang" value="${languageParam(language)}"/>`;
  const notice: PageNotice = { label: c.t('trainingCopy.label'), text: c.t('trainingCopy.notice') };
  const rules = () => {
    const { minLength, maxLength, historySize } = deps.esr.policy.options;
    return { minLength, maxLength, historySize };
  };

  const linkProblem = (res: Response, code: Exclude<TokenCheck, { ok: true }>['code']) =>
    sendHtml(
      res,
      code === 'token_invalid' ? 400 : 410,
      messagePage(c, c.t('web.link.invalidTitle'), [c.t(`web.link.${code}`, { hours: deps.resetLinkHours }), c.t('web.link.getNew'), c.t('web.link.contact')], notice),
    );

  const tooMany = (res: Response) => {
    res.setHeader('Retry-After', String(Math.ceil(deps.tokenLimit.windowMs / 1000)));
    sendHtml(res, 429, messagePage(c, c.t('web.tooMany.title'), [c.t('web.tooMany.body', { minutes: Math.ceil(deps.tokenLimit.windowMs / 60_000) }), c.t('web.link.contact')], notice));
  };

  // A green confirmation panel, then what to do next (never "log in to the real ESR with it": it is a training copy).
  const donePage = (title: string, done: string, next: Array<string | { html: string }>) =>
    page(c, {
      title,
      notice,
      body: `<div class="panel panel--confirmation"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(done)}</p></div>
<h2>${escapeHtml(c.t('web.reset.nextTitle'))}</h2>
${next.map((p) => (typeof p === 'string' ? `<p>${escapeHtml(p)}</p>` : p.html)).join('\n')}`,
    });

  const resetForm = (state: FormState): string => {
    const errors = state.errors ?? [];
    const ruleTexts = c.list('web.reset.rules', rules());
    const field = (id: string, label: string, input: string, hint?: string) => {
      const messages = errors.filter((e) => e.field === id).map((e) => e.message);
      const describedBy = [hint ? `${id}-hint` : '', messages.length ? `${id}-error` : '', id === 'password' ? 'rules' : ''].filter(Boolean).join(' ');
      return `<div class="form-group${messages.length ? ' form-group--error' : ''}">
  <label class="label" for="${id}">${escapeHtml(label)}</label>
  ${hint ? `<div class="hint" id="${id}-hint">${escapeHtml(hint)}</div>` : ''}
  ${messages.length ? `<div class="error-message" id="${id}-error">${messages.map((m) => `<p><span class="visually-hidden">Error:</span> ${escapeHtml(m)}</p>`).join('')}</div>` : ''}
  ${input.replace('/>', `${describedBy ? ` aria-describedby="${describedBy}"` : ''}${messages.length ? ' aria-invalid="true"' : ''}/>`)}
</div>`;
    };
    const body = `<h1>${escapeHtml(c.t('web.reset.title'))}</h1>
<p>${escapeHtml(c.t('web.reset.intro'))}</p>
<form method="post" action="/reset" novalidate class="reset-form">
<input type="hidden" name="token" value="${escapeHtml(state.token)}"/>${langField}
<div class="reset-layout">
<div class="fields">
${field('username', c.t('web.reset.usernameLabel'), `<input class="input" id="username" name="username" type="text" autocomplete="username" autocapitalize="characters" spellcheck="false" value="${escapeHtml(state.username ?? '')}"/>`, c.t('web.reset.usernameHint'))}
${field('password', c.t('web.reset.passwordLabel'), `<input class="input" id="password" name="password" type="password" autocomplete="new-password" maxlength="1024"/>`, c.t('web.reset.passwordHint', rules()))}
${field('confirm', c.t('web.reset.confirmLabel'), `<input class="input" id="confirm" name="confirm" type="password" autocomplete="new-password" maxlength="1024"/>`)}
<div class="show-passwords" hidden><input type="checkbox" id="show-passwords"/> <label for="show-passwords">${escapeHtml(c.t('web.reset.showPasswords'))}</label></div>
</div>
<aside class="rules" id="rules" aria-labelledby="rules-title">
<h2 id="rules-title">${escapeHtml(c.t('web.reset.rulesTitle'))}</h2>
<ul>
${ruleTexts
  .map((text, i) => {
    const failedRule = state.failedRules?.has(i);
    return `<li data-rule="${i}" class="${failedRule ? 'rule rule--failed' : 'rule'}">${escapeHtml(text)}${failedRule ? ` <span class="visually-hidden">(${escapeHtml(c.t('web.reset.ruleNotMet'))})</span>` : ''}</li>`;
  })
  .join('\n')}
</ul>
<p class="live" aria-live="polite" id="rules-live"></p>
</aside>
<div class="actions"><button class="button" type="submit">${escapeHtml(c.t('web.reset.submit'))}</button></div>
</div>
</form>`;
    return page(c, { title: c.t('web.reset.title'), body, errors, script: true, notice });
  };

  const unlockForm = (token: string) =>
    page(c, {
      notice,
      title: c.t('web.unlock.title'),
      body: `<h1>${escapeHtml(c.t('web.unlock.title'))}</h1>
<p>${escapeHtml(c.t('web.unlock.intro'))}</p>
<form method="post" action="/unlock"><input type="hidden" name="token" value="${escapeHtml(token)}"/>${langField}
<button class="button" type="submit">${escapeHtml(c.t('web.unlock.submit'))}</button></form>`,
    });

  return { c, language, rules, linkProblem, tooMany, donePage, resetForm, unlockForm };
}
