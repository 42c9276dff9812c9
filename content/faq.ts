// The common questions: a content file an admin can edit (or replace in DATA_DIR/content) without code,
// checked at start-up so a typo stops the bot with a clear message rather than a silent gap.
import { join } from 'node:path';
import { z } from 'zod';
import { ContentError, readJson, SHIPPED_DIR } from './content.js';

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

/** The override in `overrideDir` if there is one, else the shipped file for the locale (or en-GB). */
export async function loadFaq(locale: string, overrideDir?: string): Promise<Faq> {
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
    return parsed.data;
  }
  throw new ContentError(candidates[candidates.length - 1]!, ['not found']);
}
