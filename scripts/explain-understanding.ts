// `npx tsx scripts/explain-understanding.ts [--locale cy-GB] "text" ...`: what the bot makes of each text, with
// the top candidates' scores and coverage and the terms the text becomes, for whoever tunes the phrase lists and
// synonyms (in English unless --locale names another language).
import { join } from 'node:path';
import { loadContent } from '../content/content.js';
import { loadFaq } from '../content/faq.js';
import { understandingSource } from '../understanding/source.js';
import { Understander } from '../understanding/understander.js';

const overrideDir = process.env.DATA_DIR ? join(process.env.DATA_DIR, 'content') : undefined;
const args = process.argv.slice(2);
const at = args.indexOf('--locale');
const locale = at >= 0 ? (args.splice(at, 2)[1] ?? 'en-GB') : 'en-GB';
const understander = new Understander(understandingSource(await loadContent({ locale, ...(overrideDir ? { overrideDir } : {}) }), await loadFaq(locale, overrideDir)));
for (const text of args) {
  process.stdout.write(`${text}\n  terms: ${understander.keyOf(text)}\n  ${JSON.stringify(understander.understand(text))}\n  ${understander
    .rank(text)
    .slice(0, 4)
    .map((c) => `${c.intent} ${c.score.toFixed(2)} (${c.coverage.toFixed(2)})`)
    .join(' | ')}\n`);
}
