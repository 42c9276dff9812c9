// The English development phrasings (tuned on; never the held-out files, which measure), line by line with
// their line numbers, for making the classifier's examples and for the even/odd split evaluation.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const DEVELOPMENT_FILES = ['tuning', 'dev', 'dev2', 'dev3', 'retired-heldout', 'retired-heldout2', 'retired-heldout3', 'retired-heldout4', 'retired-heldout5', 'retired-heldout6', 'retired-heldout7', 'authored'];

export interface DevelopmentLine {
  file: string;
  /** The line's number in its file (the _comment is line 1). */
  line: number;
  text: string;
  expect: string[];
}

export async function readDevelopmentLines(): Promise<DevelopmentLine[]> {
  const out: DevelopmentLine[] = [];
  for (const file of DEVELOPMENT_FILES) {
    const raw = (await readFile(join(root, 'test/understanding', `${file}.en-GB.jsonl`), 'utf8')).split('\n');
    raw.forEach((text, i) => {
      if (text.trim() === '') return;
      const data = JSON.parse(text) as { text?: string; expect?: string | string[] };
      if (data.text && data.expect) out.push({ file, line: i + 1, text: data.text, expect: [data.expect].flat() });
    });
  }
  return out;
}
