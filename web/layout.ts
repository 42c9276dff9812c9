// The page shell shared by the reset and unlock pages: NHS-style header, skip link, one column that
// reads well on a phone, and the error summary pattern (focused and announced when there are errors).
import type { Content } from '../content/content.js';
import { escapeHtml } from './http.js';

export interface PageError {
  /** The id of the field the error belongs to, for the summary's link. */
  field: string;
  message: string;
}

/** A boxed warning at the top of the page (the training-copy notice): a bold label, then the words. */
export interface PageNotice {
  label: string;
  text: string;
}

export function page(c: Content, options: { title: string; body: string; errors?: PageError[]; script?: boolean; notice?: PageNotice }): string {
  const errors = options.errors ?? [];
  const title = `${errors.length > 0 ? 'Error: ' : ''}${options.title} – ${c.t('web.serviceName')}`;
  const summary =
    errors.length === 0
      ? ''
      : `<div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1" data-autofocus>
  <h2 id="error-summary-title">${escapeHtml(c.t('web.errorSummaryTitle'))}</h2>
  <ul>${errors.map((e) => `<li><a href="#${escapeHtml(e.field)}">${escapeHtml(e.message)}</a></li>`).join('')}</ul>
</div>`;
  const notice = options.notice
    ? `<div class="notice" role="note" aria-labelledby="notice-label"><p class="notice__label" id="notice-label"><strong>${escapeHtml(options.notice.label)}</strong></p><p>${escapeHtml(options.notice.text)}</p></div>`
    : '';
  return `<!doctype html>
<html lang="${c.locale === 'cy-GB' ? 'cy' : 'en-GB'}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)}</title>
<link rel="stylesheet" href="/static/esr-helpdesk.css">
${options.script ? '<script src="/static/reset.js" defer></script>' : ''}
</head>
<body>
<a class="skip-link" href="#main">${escapeHtml(c.t('web.skipLink'))}</a>
<header class="header"><div class="container"><span class="service">${escapeHtml(c.t('web.serviceName'))}</span> <span class="org">${escapeHtml(c.t('web.orgLine'))}</span></div></header>
<main id="main" class="container" tabindex="-1">
${notice}
${summary}
${options.body}
</main>
</body>
</html>`;
}

/** A simple page: a heading and paragraphs (already-escaped HTML allowed via `html`). */
export function messagePage(c: Content, title: string, paragraphs: Array<string | { html: string }>, notice?: PageNotice): string {
  const body = `<h1>${escapeHtml(title)}</h1>\n${paragraphs.map((p) => (typeof p === 'string' ? `<p>${escapeHtml(p)}</p>` : p.html)).join('\n')}`;
  return page(c, { title, body, ...(notice ? { notice } : {}) });
}
