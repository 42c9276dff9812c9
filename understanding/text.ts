// How text becomes search terms, the same way for the content and for what staff type: lower case, words,
// Porter stems, the content file's synonyms (so "stat and mand" and "mandatory training" are one thing),
// then the little words dropped. Language data (synonyms, ignored words) comes from the content file.
import { stemmer } from 'stemmer';
import { welshStem, welshWords } from './welsh.js';

/** Lower-cased words: apostrophes dropped ("can't" → "cant", "team's" → "team"), hyphens and other marks split words. */
export function words(text: string): string[] {
  return text
    .normalize('NFKC')
    .toLowerCase()
    // The possessive is the word itself: "the team's hours" (not Microsoft Teams), "ESR's".
    .replace(/(\p{L})[’'`]s(?!\p{L})/gu, '$1')
    .replace(/[’'`]/g, '')
    .replace(/&/g, ' and ')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
}

export const stem = (word: string): string => (/^\p{L}+$/u.test(word) ? stemmer(word) : word);

/** How words are reduced for a language: Porter stems for English, our light normaliser for Welsh. */
export const stemFor = (locale: string | undefined): ((word: string) => string) => (locale?.startsWith('cy') ? welshStem : stem);

/** How text is cut into words for a language: in Welsh an apostrophe marks a dropped letter between two words ("cofio'r"). */
export const wordsFor = (locale: string | undefined): ((text: string) => string[]) => (locale?.startsWith('cy') ? welshWords : words);

export interface TextRules {
  /**
   * Lines "canonical: alternative, alternative" (each side may be several words). An alternative starting with
   * "=" matches the words exactly as typed, not their stems ("=teams" is Microsoft Teams, "team" is not).
   */
  synonyms: readonly string[];
  /** Words that carry no meaning on their own ("the", "my", "how"). */
  ignoredWords: readonly string[];
}

interface Rewrite {
  from: string[];
  to: string[];
  /** Compare `from` with the words as typed rather than with their stems. */
  exact: boolean;
}

/** Turns text into terms; built once per content, used for every document and every message. */
export class TermPipeline {
  /** Rewrites by the stem of their first word, and (exact ones) by their first word as typed. */
  readonly #rewrites = new Map<string, Rewrite[]>();
  readonly #exactRewrites = new Map<string, Rewrite[]>();
  readonly #ignored: Set<string>;
  readonly #stem: (word: string) => string;
  readonly #words: (text: string) => string[];

  constructor(rules: TextRules, stemWord: (word: string) => string = stem, wordsOf: (text: string) => string[] = words) {
    // Stemming is most of the cost of reading text, and the same words come again and again.
    const stemmed = new Map<string, string>();
    this.#stem = (word) => {
      const known = stemmed.get(word);
      if (known !== undefined) return known;
      // Bounded, since what staff type brings new words for as long as the bot runs.
      if (stemmed.size >= 50_000) stemmed.clear();
      const s = stemWord(word);
      stemmed.set(word, s);
      return s;
    };
    this.#words = wordsOf;
    this.#ignored = new Set(rules.ignoredWords.flatMap((w) => wordsOf(w).map(stemWord)));
    for (const line of rules.synonyms) {
      const [canonical, alternatives] = line.split(':', 2);
      if (!canonical || alternatives === undefined) continue;
      const to = wordsOf(canonical).map(stemWord);
      for (const alt of alternatives.split(',')) {
        const exact = alt.trim().startsWith('=');
        const from = exact ? wordsOf(alt) : wordsOf(alt).map(stemWord);
        if (from.length === 0 || to.length === 0) continue;
        const byFirst = exact ? this.#exactRewrites : this.#rewrites;
        const list = byFirst.get(from[0]!) ?? [];
        list.push({ from, to, exact });
        // Longest first, so "help desk" is rewritten before "help".
        list.sort((a, b) => b.from.length - a.from.length);
        byFirst.set(from[0]!, list);
      }
    }
  }

  /** Stems with synonyms applied, little words kept (for patterns that need them, such as diagnosis). */
  stems(text: string): string[] {
    const typed = this.#words(text);
    const stems = typed.map(this.#stem);
    const out: string[] = [];
    // Plain loops: this runs for every word of every phrase, example and message, and a common first word ("esr",
    // "e" of "e-bost") starts dozens of rewrites.
    const at = (list: Rewrite[] | undefined, i: number): Rewrite | undefined => {
      if (!list) return undefined;
      for (const r of list) {
        const against = r.exact ? typed : stems;
        let k = 0;
        while (k < r.from.length && against[i + k] === r.from[k]) k++;
        if (k === r.from.length) return r;
      }
      return undefined;
    };
    for (let i = 0; i < stems.length; ) {
      const rewrite = at(this.#exactRewrites.get(typed[i]!), i) ?? at(this.#rewrites.get(stems[i]!), i);
      if (rewrite) {
        out.push(...rewrite.to);
        i += rewrite.from.length;
      } else out.push(stems[i++]!);
    }
    return out;
  }

  /** Stems as typed, before any synonym rewrites them ("ESR emails" keeps its "esr"). */
  plainStems(text: string): string[] {
    return this.#words(text).map(this.#stem);
  }

  /** The search terms: stems and synonyms without the little words (all of them, if that leaves nothing). */
  terms(text: string): string[] {
    const all = this.stems(text);
    const kept = all.filter((t) => !this.#ignored.has(t));
    return kept.length > 0 ? kept : all;
  }

  /** Does the text hold any word that is not one of the little ones? */
  hasMeaning(text: string): boolean {
    return this.stems(text).some((t) => !this.#ignored.has(t));
  }

  /**
   * The stems of words typed as names, capitalised inside a sentence ("a nurse, Tobias Wrenfield, who..."): who a
   * message is about, not what it asks. The first word of a sentence is left out, since any word is capitalised there.
   */
  nameStems(text: string): Set<string> {
    const names = new Set<string>();
    for (const m of text.normalize('NFKC').matchAll(/\p{L}[\p{L}'’]*/gu)) {
      if (!/^\p{Lu}\p{Ll}+$/u.test(m[0])) continue;
      const before = text.slice(0, m.index).trimEnd();
      if (before === '' || /[.!?:;"“(\n]$/.test(before)) continue;
      names.add(this.#stem(m[0].toLowerCase()));
    }
    return names;
  }

  isIgnored(term: string): boolean {
    return this.#ignored.has(term);
  }
}

/** Beyond this many combinations of its alternatives a phrase is indexed as loose words: never found whole. */
export const PHRASE_EXPANSION_LIMIT = 48;

function phraseSlots(phrase: string): string[][] {
  return phrase
    .trim()
    .split(/\s+/)
    .map((w) => w.split('|').map((alt) => alt.replace(/\*+$/, '')).filter(Boolean));
}

const combinations = (slots: string[][]) => slots.reduce((n, s) => n * Math.max(1, s.length), 1);

/** How many plain texts a phrase's alternatives make ("forgot|lost password|pw": 4). */
export function phraseCombinations(phrase: string): number {
  return combinations(phraseSlots(phrase));
}

/**
 * A phrase from the content lists ("forgot*|lost password") as plain texts: each word's alternatives
 * multiplied out (up to a limit, beyond which the alternatives are kept together), with the * dropped
 * since stems and prefix search do its work.
 */
export function expandPhrase(phrase: string, limit = PHRASE_EXPANSION_LIMIT): string[] {
  const slots = phraseSlots(phrase);
  if (combinations(slots) > limit) return [slots.flat().join(' ')];
  let out = [''];
  for (const slot of slots) out = out.flatMap((prefix) => slot.map((alt) => `${prefix} ${alt}`));
  return out.map((s) => s.trim()).filter(Boolean);
}
