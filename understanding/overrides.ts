// "Add this phrasing to…": writes the phrasing into the Trust's content overrides (DATA_DIR/content, and on
// PostgreSQL the database every instance copies them from), the same files an admin edits by hand, so it
// survives restarts, reaches every instance, and is checked like any other override when next loaded.
import type { Faq } from '../content/faq.js';
import type { OverrideFiles } from '../content/overrideFiles.js';
import type { IntentPhrases } from '../dialogs/intents.js';
import { FAQ_PREFIX, isFlowId } from '../dialogs/flowIds.js';

/**
 * A phrase the phrase lists accept: plain words, with the redaction markers and list syntax (| and *) left out.
 * An apostrophe inside a word stays, since in Welsh it joins two words ("cofio'r"); English reads it as before.
 */
export function phraseFrom(text: string): string {
  return text
    .replace(/\[(password|date|email|phone)\]/g, ' ')
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[’`]/g, "'")
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}']+/u)
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter(Boolean)
    .join(' ');
}

/** Is `target` something a phrasing can be added to: a flow, or one of the common questions? */
export function isPhrasingTarget(target: string, faq: Faq): boolean {
  return isFlowId(target) || (target.startsWith(FAQ_PREFIX) && faq.entries.some((e) => `${FAQ_PREFIX}${e.id}` === target));
}

const asFile = (data: unknown) => `${JSON.stringify(data, null, 2)}
`;

/**
 * Adds `phrase` to a flow's list (content override `intents.<flow>`, which replaces the shipped list, so the
 * current list is written whole) or to a common question's phrases (the questions override, written whole).
 */
export async function addPhrasing(options: { overrides: OverrideFiles; locale: string; target: string; phrase: string; intents: IntentPhrases; faq: Faq }): Promise<void> {
  const { overrides, locale, target, phrase } = options;
  if (target.startsWith(FAQ_PREFIX)) {
    const id = target.slice(FAQ_PREFIX.length);
    // The questions file as it now stands (another agent may just have added to it), else the one loaded.
    await overrides.edit(`faq.${locale}.json`, (current) => {
      const faq = current === undefined ? structuredClone(options.faq) : (JSON.parse(current) as Faq);
      const entry = faq.entries.find((e) => e.id === id);
      if (!entry) throw new Error(`No common question "${id}"`);
      if (!entry.phrases.includes(phrase)) entry.phrases.push(phrase);
      return asFile(faq);
    });
    return;
  }
  if (!isFlowId(target)) throw new Error(`No flow "${target}"`);
  await overrides.edit(`${locale}.json`, (current) => {
    const override = current === undefined ? {} : (JSON.parse(current) as Record<string, unknown>);
    const intents = { ...((override.intents as Record<string, string[]> | undefined) ?? {}) };
    const phrases = intents[target] ?? options.intents[target] ?? [];
    intents[target] = phrases.includes(phrase) ? phrases : [...phrases, phrase];
    return asFile({ ...override, intents });
  });
}
