// Checks a card the way Teams will read it: the official adaptivecards parser at schema 1.5 (unknown
// elements, unsupported versions, duplicate ids), plus the accessibility rules we hold ourselves to:
// every input labelled, every image described, a text fallback, every action titled.
import { createRequire } from 'node:module';

// The package's ESM entry does not load in Node; its UMD bundle does, and needs no DOM for parsing.
const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.min.js') as {
  AdaptiveCard: new () => { parse(json: unknown, ctx: unknown): void; validateProperties(): { validationEvents: Array<{ message: string }> } };
  SerializationContext: new (version: unknown) => { eventCount: number; getEventAt(i: number): { message: string } };
  Versions: { v1_5: unknown };
};

export const MAX_CARD_BYTES = 80 * 1024;

export function cardProblems(card: unknown): string[] {
  const problems: string[] = [];
  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext(AC.Versions.v1_5);
  ac.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) problems.push(ctx.getEventAt(i).message);
  for (const e of ac.validateProperties().validationEvents) problems.push(e.message);
  const json = card as Record<string, unknown>;
  if (json.version !== '1.5') problems.push(`version is ${String(json.version)}, Teams cards here use 1.5`);
  if (typeof json.fallbackText !== 'string' || json.fallbackText.trim() === '') problems.push('no fallbackText');
  const size = Buffer.byteLength(JSON.stringify(card));
  if (size > MAX_CARD_BYTES) problems.push(`card is ${size} bytes, over ${MAX_CARD_BYTES}`);
  visit(card, (node, path) => {
    const type = node.type;
    if (typeof type !== 'string') return;
    if (type.startsWith('Input.') && (typeof node.label !== 'string' || node.label.trim() === '')) problems.push(`${path}: ${type} "${String(node.id)}" has no label`);
    if (type === 'Image' && (typeof node.altText !== 'string' || node.altText.trim() === '')) problems.push(`${path}: Image has no altText`);
    if (type.startsWith('Action.') && (typeof node.title !== 'string' || node.title.trim() === '')) problems.push(`${path}: ${type} has no title`);
    if (type === 'TextBlock' && typeof node.text === 'string' && /\{\w+\}|\$\{/.test(node.text)) problems.push(`${path}: text has an unfilled placeholder: ${node.text}`);
  });
  return problems;
}

function visit(node: unknown, fn: (node: Record<string, unknown>, path: string) => void, path = '$'): void {
  if (Array.isArray(node)) node.forEach((n, i) => visit(n, fn, `${path}[${i}]`));
  else if (node && typeof node === 'object') {
    fn(node as Record<string, unknown>, path);
    for (const [k, v] of Object.entries(node)) visit(v, fn, `${path}.${k}`);
  }
}
