// One plain, accessible layout for every email, with a plain-text twin. All values are escaped.

export interface EmailParts {
  paragraphs: string[];
  /** Call-to-action links, each shown as a button in HTML and as a bare URL in text. */
  links?: Array<{ label: string; url: string }>;
  /** Small print under the links. */
  notes?: string[];
  footer: string;
  /** A boxed warning above everything else (the training-copy notice): a bold label, then the words. */
  notice?: { label: string; text: string };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[ch]!);
}

export function renderEmail(subject: string, parts: EmailParts, lang = 'en-GB'): { html: string; text: string } {
  return { html: page(subject, lang, `<div role="article" aria-label="${escapeHtml(subject)}" style="${ARTICLE_STYLE}">\n${inner(parts)}\n</div>`), text: plain(parts) };
}

/**
 * One email in two languages, for someone whose language is not known: each version whole, in the order given
 * (the organisation's default first), with a line in both languages saying so, and both subjects.
 */
export function renderBilingualEmail(versions: Array<{ lang: string; subject: string; parts: EmailParts }>, note: string): { subject: string; html: string; text: string } {
  const subject = versions.map((v) => v.subject).join(' / ');
  const articles = versions.map((v) => `<div role="article" lang="${escapeHtml(v.lang)}" aria-label="${escapeHtml(v.subject)}" style="${ARTICLE_STYLE}">\n${inner(v.parts)}\n</div>`);
  const html = page(subject, versions[0]?.lang ?? 'en-GB', `<p style="max-width:600px;margin:0 auto 16px;font-size:14px;color:#4c6272">${escapeHtml(note)}</p>\n${articles.join('\n<div style="height:24px"></div>\n')}`);
  const text = [note, ...versions.map((v) => plain(v.parts))].join('\n\n==========\n\n');
  return { subject, html, text };
}

const ARTICLE_STYLE = 'max-width:600px;margin:0 auto;background:#ffffff;padding:24px;border-top:6px solid #005eb8';

function plain(parts: EmailParts): string {
  const links = parts.links ?? [];
  const notes = parts.notes ?? [];
  const notice = parts.notice;
  return [
    ...(notice ? [`${notice.label.toUpperCase()}: ${notice.text}`] : []),
    ...parts.paragraphs,
    ...links.map((l) => `${l.label}:\n${l.url}`),
    ...notes,
    '--',
    parts.footer,
  ].join('\n\n');
}

function page(title: string, lang: string, body: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(lang)}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head>
<body style="margin:0;padding:24px;background:#f0f4f5;font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.5;color:#212b32">
${body}
</body></html>`;
}

function inner(parts: EmailParts): string {
  const links = parts.links ?? [];
  const notes = parts.notes ?? [];
  const notice = parts.notice;
  // Line breaks inside a paragraph (a list of facts, a transcript) stay line breaks in HTML.
  const p = (t: string, style = '') => `<p style="margin:0 0 16px;${style}">${escapeHtml(t).replace(/\n/g, '<br>')}</p>`;
  return `${notice ? `<div role="note" style="margin:0 0 16px;padding:12px 16px;background:#fff9c4;border-left:6px solid #ffb81c;color:#212b32"><p style="margin:0 0 4px;font-weight:bold">${escapeHtml(notice.label)}</p><p style="margin:0">${escapeHtml(notice.text)}</p></div>` : ''}
${parts.paragraphs.map((t) => p(t)).join('\n')}
${links
  .map(
    (l) =>
      `<p style="margin:0 0 16px"><a href="${escapeHtml(l.url)}" style="display:inline-block;background:#007f3b;color:#ffffff;padding:12px 16px;text-decoration:none;font-weight:bold;border-radius:4px">${escapeHtml(l.label)}</a><br><span style="font-size:14px;color:#4c6272;word-break:break-all">${escapeHtml(l.url)}</span></p>`,
  )
  .join('\n')}
${notes.map((t) => p(t, 'font-size:14px;color:#4c6272')).join('\n')}
<hr style="border:0;border-top:1px solid #d8dde0;margin:24px 0">
${p(parts.footer, 'font-size:14px;color:#4c6272')}`;
}
