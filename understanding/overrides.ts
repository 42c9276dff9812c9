// "Add this phrasing to…": writes the phrasing into the Trust's content overrides (DATA_DIR/content), the
// same files an admin edits by hand, so it survives restarts, reaches every instance, and is checked like
// any other override when the content is next loaded.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Faq } from '../content/faq.js';
import type { IntentPhrases } from '../dialogs/intents.js';
import { FAQ_PREFIX, isFlowId } from '../dialogs/flowIds.js';
import { words } from './text.js';

/** A phrase the phrase lists accept: plain words, with the redaction markers and list syntax (| and *) left out. */
export function phraseFrom(text: string): string {
  return words(text.replace(/\[(password|date|email|phone)\]/g, ' ')).join(' ');
}

/** Is `target` something a phrasing can be added to: a flow, or one of the common questions? */
export function isPhrasingTarget(target: string, faq: Faq): boolean {
  return isFlowId(target) || (target.startsWith(FAQ_PREFIX) && faq.entries.some((e) => `${FAQ_PREFIX}${e.id}` === target));
}

async function readObject(file: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeAtomically(file: string, data: unknown): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

/**
 * Adds `phrase` to a flow's list (content override `intents.<flow>`, which replaces the shipped list, so the
 * current list is written whole) or to a common question's phrases (the questions override, written whole).
 */
export async function addPhrasing(options: { overrideDir: string; locale: string; target: string; phrase: string; intents: IntentPhrases; faq: Faq }): Promise<void> {
  const { overrideDir, locale, target, phrase } = options;
  await mkdir(overrideDir, { recursive: true });
  if (target.startsWith(FAQ_PREFIX)) {
    const id = target.slice(FAQ_PREFIX.length);
    const faq = structuredClone(options.faq);
    const entry = faq.entries.find((e) => e.id === id);
    if (!entry) throw new Error(`No common question "${id}"`);
    if (!entry.phrases.includes(phrase)) entry.phrases.push(phrase);
    await writeAtomically(join(overrideDir, `faq.${locale}.json`), faq);
    return;
  }
  if (!isFlowId(target)) throw new Error(`No flow "${target}"`);
  const file = join(overrideDir, `${locale}.json`);
  const override = (await readObject(file)) ?? {};
  const intents = { ...((override.intents as Record<string, string[]> | undefined) ?? {}) };
  const current = intents[target] ?? options.intents[target] ?? [];
  intents[target] = current.includes(phrase) ? current : [...current, phrase];
  await writeAtomically(file, { ...override, intents });
}
