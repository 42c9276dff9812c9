// A light normaliser for Welsh words, ours, since no Welsh stemmer exists in the libraries available. It is
// not a stemmer: it undoes the initial mutations that change a word's first letters (nasal ngh/mh/nh/ng,
// aspirate ch/ph/th, soft g→c, b→p, dd→d, f→m, a dropped g before w), so "nghyfrinair", "gyfrinair" and
// "chyfrinair" meet "cyfrinair", "fynediad" meets "mynediad" and "wall" meets "gwall"; it spells ll and rh as l
// and r, so a soft-mutated "lwytho" or "reolau" meets "llwytho" and "rheolau"; and it drops a few plural and verb
// endings (-iau, -au, -oedd, -ion, -io, -ais, -iodd...). Where a mutated letter could come from two (f from b
// or m), both sides meet on one of them: the content and what people type go through it alike, so a word that
// is over-reduced is reduced the same way on both sides.

import { unmutate } from './welshMutations.js';
import { typoCorrector } from './welshTypos.js';

const INITIALS: Array<[string, string]> = [
  ['ngh', 'c'],
  ['mh', 'p'],
  ['nh', 't'],
  ['ng', 'g'],
  ['ch', 'c'],
  ['ph', 'p'],
  ['th', 't'],
  ['dd', 'd'],
  ['ll', 'l'],
  ['rh', 'r'],
];

// Longest first; a stem keeps at least three letters.
const ENDINGS = ['iadau', 'iaid', 'iais', 'iodd', 'iwyd', 'iwch', 'oedd', 'iau', 'ion', 'ais', 'ies', 'wyd', 'wch', 'odd', 'au', 'io', 'wn'];

/**
 * Words as staff type them: lower case, accents and all, an apostrophe splitting the two words it joins
 * ("cofio'r" is "cofio yr", "dwi'n" is "dwi yn"), hyphens and other marks splitting words too.
 */
export function welshWords(text: string): string[] {
  const out: string[] = [];
  for (const word of text.normalize('NFKC').toLowerCase().replace(/&/g, ' a ').split(/[^\p{L}\p{N}]+/u)) {
    if (word === '') continue;
    const split = unjoin(word);
    if (split === undefined) out.push(word);
    else out.push(...split);
  }
  return out;
}

// The same words typed without the apostrophe ("maer", "man", "chin", "or", "anghofior", "oriaur"): split again, so
// "chin" is "chi n" and not a word of its own (its stem would be that of "cinio").
const JOINED = new Map<string, string[]>(
  ['mae r', 'ma r', 'ma n', 'sy n', 'chi n', 'ti n', 'hi n', 'ni n', 'fi n', 'nhw n', 'e n', 'o r', 'i r', 'i w', 'na r', 'gyda r', 'efo r', 'ydy r', 'ydi r', 'yw r', 'trwy r', 'drwy r', 'hynny n'].map((pair) => [pair.replace(' ', ''), pair.split(' ')]),
);
/** A verb in -io or -i, or a plural in -au, with "'r" run on: "cofior", "collir", "oriaur". */
const RUN_ON_R = /^(\p{L}{3,}(?:io|au|[^aeiouwy]i))r$/u;

// Every text read (each phrase, example and message) is split into words, and the same words come again and
// again: whether a word is two run together is worked out once per word (bounded, since what staff type brings
// new words for as long as the bot runs). Most words are one: null.
const unjoined = new Map<string, string[] | null>();

/** The two words a word is, when it is two run together; undefined when it is one. */
function unjoin(word: string): string[] | undefined {
  const known = JOINED.get(word) ?? unjoined.get(word);
  if (known !== undefined) return known ?? undefined;
  const runOn = RUN_ON_R.exec(word);
  // A slip in a key word ("cyfrianir") is that word, not one with "'r" run on.
  const split = runOn && corrected(unmutated(word)) === unmutated(word) ? [runOn[1]!, 'r'] : null;
  if (unjoined.size >= 50_000) unjoined.clear();
  unjoined.set(word, split);
  return split ?? undefined;
}

/** The word with its accents dropped and its initial mutation undone. */
function unmutated(word: string): string {
  let w = word.normalize('NFD').replace(/\p{M}/gu, '');
  if (w.length <= 2) return w;
  w = unmutate(w);
  for (const [from, to] of INITIALS) {
    if (w.startsWith(from) && w.length > from.length + 1) {
      w = to + w.slice(from.length);
      break;
    }
  }
  // Soft mutation: a dropped g before w ("wall", "waith"), then c and p (the commonest in what staff type:
  // "gyfrinair", "broblem"), and f for m or b ("fynediad", "fewngofnodi"; ff is a letter of its own).
  if (w.startsWith('w') && w.length > 2) w = `gw${w.slice(1)}`;
  if (w.startsWith('g') && w.length > 3) w = `c${w.slice(1)}`;
  else if (w.startsWith('b') && w.length > 3) w = `p${w.slice(1)}`;
  else if (w.startsWith('f') && !w.startsWith('ff') && w.length > 3) w = `m${w.slice(1)}`;
  return w;
}

const corrected = typoCorrector(unmutated);

export function welshStem(word: string): string {
  if (!/^\p{L}+$/u.test(word)) return word;
  let w = corrected(unmutated(word));
  if (w.length <= 2) return w;
  // Spoken -au is written -e in the south and -a in the north ("llythrenne", "weithia", "dechre"); an imperative
  // -a ("ffonia", "helpa") ends the same way. Both become -au, whose stripping follows.
  if (/[^aeiouy][ea]$|i[ea]$/.test(w) && w.length >= 5) w = `${w.slice(0, -1)}au`;
  for (const ending of ENDINGS) {
    if (w.endsWith(ending) && w.length - ending.length >= 3) return w.slice(0, -ending.length);
  }
  return w;
}
