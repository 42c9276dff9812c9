// `npm run content:check [-- --data-dir DIR]`: every language's content files against en-GB.json and
// faq.en-GB.json, listing each missing key, unknown key and bad placeholder (the shipped files, then any
// overrides in DATA_DIR/content). Exits 1 when anything needs fixing; start-up refuses the same files.
import { join, resolve } from 'node:path';
import { contentProblems, loadContent, readJson, SHIPPED_DIR } from '../content/content.js';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { exampleProblems, examplesFile } from '../content/examples.js';
import { faqProblems, loadFaq } from '../content/faq.js';
import { LANGUAGES } from '../content/language.js';
import { phrasesTooBroad, understandingSource } from '../understanding/source.js';
import { PHRASE_EXPANSION_LIMIT } from '../understanding/text.js';

const args = process.argv.slice(2);
const dirArg = args.indexOf('--data-dir');
const dataDir = resolve(dirArg >= 0 ? args[dirArg + 1]! : (process.env.DATA_DIR ?? './data'));
const overrideDir = join(dataDir, 'content');

let failed = false;
const report = (file: string, problems: string[]) => {
  if (problems.length === 0) return void process.stdout.write(`ok       ${file}\n`);
  failed = true;
  process.stdout.write(`PROBLEMS ${file} (${problems.length}):\n${problems.map((p) => `  - ${p}`).join('\n')}\n`);
};

const reference = await readJson(join(SHIPPED_DIR, 'en-GB.json'), true);
for (const language of LANGUAGES) {
  const shipped = join(SHIPPED_DIR, `${language}.json`);
  const shippedText = await readJson(shipped, true);
  report(shipped, language === 'en-GB' ? [] : contentProblems(reference, shippedText, true));
  const override = join(overrideDir, `${language}.json`);
  const overrideText = await readJson(override, false);
  if (overrideText !== undefined) report(override, contentProblems(reference, overrideText, false));
  try {
    const english = await loadFaq('en-GB');
    const faq = await loadFaq(language === 'en-GB' ? 'en-GB' : language);
    report(join(SHIPPED_DIR, `faq.${language}.json`), faqProblems(english, faq));
  } catch (error) {
    report(join(SHIPPED_DIR, `faq.${language}.json`), [(error as Error).message]);
  }
  try {
    await loadFaq(language, overrideDir);
  } catch (error) {
    report(join(overrideDir, `faq.${language}.json`), [(error as Error).message]);
  }
}
// Phrases (shipped and overridden together, as the bot indexes them) with so many alternatives that they are
// indexed as loose words and never found whole: a quiet weakening, worth splitting.
for (const language of LANGUAGES) {
  try {
    const source = understandingSource(await loadContent({ locale: language, overrideDir }), await loadFaq(language, overrideDir));
    report(`${language} phrases (shipped and overrides)`, phrasesTooBroad(source).map((p) => `"${p}" makes more than ${PHRASE_EXPANSION_LIMIT} combinations of its alternatives, so it is matched only as loose words: split it into shorter phrases`));
  } catch {
    // A file that does not load is reported above.
  }
}
// The learned classifier's examples, in each language that has them: each line {"text", "label"} with a label the
// content knows.
for (const language of LANGUAGES) {
  if (!existsSync(examplesFile(language))) continue;
  const content = await loadContent({ locale: language });
  const labels = new Set([...Object.keys(content.section('intents') as object), ...(await loadFaq(language)).entries.map((e) => `faq:${e.id}`), 'none']);
  report(examplesFile(language), exampleProblems(await readFile(examplesFile(language), 'utf8'), labels));
}
process.exit(failed ? 1 : 0);
