// `npx tsx scripts/make-examples.ts`: writes content/examples.en-GB.jsonl, the labelled phrasings the
// understander's learned classifier trains on, from the English development files in test/understanding
// (scripts/developmentFiles.ts; never the held-out files, which measure). Each example takes its line's first
// acceptable label; commands (help, cancel...) are left out, since they are matched exactly before anything learned.
import { writeFile } from 'node:fs/promises';
import { examplesFile } from '../content/examples.js';
import { examplesText } from './developmentFiles.js';

const text = await examplesText();
await writeFile(examplesFile('en-GB'), text);
process.stdout.write(`${text.split('\n').length - 2} examples written to ${examplesFile('en-GB')}\n`);
