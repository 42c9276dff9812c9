// Gathers what the understander is built from out of the content layer (shipped text merged with the
// Trust's overrides), so a reload after an override change builds from exactly what the bot shows.
import type { Content } from '../content/content.js';
import { loadExamples } from '../content/examples.js';
import type { Faq } from '../content/faq.js';
import type { IntentPhrases } from '../dialogs/intents.js';
import { FLOW_IDS } from '../dialogs/flowIds.js';
import type { DiagnosisPatterns } from './diagnosis.js';
import { PHRASE_EXPANSION_LIMIT, phraseCombinations } from './text.js';
import type { UnderstandingSource } from './understander.js';

export function understandingSource(content: Content, faq: Faq): UnderstandingSource {
  const rules = content.section('understanding') as { synonyms: string[]; ignoredWords: string[]; offTopic?: string[]; topicWords?: string[]; diagnosis: DiagnosisPatterns };
  const titles: Record<string, string[]> = {};
  const examples = loadExamples(content.locale);
  for (const flow of FLOW_IDS) titles[flow] = [content.t(`menu.flows.${flow}.label`), content.t(`menu.flows.${flow}.description`)];
  return {
    intents: content.section('intents') as IntentPhrases,
    faq,
    titles,
    ...(rules.offTopic ? { offTopic: rules.offTopic } : {}),
    rules: { synonyms: rules.synonyms, ignoredWords: rules.ignoredWords, diagnosis: rules.diagnosis, ...(rules.topicWords ? { topicWords: rules.topicWords } : {}) },
    locale: content.locale,
    ...(examples.length > 0 ? { examples } : {}),
  };
}

/**
 * The phrases with more combinations of alternatives than the index multiplies out (PHRASE_EXPANSION_LIMIT):
 * each is matched only as loose words, never whole, which quietly weakens it. The content check lists them.
 */
export function phrasesTooBroad(source: UnderstandingSource): string[] {
  const phrases = [
    ...Object.entries(source.intents).flatMap(([intent, list]) => (intent.startsWith('_') ? [] : list)),
    ...source.faq.entries.flatMap((e) => e.phrases),
    ...(source.offTopic ?? []),
  ];
  return phrases.filter((p) => phraseCombinations(p) > PHRASE_EXPANSION_LIMIT);
}
