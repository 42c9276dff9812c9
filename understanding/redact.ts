// What staff type may hold a secret or a personal detail. Before a message that was not understood is kept
// for the Trust to learn from, anything that looks like a password, a date of birth, an email address or a
// phone number is replaced by a marker.

export const REDACTED = {
  password: '[password]',
  date: '[date]',
  email: '[email]',
  phone: '[phone]',
} as const;

const MONTHS = 'jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?';

const RULES: Array<[RegExp, string]> = [
  // Whatever follows "password is" / "password:" is the password, however ordinary it looks.
  [/\b(pass\s?words?|passcodes?|pwd|pw)(\s+(?:is|was|=|:)|\s*[:=])\s*\S.*$/giu, `$1$2 ${REDACTED.password}`],
  [/[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}/gu, REDACTED.email],
  // 14/03/1985, 14-3-85, 1985-03-14, 14.03.1985
  [/\b\d{1,4}[/.-]\d{1,2}[/.-]\d{1,4}\b/g, REDACTED.date],
  // 14 March 1985, 14th of Mar 85, March 14th 1985
  [new RegExp(`\\b\\d{1,2}(?:st|nd|rd|th)?\\s+(?:of\\s+)?(?:${MONTHS})\\.?,?(?:\\s+\\d{2,4})?\\b`, 'giu'), REDACTED.date],
  [new RegExp(`\\b(?:${MONTHS})\\.?\\s+\\d{1,2}(?:st|nd|rd|th)?,?(?:\\s+\\d{2,4})?\\b`, 'giu'), REDACTED.date],
  // Nine or more digits with the usual separators: 07700 900123, +44 (0)161 496 0000
  [/(?<![\p{L}\p{N}])\+?\(?\d[\d\s().-]{7,}\d(?![\p{L}\p{N}])/gu, REDACTED.phone],
];

/** True for a token of 8+ characters that mixes letters with digits or symbols and is not a hyphenated word. */
export function looksLikePassword(token: string): boolean {
  if ([...token].length < 8) return false;
  if (/^[\p{L}]+(?:[-'’][\p{L}]+)*$/u.test(token)) return false;
  if (Object.values(REDACTED).includes(token as never)) return false;
  return /\p{L}/u.test(token) && /[^\p{L}]/u.test(token);
}

export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of RULES) out = out.replace(pattern, replacement);
  return out
    .split(/(\s+)/)
    .map((part) => {
      const core = part.replace(/^[("'“‘[]+|[)"'”’\].,!?;:]+$/gu, '');
      // The whole token goes, punctuation too: a trailing "!" may be part of the password.
      return core && looksLikePassword(core) ? REDACTED.password : part;
    })
    .join('');
}
