// `npx tsx scripts/eval-understanding-split.ts [-- --locale cy-GB]`: the honest figure for the learned classifier.
// It trains only on the even lines of the language's development files (the _comment is line 1) and scores the
// odd lines, with retrieval alone and with the classifier, overall and for the freshest files (written blind
// most recently, so the best guide to new text), and times the index build with and without the classifier. The
// shipped content/examples.<locale>.jsonl is not scored (it holds the odd lines too); only its build is timed.
import { loadContent } from '../content/content.js';
import { loadFaq } from '../content/faq.js';
import { outcomeOf } from '../understanding/classify.js';
import { evaluate, type EvalReport } from '../understanding/evaluate.js';
import { understandingSource } from '../understanding/source.js';
import { CONTROL_INTENTS, Understander, type UnderstandingSource } from '../understanding/understander.js';
import { readDevelopmentLines, type DevelopmentLine } from './developmentFiles.js';

const args = process.argv.slice(2);
const locale = args.includes('--locale') ? args[args.indexOf('--locale') + 1]! : 'en-GB';
const FRESH: Record<string, string[]> = { 'en-GB': ['dev7', 'dev8', 'retired-heldout10', 'retired-heldout11'], 'cy-GB': ['tuning3', 'retired-heldout4', 'retired-heldout5'] };
const fresh = FRESH[locale] ?? [];
const lines = await readDevelopmentLines(locale);
const even = lines.filter((l) => l.line % 2 === 0);
const odd = lines.filter((l) => l.line % 2 === 1);
const { examples: shipped, ...source } = understandingSource(await loadContent({ locale }), await loadFaq(locale));
const examples = even.filter((l) => !(CONTROL_INTENTS as readonly string[]).includes(l.expect[0]!)).map((l) => ({ text: l.text, label: l.expect[0]! }));

/**
 * Each source built a few times in turn after warming the JIT, as the bench does, keeping each one's fastest: the
 * machine is shared, and taking turns puts a busy moment on all of them alike.
 */
function timedBuilds(sources: UnderstandingSource[]): Array<{ understander: Understander; ms: number }> {
  for (let i = 0; i < 3; i++) for (const s of sources) new Understander(s);
  const out = sources.map((s) => ({ understander: new Understander(s), ms: Infinity }));
  for (let round = 0; round < 7; round++) {
    sources.forEach((s, k) => {
      const started = performance.now();
      new Understander(s);
      out[k]!.ms = Math.min(out[k]!.ms, performance.now() - started);
    });
  }
  return out;
}
// The last is what the bot builds at start-up, with every development line (content/examples.<locale>.jsonl).
const [retrieval, learned, asShipped] = timedBuilds([source, { ...source, examples }, ...(shipped ? [{ ...source, examples: shipped }] : [])]);
const shippedNote = asShipped && shipped ? ` and ${asShipped.ms.toFixed(0)} ms with the shipped ${shipped.length} examples` : '';

const pct = (n: number, r: EvalReport) => `${((100 * n) / r.total).toFixed(1)}%`;
const line = (r: EvalReport) => `${String(r.total).padStart(4)}  right ${pct(r.right, r)} (${r.rightAfterQuestion} after a question)  wrong ${pct(r.wrong, r)}  not understood ${pct(r.notUnderstood, r)}`;
const score = (u: Understander, set: DevelopmentLine[]) => evaluate(set, (text) => outcomeOf(u, text));
process.stdout.write(`${locale}: trained on ${examples.length} even lines; built in ${retrieval!.ms.toFixed(0)} ms with retrieval alone, ${learned!.ms.toFixed(0)} ms with the classifier${shippedNote}\n`);
for (const [name, set] of [['odd lines, all files', odd], ['odd lines, fresh files', odd.filter((l) => fresh.includes(l.file))], ...fresh.map((f) => [`odd lines, ${f}`, odd.filter((l) => l.file === f)] as const)] as Array<[string, DevelopmentLine[]]>) {
  process.stdout.write(`${name}\n  retrieval alone       ${line(score(retrieval!.understander, set))}\n  with the classifier   ${line(score(learned!.understander, set))}\n`);
}
