// The mutations that the blanket rules in welsh.ts cannot undo, because the mutated letter could come from more
// than one: a soft-mutated t is d ("dudalen", "drio") but so is a d; a nasal d is n ("fy nyddiad") but so is an
// n; a soft b is f ("fotwm") but so is an m; a soft g vanishes ("osod", "ormod"); a vowel gains an h after
// "ei", "eu", "ein" ("ei hanfon"). For these, a short list of the roots the helpdesk's words are built on says
// which words to undo, and only those: "dim" is not "tîm", and "nodau" is not "dodau".

/** Roots by their unmutated first letters. A root of four letters or more also undoes longer words it begins. */
const ROOTS = {
  // Soft t → d.
  t: ['tudalen', 'tocyn', 'tim', 'trio', 'treial', 'tystysgrif', 'tabled', 'teitl', 'troelli', 'trafferth', 'trefnu', 'tynnu', 'tasg', 'teithio', 'tywydd', 'trwydded', 'talu', 'trwsio', 'trosglwyddo'],
  // Nasal d → n (soft d → dd is undone by the blanket rules).
  d: ['dyddiad', 'diwrnod', 'dysgu', 'data', 'dolen', 'defnyddiwr', 'derbyn', 'dyfais', 'desg', 'dogfen', 'datganiad', 'dyletswydd', 'datgloi'],
  // Soft b → f and nasal b → m.
  b: ['botwm', 'botymau', 'banc', 'bwrdd', 'blocio', 'blociwyd', 'blaenorol', 'bydwraig', 'busnes', 'bathodyn', 'bwcio', 'brechlyn', 'bws', 'buddion', 'band', 'byr', 'byrrach'],
  // Soft g → nothing.
  g: ['gosod', 'gormod', 'gofyn', 'gorffen', 'gadael', 'galwad', 'golygu', 'gafael', 'gyrru', 'gyrrais', 'gyrrwch', 'gradd', 'gliniadur', 'grwp', 'gorau', 'gofal', 'golwg', 'gair', 'geni', 'goramser', 'gwisg', 'gwyliau'],
  // A vowel with h before it.
  h: ['anfon', 'amgryptio', 'agor', 'enw', 'ail', 'ateb', 'ebost', 'ebyst', 'ailosod', 'anghofio', 'allwedd', 'adran', 'aelod', 'oriau', 'amser', 'ymgais', 'ymdrech', 'ymuno', 'angen', 'amgryptiedig', 'ap'],
} as const;

// Forms that are words of their own, so left alone: "mand" is "stat a mand", "dim" is "no".
const KEEP = new Set(['mand', 'dim']);

function mutatedForms(letter: keyof typeof ROOTS, root: string): string[] {
  switch (letter) {
    case 't':
      return [`d${root.slice(1)}`];
    case 'd':
      return [`n${root.slice(1)}`];
    case 'b':
      return [`f${root.slice(1)}`, `m${root.slice(1)}`];
    case 'g':
      return [root.slice(1)];
    case 'h':
      return [`h${root}`];
  }
}

const exact = new Map<string, string>();
const prefixes: Array<[string, string]> = [];
for (const [letter, roots] of Object.entries(ROOTS) as Array<[keyof typeof ROOTS, readonly string[]]>) {
  for (const root of roots) {
    for (const form of mutatedForms(letter, root)) {
      if (KEEP.has(form)) continue;
      exact.set(form, root);
      if (form.length >= 4) prefixes.push([form, root]);
    }
  }
}
// Longest first, so "gyrrais" is undone as itself and not as a longer "gyrr...".
prefixes.sort((a, b) => b[0].length - a[0].length);

/** The word with a mutation the blanket rules cannot undo undone (accents already dropped), or the word as it is. */
export function unmutate(word: string): string {
  const whole = exact.get(word);
  if (whole) return whole;
  for (const [form, root] of prefixes) if (word.startsWith(form)) return root + word.slice(form.length);
  return word;
}
