// `npx tsx scripts/make-examples.ts`: writes content/examples.en-GB.jsonl, the labelled phrasings the
// understander's learned classifier trains on, from the English development files in test/understanding
// (scripts/developmentFiles.ts; never the held-out files, which measure). Each example takes its line's first
// acceptable label; commands (help, cancel...) are left out, since they are matched exactly before anything learned.
import { writeFile } from 'node:fs/promises';
import { examplesFile } from '../content/examples.js';
import { CONTROL_INTENTS } from '../understanding/understander.js';
import { readDevelopmentLines } from './developmentFiles.js';

export const isLearnable = (label: string) => !(CONTROL_INTENTS as readonly string[]).includes(label);

const lines = [JSON.stringify({ _comment: 'Made by scripts/make-examples.ts from the English development phrasings in test/understanding (never the held-out files): what the learned classifier trains on. Edit those files and run the script again, rather than this one.' })];
for (const l of await readDevelopmentLines()) if (isLearnable(l.expect[0]!)) lines.push(JSON.stringify({ text: l.text, label: l.expect[0]! }));
await writeFile(examplesFile('en-GB'), `${lines.join('\n')}\n`);
process.stdout.write(`${lines.length - 1} examples written to ${examplesFile('en-GB')}\n`);
