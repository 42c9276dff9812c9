// ESR's password rules (at least 12 characters, no commonly used passwords, not one of the previous 4)
// plus NIST SP 800-63B's checks (no repetitive or sequential strings, no context words such as the
// username or the person's names). The history rule needs the stored hashes, so the service applies it.

export type PersonalWord = 'username' | 'first_name' | 'last_name';

export type PolicyFailure =
  | { rule: 'too_short'; min: number; length: number }
  | { rule: 'too_long'; max: number; length: number }
  | { rule: 'common' }
  | { rule: 'predictable' }
  | { rule: 'personal'; word: PersonalWord }
  | { rule: 'reused'; count: number };

export type PolicyRule = PolicyFailure['rule'];

export interface PolicyContext {
  username?: string;
  firstName?: string;
  lastName?: string;
}

export interface PolicyOptions {
  minLength: number;
  maxLength: number;
  /** How many earlier passwords may not be used again. */
  historySize: number;
  commonPasswords: ReadonlySet<string>;
}

// Keyboard rows and alphabets that people walk along ("qwerty", "abcd", "1234").
const SEQUENCES = ['abcdefghijklmnopqrstuvwxyz', '01234567890', 'qwertyuiop', 'asdfghjkl', 'zxcvbnm'];
const LEET: Record<string, string> = { '@': 'a', '4': 'a', '8': 'b', '3': 'e', '1': 'i', '!': 'i', '0': 'o', '$': 's', '5': 's', '7': 't', '+': 't' };

/** NFKC, so that look-alike forms of a character count and compare as one. */
export function normalisePassword(password: string): string {
  return password.normalize('NFKC');
}

/** Length in Unicode code points, as NIST asks (an emoji is one character, not two). */
export function codePointLength(text: string): number {
  return [...text].length;
}

export class PasswordPolicy {
  readonly options: PolicyOptions;

  constructor(options: PolicyOptions) {
    this.options = options;
  }

  /** Every rule that the password breaks, apart from history. An empty list means it is acceptable. */
  check(password: string, context: PolicyContext = {}): PolicyFailure[] {
    const normalised = normalisePassword(password);
    const length = codePointLength(normalised);
    const failures: PolicyFailure[] = [];
    if (length < this.options.minLength) failures.push({ rule: 'too_short', min: this.options.minLength, length });
    if (length > this.options.maxLength) failures.push({ rule: 'too_long', max: this.options.maxLength, length });
    const lower = normalised.toLowerCase();
    if (this.#isCommon(lower)) failures.push({ rule: 'common' });
    // Checked only at a valid length, so a short password gets one clear message, not two.
    else if (length >= this.options.minLength && isPredictable(lower)) failures.push({ rule: 'predictable' });
    const personal = personalWordIn(lower, context);
    if (personal) failures.push({ rule: 'personal', word: personal });
    return failures;
  }

  // Common as it stands, or a common word dressed up with digits, symbols or look-alike letters
  // ("Password2024!", "L1verp00l!!!!"), which is the first thing an attacker tries.
  #isCommon(lower: string): boolean {
    const list = this.options.commonPasswords;
    if (list.has(lower)) return true;
    const core = lower.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
    if (core.length >= 4 && (list.has(core) || list.has(deLeet(core)))) return true;
    const deLeeted = deLeet(lower);
    const deLeetedCore = deLeeted.replace(/^[\d\W_]+|[\d\W_]+$/gu, '');
    return deLeetedCore.length >= 4 && list.has(deLeetedCore);
  }
}

function deLeet(text: string): string {
  return [...text].map((c) => LEET[c] ?? c).join('');
}

/** Repetitive ("aaaa…", "abcabc…") or made of a few runs along a keyboard row or alphabet. */
export function isPredictable(lower: string): boolean {
  const chars = [...lower];
  if (chars.length === 0) return false;
  if (new Set(chars).size <= 3) return true;
  for (let unit = 1; unit <= chars.length / 2; unit++) {
    if (chars.length % unit === 0 && lower === chars.slice(0, unit).join('').repeat(chars.length / unit)) return true;
  }
  return sequentialRuns(chars) <= 3;
}

// Splits the text into maximal runs where each character follows the previous one along a sequence,
// in either direction, and counts them. "qwerty123456" is 2 runs; a random string is nearly one run per character.
function sequentialRuns(chars: string[]): number {
  let runs = 1;
  let direction = 0;
  for (let i = 1; i < chars.length; i++) {
    const step = stepBetween(chars[i - 1]!, chars[i]!);
    if (step !== 0 && (direction === 0 || step === direction)) {
      direction = step;
    } else {
      runs++;
      direction = 0;
    }
  }
  return runs;
}

function stepBetween(a: string, b: string): number {
  for (const seq of SEQUENCES) {
    const i = seq.indexOf(a);
    if (i < 0) continue;
    if (seq[i + 1] === b) return 1;
    if (i > 0 && seq[i - 1] === b) return -1;
  }
  return 0;
}

function personalWordIn(lower: string, context: PolicyContext): PersonalWord | undefined {
  const username = context.username?.toLowerCase();
  if (username) {
    // The username itself, or its memorable middle part (241JSMITH01 -> jsmith).
    const middle = username.replace(/^\d+|\d+$/g, '');
    if (lower.includes(username) || (middle.length >= 4 && lower.includes(middle))) return 'username';
  }
  if (containsNamePart(lower, context.firstName)) return 'first_name';
  if (containsNamePart(lower, context.lastName)) return 'last_name';
  return undefined;
}

// Names are checked part by part ("Mary-Jane" -> mary, jane); parts under 3 letters are too short to matter.
function containsNamePart(lower: string, name: string | undefined): boolean {
  if (!name) return false;
  return name
    .normalize('NFKC')
    .toLowerCase()
    .split(/[\s'’-]+/u)
    .some((part) => codePointLength(part) >= 3 && lower.includes(part));
}
