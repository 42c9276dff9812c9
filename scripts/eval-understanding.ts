// `npm run eval:understanding [-- file.jsonl ...]`: right, wrong and not understood for each file (by default the
// held-out file, the tuning file and the development file, English and Welsh), with the confusion pairs. Only the
// tuning and development files' misses are listed word for word: the held-out file measures, and is never tuned on.
// `-- --no-heldout` leaves the held-out files out (for tuning runs).
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadContent } from '../content/content.js';
import { loadFaq } from '../content/faq.js';
import { evaluate, formatReport, readCases, type Outcome } from '../understanding/evaluate.js';
import { outcomeOf } from '../understanding/classify.js';
import { understandingSource } from '../understanding/source.js';
import { Understander } from '../understanding/understander.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2).filter((a) => a !== '--');
const files = args.filter((a) => !a.startsWith('--'));
const withHeldout = !args.includes('--no-heldout');
const defaults = ['tuning.en-GB.jsonl', 'dev.en-GB.jsonl', 'dev2.en-GB.jsonl', 'dev3.en-GB.jsonl', 'retired-heldout.en-GB.jsonl', 'retired-heldout2.en-GB.jsonl', 'retired-heldout3.en-GB.jsonl', 'retired-heldout4.en-GB.jsonl', 'retired-heldout5.en-GB.jsonl', 'retired-heldout6.en-GB.jsonl', 'retired-heldout7.en-GB.jsonl', 'retired-heldout8.en-GB.jsonl', 'dev4.en-GB.jsonl', 'dev5.en-GB.jsonl', 'dev6.en-GB.jsonl', 'retired-heldout9.en-GB.jsonl', 'retired-heldout10.en-GB.jsonl', 'dev7.en-GB.jsonl', 'retired-heldout11.en-GB.jsonl', 'dev8.en-GB.jsonl', 'authored.en-GB.jsonl', 'tuning.cy-GB.jsonl', 'tuning2.cy-GB.jsonl', 'tuning3.cy-GB.jsonl', 'retired-heldout.cy-GB.jsonl', 'retired-heldout2.cy-GB.jsonl', 'retired-heldout3.cy-GB.jsonl', 'retired-heldout4.cy-GB.jsonl', 'retired-heldout5.cy-GB.jsonl'].map((f) => join(root, 'test/understanding', f));
const heldout = ['heldout.en-GB.jsonl', 'heldout2.en-GB.jsonl', 'heldout.cy-GB.jsonl'].map((f) => join(root, 'test/understanding', f));
const targets = files.length > 0 ? files : withHeldout ? [...heldout, ...defaults] : defaults;

// Each file is read in its own language (by its name: *.cy-GB.jsonl is Welsh), with that language's index.
const understanders = new Map<string, Understander>();
async function understanderFor(locale: string): Promise<Understander> {
  const known = understanders.get(locale);
  if (known) return known;
  const u = new Understander(understandingSource(await loadContent({ locale }), await loadFaq(locale)));
  understanders.set(locale, u);
  return u;
}

for (const file of targets) {
  const locale = /\.cy-GB\./.test(basename(file)) ? 'cy-GB' : 'en-GB';
  const understander = await understanderFor(locale);
  const classify = (text: string): Outcome => outcomeOf(understander, text);
  const report = evaluate(await readCases(file), classify);
  process.stdout.write(`${formatReport(basename(file), report, !basename(file).startsWith('heldout'))}\n\n`);
}
