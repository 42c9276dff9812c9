// A light normaliser for Welsh words, ours, since no Welsh stemmer exists in the libraries available. It is
// not a stemmer: it undoes the initial mutations that change a word's first letters most (nasal ngh/mh/nh,
// aspirate ch/ph/th, soft g→c, b→p, dd→d, and ng→g), so "nghyfrinair", "gyfrinair" and "chyfrinair" meet
// "cyfrinair"; and it drops a few plural and verb endings (-iau, -au, -oedd, -ion, -io, -ais...). The rest
// of a soft mutation (f, l, r, a dropped g) is left to the search's typo tolerance. Both the content and
// what people type go through it, so a word that is over-reduced is reduced the same way on both sides.

const INITIALS: Array<[string, string]> = [
  ['ngh', 'c'],
  ['mh', 'p'],
  ['nh', 't'],
  ['ng', 'g'],
  ['ch', 'c'],
  ['ph', 'p'],
  ['th', 't'],
  ['dd', 'd'],
];

// Longest first; a stem keeps at least three letters.
const ENDINGS = ['iadau', 'iaid', 'iais', 'oedd', 'iau', 'ion', 'ais', 'wch', 'odd', 'au', 'io', 'wn'];

export function welshStem(word: string): string {
  if (!/^\p{L}+$/u.test(word)) return word;
  let w = word.normalize('NFD').replace(/\p{M}/gu, '');
  if (w.length <= 2) return w;
  for (const [from, to] of INITIALS) {
    if (w.startsWith(from) && w.length > from.length + 1) {
      w = to + w.slice(from.length);
      break;
    }
  }
  // Soft mutation of c and p (the commonest in what staff type: "gyfrinair", "broblem").
  if (w.startsWith('g') && w.length > 3) w = `c${w.slice(1)}`;
  else if (w.startsWith('b') && w.length > 3) w = `p${w.slice(1)}`;
  for (const ending of ENDINGS) {
    if (w.endsWith(ending) && w.length - ending.length >= 3) return w.slice(0, -ending.length);
  }
  return w;
}
