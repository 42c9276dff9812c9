// The common questions: a content file an admin can edit (or replace in DATA_DIR/content) without code,
// checked at start-up so a typo stops the bot with a clear message rather than a silent gap.
import { join } from 'node:path';
import { z } from 'zod';
import { ContentError, GLOBAL_PLACEHOLDERS, readJson, SHIPPED_DIR } from './content.js';

const FLOWS = ['register', 'forgotPassword', 'forgotUsername', 'unlock', 'passwordRules', 'app', 'report', 'human'] as const;

const faqSchema = z.object({
  _comment: z.string().optional(),
  entries: z
    .array(
      z.object({
        id: z.string().regex(/^[a-z0-9-]+$/, 'should be lower-case letters, digits and dashes'),
        title: z.string().trim().min(1).max(80, 'should be at most 80 characters (it is a button)'),
        answer: z.string().trim().min(1),
        phrases: z.array(z.string().trim().min(1)).min(1, 'needs at least one phrase'),
        next: z.array(z.enum(FLOWS)).max(3).optional(),
      }),
    )
    .min(1)
    .refine((entries) => new Set(entries.map((e) => e.id)).size === entries.length, 'ids must be unique'),
});

export type Faq = z.infer<typeof faqSchema>;
export type FaqEntry = Faq['entries'][number];

/**
 * The override in `overrideDir` if there is one, else the shipped file for the locale (or en-GB). A translation
 * must answer every question the English one does (same ids), with no placeholder the English answer lacks.
 */
export async function loadFaq(locale: string, overrideDir?: string): Promise<Faq> {
  const { faq, file } = await readFaq(locale, overrideDir);
  if (locale !== 'en-GB') {
    const problems = faqProblems((await readFaq('en-GB', overrideDir)).faq, faq);
    if (problems.length > 0) throw new ContentError(file, problems);
  }
  return faq;
}

async function readFaq(locale: string, overrideDir?: string): Promise<{ faq: Faq; file: string }> {
  const candidates = [
    ...(overrideDir ? [join(overrideDir, `faq.${locale}.json`)] : []),
    join(SHIPPED_DIR, `faq.${locale}.json`),
    join(SHIPPED_DIR, 'faq.en-GB.json'),
  ];
  for (const file of candidates) {
    const data = await readJson(file, file === candidates[candidates.length - 1]);
    if (data === undefined) continue;
    const parsed = faqSchema.safeParse(data);
    if (!parsed.success) throw new ContentError(file, parsed.error.issues.map((i) => `${i.path.join('.') || '(top level)'}: ${i.message}`));
    return { faq: parsed.data, file };
  }
  throw new ContentError(candidates[candidates.length - 1]!, ['not found']);
}

/** Questions the translation lacks or adds, and answers with placeholders the English answer does not have. */
export function faqProblems(reference: Faq, candidate: Faq): string[] {
  const problems: string[] = [];
  const ids = new Map(candidate.entries.map((e) => [e.id, e]));
  reference.entries.forEach((ref, i) => {
    const entry = ids.get(ref.id);
    if (!entry) return void problems.push(`entries.${i} (id "${ref.id}") is missing (faq.en-GB.json has it: add its translation)`);
    const allowed = new Set(placeholdersOf(ref.answer));
    const extra = placeholdersOf(entry.answer).filter((p) => !allowed.has(p));
    if (extra.length > 0) problems.push(`entries (id "${ref.id}").answer uses {${extra.join('}, {')}}, which the English answer does not`);
  });
  const known = new Set(reference.entries.map((e) => e.id));
  for (const e of candidate.entries) if (!known.has(e.id)) problems.push(`entries (id "${e.id}") is not a question in faq.en-GB.json`);
  return problems;
}

const placeholdersOf = (text: string): string[] => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((p) => !GLOBAL_PLACEHOLDERS.includes(p));
