// How text becomes search terms, the same way for the content and for what staff type: lower case, words,
// Porter stems, the content file's synonyms (so "stat and mand" and "mandatory training" are one thing),
// then the little words dropped. Language data (synonyms, ignored words) comes from the content file.
import { stemmer } from 'stemmer';
import { welshStem, welshWords } from './welsh.js';

/** Lower-cased words: apostrophes dropped ("can't" → "cant", "team's" → "team"), hyphens and other marks split words. */
export function words(text: string): string[] {
  // Most text is plain ASCII, for which the same rules need no Unicode tables (the result is identical): this runs
  // for every phrase, example and message.
  if (ASCII.test(text)) {
    let t = text.toLowerCase();
    if (t.includes("'") || t.includes('`')) t = t.replace(/([a-z])['`]s(?![a-z])/g, '$1').replace(/['`]/g, '');
    if (t.includes('&')) t = t.replace(/&/g, ' and ');
    return t.split(/[^a-z0-9]+/).filter(Boolean);
  }
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
// No character above 127: text the fast path reads exactly as the full one would.
const ASCII = /^[^\u0080-\uffff]*$/;

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

/**
 * Rewrites as a tree of words: a path of words from the root is a rewrite's `from`, and the node it ends at holds
 * the rewrite (the first one given, if two have the same words). Following the text down the tree finds the
 * longest rewrite that fits in a few look-ups, where a list of them took dozens of comparisons ("not", "what" and
 * "on" each start forty or more).
 */
interface RewriteNode {
  to?: string[];
  /** How many words the rewrite replaces. */
  length: number;
  next?: Map<string, RewriteNode>;
}

/** Turns text into terms; built once per content, used for every document and every message. */
export class TermPipeline {
  /** Rewrites matched against the words' stems, and (exact ones) against the words as typed. */
  readonly #rewrites: RewriteNode = { length: 0 };
  readonly #exactRewrites: RewriteNode = { length: 0 };
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
        let node = exact ? this.#exactRewrites : this.#rewrites;
        for (const w of from) {
          node.next ??= new Map();
          node = node.next.get(w) ?? node.next.set(w, { length: node.length + 1 }).get(w)!;
        }
        node.to ??= to;
      }
    }
  }

  /** Stems with synonyms applied, little words kept (for patterns that need them, such as diagnosis). */
  stems(text: string): string[] {
    const typed = this.#words(text);
    const stems = typed.map(this.#stem);
    const out: string[] = [];
    // Plain loops: this runs for every word of every phrase, example and message.
    for (let i = 0; i < stems.length; ) {
      // The longest rewrite wins ("help desk" before "help"); an exact one before one by stems.
      const rewrite = this.#longestAt(this.#exactRewrites, typed, i) ?? this.#longestAt(this.#rewrites, stems, i);
      if (rewrite) {
        for (const t of rewrite.to!) out.push(t);
        i += rewrite.length;
      } else out.push(stems[i++]!);
    }
    return out;
  }

  /** The node of the longest rewrite whose words follow at i, if any. */
  #longestAt(root: RewriteNode, against: readonly string[], i: number): RewriteNode | undefined {
    let found: RewriteNode | undefined;
    let node: RewriteNode | undefined = root;
    for (let j = i; j < against.length; j++) {
      node = node.next?.get(against[j]!);
      if (!node) break;
      if (node.to) found = node;
    }
    return found;
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
