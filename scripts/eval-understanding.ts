// `npm run eval:understanding [-- file.jsonl ...]`: right, wrong and not understood for each file (by default the
// held-out file, the tuning file and the development file), with the confusion pairs. Only the tuning and
// development files' misses are listed word for word: the held-out file measures, and is never tuned on.
// `-- --no-heldout` leaves the held-out file out (for tuning runs).
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
const defaults = ['tuning', 'dev'].map((name) => join(root, `test/understanding/${name}.en-GB.jsonl`));
const targets = files.length > 0 ? files : withHeldout ? [join(root, 'test/understanding/heldout.en-GB.jsonl'), ...defaults] : defaults;

const content = await loadContent({ locale: 'en-GB' });
const faq = await loadFaq('en-GB');
const understander = new Understander(understandingSource(content, faq));
const classify = (text: string): Outcome => outcomeOf(understander, text);

for (const file of targets) {
  const report = evaluate(await readCases(file), classify);
  process.stdout.write(`${formatReport(basename(file), report, !basename(file).startsWith('heldout'))}\n\n`);
}
