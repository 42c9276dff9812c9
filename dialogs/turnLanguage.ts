// The language of the person in this turn, set by the bot before any dialog runs, so every dialog reads
// the words, common questions and understanding of that language through the same accessors.
import type { TurnContext } from 'botbuilder-core';
import type { Language, PerLanguage } from '../content/language.js';

const LANGUAGE = Symbol('esrHelpdesk.language');

export function setTurnLanguage(context: TurnContext, language: Language): void {
  context.turnState.set(LANGUAGE, language);
}

export function turnLanguage(context: TurnContext): Language | undefined {
  return context.turnState.get<Language | undefined>(LANGUAGE);
}

/** A per-turn accessor over one thing per language, falling back to `orgDefault` before the language is known. */
export function perTurn<T>(byLanguage: PerLanguage<T>, orgDefault: Language): (context: TurnContext) => T {
  return (context) => byLanguage[turnLanguage(context) ?? orgDefault];
}
