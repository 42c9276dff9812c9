// The development phrasings (tuned on; never the held-out files, which measure), English and Welsh, line by line
// with their line numbers, for making the classifier's examples and for the even/odd split evaluation.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CONTROL_INTENTS } from '../understanding/understander.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const DEVELOPMENT_FILES = ['tuning', 'dev', 'dev2', 'dev3', 'retired-heldout', 'retired-heldout2', 'retired-heldout3', 'retired-heldout4', 'retired-heldout5', 'retired-heldout6', 'retired-heldout7', 'retired-heldout8', 'dev4', 'dev5', 'dev6', 'retired-heldout9', 'retired-heldout10', 'dev7', 'retired-heldout11', 'dev8', 'authored'];
export const WELSH_DEVELOPMENT_FILES = ['tuning', 'tuning2', 'tuning3', 'retired-heldout', 'retired-heldout2', 'retired-heldout3', 'retired-heldout4', 'retired-heldout5'];

/** The development files of a language (test/understanding/<name>.<locale>.jsonl). */
export const developmentFiles = (locale = 'en-GB') => (locale === 'cy-GB' ? WELSH_DEVELOPMENT_FILES : DEVELOPMENT_FILES);

export interface DevelopmentLine {
  file: string;
  /** The line's number in its file (the _comment is line 1). */
  line: number;
  text: string;
  expect: string[];
}

export async function readDevelopmentLines(locale = 'en-GB'): Promise<DevelopmentLine[]> {
  const out: DevelopmentLine[] = [];
  for (const file of developmentFiles(locale)) {
    const raw = (await readFile(join(root, 'test/understanding', `${file}.${locale}.jsonl`), 'utf8')).split('\n');
    raw.forEach((text, i) => {
      if (text.trim() === '') return;
      const data = JSON.parse(text) as { text?: string; expect?: string | string[] };
      if (data.text && data.expect) out.push({ file, line: i + 1, text: data.text, expect: [data.expect].flat() });
    });
  }
  return out;
}

/** Commands (help, cancel...) are matched exactly before anything learned, so they teach the classifier nothing. */
export const isLearnable = (label: string) => !(CONTROL_INTENTS as readonly string[]).includes(label);

/** The text of content/examples.<locale>.jsonl: each development line with its first acceptable label, commands left out. */
export async function examplesText(locale = 'en-GB'): Promise<string> {
  const language = locale === 'cy-GB' ? 'Welsh' : 'English';
  const lines = [JSON.stringify({ _comment: `Made by scripts/make-examples.ts from the ${language} development phrasings in test/understanding (never the held-out files): what the learned classifier trains on. Edit those files and run the script again, rather than this one.` })];
  for (const l of await readDevelopmentLines(locale)) if (isLearnable(l.expect[0]!)) lines.push(JSON.stringify({ text: l.text, label: l.expect[0]! }));
  return `${lines.join('\n')}\n`;
}
