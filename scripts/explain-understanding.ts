// `npx tsx scripts/explain-understanding.ts "text" ...`: what the bot makes of each text, with the top
// candidates' scores and coverage, for whoever tunes the phrase lists and synonyms.
import { join } from 'node:path';
import { loadContent } from '../content/content.js';
import { loadFaq } from '../content/faq.js';
import { understandingSource } from '../understanding/source.js';
import { Understander } from '../understanding/understander.js';

const overrideDir = process.env.DATA_DIR ? join(process.env.DATA_DIR, 'content') : undefined;
const understander = new Understander(understandingSource(await loadContent({ locale: 'en-GB', ...(overrideDir ? { overrideDir } : {}) }), await loadFaq('en-GB', overrideDir)));
for (const text of process.argv.slice(2)) {
  process.stdout.write(`${text}\n  ${JSON.stringify(understander.understand(text))}\n  ${understander
    .rank(text)
    .slice(0, 4)
    .map((c) => `${c.intent} ${c.score.toFixed(2)} (${c.coverage.toFixed(2)})`)
    .join(' | ')}\n`);
}
