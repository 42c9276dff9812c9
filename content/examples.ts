// Labelled phrasings the understander's learned classifier is trained on (content/examples.<locale>.jsonl,
// made by scripts/make-examples.ts from the development phrasings). Read once per locale and kept; a
// language without a file has none, and its understanding is retrieval alone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { SHIPPED_DIR } from './content.js';

export interface Example {
  text: string;
  /** A flow id, faq:<id> or "none" (something the bot should not claim to understand). */
  label: string;
}

const lineSchema = z.object({ text: z.string().min(1), label: z.string().min(1) });
const cache = new Map<string, readonly Example[]>();

export function examplesFile(locale: string): string {
  return join(SHIPPED_DIR, `examples.${locale}.jsonl`);
}

/** Every line's problem, as "line N: ...", for the content check. */
export function exampleProblems(text: string, known: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let data: unknown;
    try {
      data = JSON.parse(line);
    } catch {
      return void problems.push(`line ${i + 1}: not JSON`);
    }
    if (typeof data === 'object' && data !== null && '_comment' in data) return;
    const parsed = lineSchema.safeParse(data);
    if (!parsed.success) return void problems.push(`line ${i + 1}: should be {"text", "label"}`);
    if (!known.has(parsed.data.label)) problems.push(`line ${i + 1}: unknown label ${parsed.data.label}`);
  });
  return problems;
}

export function loadExamples(locale: string): readonly Example[] {
  const known = cache.get(locale);
  if (known) return known;
  const file = examplesFile(locale);
  const examples: Example[] = [];
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const parsed = lineSchema.safeParse(JSON.parse(line));
      if (parsed.success) examples.push(parsed.data);
    }
  }
  cache.set(locale, examples);
  return examples;
}
