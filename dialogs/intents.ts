// Finds what free text is asking for, from the phrase lists in the content file (so a Trust, or a Welsh
// translation, can teach it new wording without code). Deliberately simple and predictable: every word of
// a phrase must appear; the phrase with the most words wins; small typos in longer words are forgiven.

export type IntentPhrases = Record<string, string[]>;

/** Words a control intent (help, cancel, menu...) may come with and still count as that command. */
const CONTROL_INTENTS = new Set(['help', 'cancel', 'menu', 'greeting', 'thanks']);
const MAX_CONTROL_WORDS = 4;

interface Alternative {
  word: string;
  prefix: boolean;
}
interface Term {
  alternatives: Alternative[];
}
interface Phrase {
  intent: string;
  terms: Term[];
  order: number;
}

export interface IntentMatch {
  intent: string;
  /** How many words of the best phrase matched. */
  score: number;
}

/** Lower case without accents or apostrophes: "nôl" and "nol", "i'r" and "ir" are typed alike (accents often aren't). */
const fold = (text: string): string =>
  text
    .normalize('NFKC')
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .normalize('NFC')
    .replace(/[’'`]/g, '');

export function tokenise(text: string): string[] {
  return fold(text)
    .split(/[^\p{L}\p{N}*-]+/u)
    .map((w) => w.replace(/^-+|-+$/g, ''))
    .filter(Boolean);
}

export class IntentRecogniser {
  readonly #phrases: Phrase[] = [];

  readonly #maxControlWords: number;

  /** `maxControlWords`: how long a message may be and still be a command (longer ones are taken as questions). */
  constructor(phrases: IntentPhrases, options: { maxControlWords?: number } = {}) {
    this.#maxControlWords = options.maxControlWords ?? MAX_CONTROL_WORDS;
    let order = 0;
    for (const [intent, list] of Object.entries(phrases)) {
      if (intent.startsWith('_')) continue;
      for (const phrase of list) {
        const terms = fold(phrase)
          .trim()
          .split(/\s+/)
          .map((term) => ({
            alternatives: term.split('|').map((alt) => (alt.endsWith('*') ? { word: alt.slice(0, -1), prefix: true } : { word: alt, prefix: false })),
          }));
        this.#phrases.push({ intent, terms, order: order++ });
      }
    }
  }

  /** The best intent for the text, or undefined when nothing matched. */
  recognise(text: string): IntentMatch | undefined {
    const tokens = tokenise(text);
    if (tokens.length === 0) return undefined;
    let best: (IntentMatch & { order: number }) | undefined;
    // Phrases share their words ("password" is in dozens): each word is looked for in the text once.
    const found = new Map<string, boolean>();
    const holds = ({ word, prefix }: Alternative) => {
      const key = prefix ? `${word}*` : word;
      let held = found.get(key);
      if (held === undefined) found.set(key, (held = tokens.some((token) => alternativeMatches(word, prefix, token))));
      return held;
    };
    for (const phrase of this.#phrases) {
      if (CONTROL_INTENTS.has(phrase.intent) && tokens.length > this.#maxControlWords) continue;
      if (!phrase.terms.every((term) => term.alternatives.some(holds))) continue;
      const score = phrase.terms.length;
      if (!best || score > best.score || (score === best.score && phrase.order < best.order)) best = { intent: phrase.intent, score, order: phrase.order };
    }
    return best ? { intent: best.intent, score: best.score } : undefined;
  }
}

function alternativeMatches(word: string, prefix: boolean, token: string): boolean {
  if (prefix) return token.startsWith(word);
  if (token === word) return true;
  // "pasword", "usename", "passwrod": one slip is forgiven in words of 6 letters or more.
  return word.length >= 6 && Math.abs(token.length - word.length) <= 1 && editDistanceAtMostOne(token, word);
}

/** True when a and b differ by at most one insertion, deletion, substitution or swap of neighbours. */
export function editDistanceAtMostOne(a: string, b: string): boolean {
  if (a === b) return true;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  if (restA.slice(1) === restB.slice(1)) return true; // substitution
  if (restA.slice(1) === restB || restA === restB.slice(1)) return true; // deletion / insertion
  return restA.length >= 2 && restA[0] === restB[1] && restA[1] === restB[0] && restA.slice(2) === restB.slice(2); // swap
}

/** The router's recogniser: the flow and command phrases, then one intent per common question (`faq:<id>`). */
export function routerRecogniser(intents: IntentPhrases, faq: { entries: Array<{ id: string; phrases: string[] }> }): IntentRecogniser {
  const phrases: IntentPhrases = { ...intents };
  for (const entry of faq.entries) phrases[`faq:${entry.id}`] = entry.phrases;
  return new IntentRecogniser(phrases);
}
