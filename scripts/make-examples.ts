// `npx tsx scripts/make-examples.ts`: writes content/examples.en-GB.jsonl and examples.cy-GB.jsonl, the labelled
// phrasings the understander's learned classifier trains on, from each language's development files in
// test/understanding (scripts/developmentFiles.ts; never the held-out files, which measure). Each example takes
// its line's first acceptable label; commands (help, cancel...) are left out, since they are matched exactly
// before anything learned.
import { writeFile } from 'node:fs/promises';
import { examplesFile } from '../content/examples.js';
import { examplesText } from './developmentFiles.js';

for (const locale of ['en-GB', 'cy-GB']) {
  const text = await examplesText(locale);
  await writeFile(examplesFile(locale), text);
  process.stdout.write(`${text.split('\n').length - 2} examples written to ${examplesFile(locale)}\n`);
}
