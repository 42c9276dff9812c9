// Spotting a password typed into the chat, so the bot can refuse to handle it and say why.
// It errs towards false alarms on single "words" that mix letters with digits or symbols; sentences,
// usernames, emails, dates, numbers and ticket references are never flagged.
import { USERNAME_PATTERN } from '../esr/schemas.js';

export function looksLikePassword(text: string): boolean {
  const t = text.trim();
  if (t.length < 8 || t.length > 128 || /\s/.test(t)) return false;
  if (USERNAME_PATTERN.test(t.toUpperCase())) return false;
  if (/^[^@\s]+@[^@\s]+$/.test(t) && isEmailish(t)) return false; // an email, even a mistyped one
  if (/^(https?:\/\/|www\.)/i.test(t)) return false; // link
  if (/^[\d\s/.\-:]+$/.test(t)) return false; // dates, numbers, phone numbers
  if (/^ESR-\d+$/i.test(t)) return false; // ticket reference
  if (/^[a-z0-9-]+(\.[a-z0-9-]+)+\/?$/.test(t)) return false; // a web address typed without https://
  // "Thanks!!", "Hello?" : punctuation at the end of a word is not what makes a password.
  const core = t.replace(/[.!?,;:]+$/u, '');
  if (core !== t && /^\p{L}+$/u.test(core)) return false;
  const hasLetter = /\p{L}/u.test(t);
  const hasDigit = /\d/.test(t);
  const hasSymbol = /[^\p{L}\d]/u.test(t);
  const hasUpperAndLower = /\p{Lu}/u.test(t) && /\p{Ll}/u.test(t);
  // "Summer2024!", "Tr0ub4dor&3", "p@ssw0rd123": letters mixed with digits or symbols.
  return hasLetter && (hasDigit || hasSymbol) && (hasUpperAndLower || hasDigit && hasSymbol || t.length >= 10);
}

// "alex.demo@nhs" is a mistyped email; "p@ssw0rd123" is a password: emails have a dot on one side of the @.
function isEmailish(text: string): boolean {
  const [local = '', domain = ''] = text.split('@');
  return (local.length >= 2 && local.includes('.')) || domain.includes('.');
}
