// One slip of the keyboard in the helpdesk's key words ("usernme", "passwod", "cyfriair", "hyforddiant"). Retrieval
// forgives typos only by the length of a word's stem, which in Welsh is short ("anghofio" is "anghof"), and not
// at all in an English word a synonym turns into Welsh (the index holds "cyfrinair", never "password"). So the
// words staff most often type, Welsh and English, are restored first: a typed word of seven letters or more one
// letter added, dropped, changed or swapped from exactly one of them becomes it. Words near another real word
// ("diweddar", recent, beside "diweddaru") are left out of the list.

/** The key words, as typed when typed right. */
export const KEY_WORDS = [
  // Welsh
  'cyfrinair', 'cyfrineiriau', 'anghofio', 'anghofiais', 'defnyddiwr', 'mewngofnodi', 'datgloi', 'hyfforddiant', 'gorfodol',
  'gliniadur', 'cyfrifiadur', 'manylion', 'personol', 'cyfeiriad', 'rhyngrwyd', 'mynediad', 'cofrestru', 'ailosod',
  'gwybodaeth', 'dechreuwr', 'ymddiriedolaeth', 'hysbysiadau', 'hysbysiad', 'negeseuon', 'amgryptio', 'cwestiynau',
  'cyffredin', 'cysylltu', 'gofynion', 'llythrennau', 'symbolau', 'lawrlwytho', 'symudol', 'problem', 'tudalen',
  'sgrinlun', 'anghywir', 'swyddfa', 'penwythnos', 'priodi', 'diogelu', 'cydymffurfio', 'tystysgrif', 'modiwlau',
  'slipiau', 'rheolau', 'cerdyn', 'clyfar', 'dolen', 'darllenydd', 'e-ddysgu', 'newydd', 'ddechrau',
  // English words staff mix in
  'password', 'passwords', 'username', 'usernames', 'account', 'payslip', 'payslips', 'smartcard', 'notification',
  'notifications', 'internet', 'access', 'training', 'mandatory', 'download', 'browser', 'firefox', 'encrypted',
  'details', 'address', 'contact', 'unlock', 'forgotten', 'expired', 'laptop', 'remote',
  // Other subjects, so a slip in them still says the message is not about ESR
  'windows', 'printer', 'argraffydd', 'outlook', 'nhsmail', 'systmone', 'healthroster', 'pensiwn', 'absenoldeb', 'mamolaeth',
];

/** Real words one slip from a key word. */
const NOT_SLIPS = new Set(['contract', 'contracts', 'diweddar', 'cyfrinach']);

/** Is b one letter added, dropped, changed or two neighbours swapped from a? */
function oneSlip(a: string, b: string): boolean {
  if (a === b || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  if (a.length === b.length) return a.slice(i + 1) === b.slice(i + 1) || (a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2));
  return a.length > b.length ? a.slice(i + 1) === b.slice(i) : a.slice(i) === b.slice(i + 1);
}

/**
 * The key word a typed word (already through `normalise`) is one slip from, or the word itself. The key words go
 * through the same `normalise`, so a mutated slip ("nghyfriair") meets its key word too.
 */
export function typoCorrector(normalise: (word: string) => string): (word: string) => string {
  let keys: string[] | undefined;
  return (word) => {
    if (word.length < 7) return word;
    keys ??= [...new Set(KEY_WORDS.filter((k) => /^\p{L}+$/u.test(k)).map(normalise))];
    if (keys.includes(word) || NOT_SLIPS.has(word)) return word;
    const near = keys.filter((k) => oneSlip(k, word));
    return near.length === 1 ? near[0]! : word;
  };
}
