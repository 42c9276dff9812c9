// `npx tsx scripts/eval-understanding-split.ts`: the honest figure for the learned classifier. It trains only on
// the even lines of the English development files (the _comment is line 1) and scores the odd lines, with
// retrieval alone and with the classifier, overall and for the freshest files (written blind most recently,
// so the best guide to new text). The shipped content/examples.en-GB.jsonl is not used.
import { loadContent } from '../content/content.js';
import { loadFaq } from '../content/faq.js';
import { outcomeOf } from '../understanding/classify.js';
import { evaluate, type EvalReport } from '../understanding/evaluate.js';
import { understandingSource } from '../understanding/source.js';
import { CONTROL_INTENTS, Understander } from '../understanding/understander.js';
import { readDevelopmentLines, type DevelopmentLine } from './developmentFiles.js';

const FRESH = ['dev4', 'dev5', 'dev6', 'retired-heldout8', 'retired-heldout9'];
const lines = await readDevelopmentLines();
const even = lines.filter((l) => l.line % 2 === 0);
const odd = lines.filter((l) => l.line % 2 === 1);
const { examples: _shipped, ...source } = understandingSource(await loadContent({ locale: 'en-GB' }), await loadFaq('en-GB'));
const examples = even.filter((l) => !(CONTROL_INTENTS as readonly string[]).includes(l.expect[0]!)).map((l) => ({ text: l.text, label: l.expect[0]! }));
const retrieval = new Understander(source);
for (let i = 0; i < 3; i++) new Understander({ ...source, examples }); // warm the JIT, as the bench does
const started = performance.now();
const learned = new Understander({ ...source, examples });
const built = performance.now() - started;

const pct = (n: number, r: EvalReport) => `${((100 * n) / r.total).toFixed(1)}%`;
const line = (r: EvalReport) => `${String(r.total).padStart(4)}  right ${pct(r.right, r)} (${r.rightAfterQuestion} after a question)  wrong ${pct(r.wrong, r)}  not understood ${pct(r.notUnderstood, r)}`;
const score = (u: Understander, set: DevelopmentLine[]) => evaluate(set, (text) => outcomeOf(u, text));
process.stdout.write(`trained on ${examples.length} even lines; built with the classifier in ${built.toFixed(0)} ms\n`);
for (const [name, set] of [['odd lines, all files', odd], ['odd lines, fresh files', odd.filter((l) => FRESH.includes(l.file))], ...FRESH.map((f) => [`odd lines, ${f}`, odd.filter((l) => l.file === f)] as const)] as Array<[string, DevelopmentLine[]]>) {
  process.stdout.write(`${name}\n  retrieval alone       ${line(score(retrieval, set))}\n  with the classifier   ${line(score(learned, set))}\n`);
}
