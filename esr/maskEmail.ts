// A work email shown back to its owner with most letters hidden, so they can recognise it without the chat
// giving the whole address to anyone reading over their shoulder: alex.demo@nhs-trust.example becomes
// a••x.d••o@nhs-trust.example. The domain stays whole: it is the Trust's, and the part people get wrong.

const MASK = '•';

/** Each name part keeps its first letter, and its last when it has four or more; the rest becomes dots. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return maskPart(email);
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  // "+tag" addressing: the tag says nothing about whose address it is, so it is hidden entirely.
  const plus = local.indexOf('+');
  const name = plus >= 0 ? local.slice(0, plus) : local;
  const tag = plus >= 0 ? `+${MASK.repeat(3)}` : '';
  // Dots, hyphens and underscores stay, so "mary-jane.smith" still looks like the shape they know.
  const masked = name.split(/([.\-_])/).map((part, i) => (i % 2 === 1 ? part : maskPart(part))).join('');
  return `${masked}${tag}@${domain}`;
}

function maskPart(part: string): string {
  const chars = Array.from(part);
  if (chars.length <= 1) return part;
  if (chars.length <= 3) return chars[0] + MASK.repeat(chars.length - 1);
  return chars[0] + MASK.repeat(chars.length - 2) + chars[chars.length - 1];
}
