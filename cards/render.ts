// Fills the card templates in cards/templates with data (adaptivecards-templating). Templates hold the
// layout; the words come from the content layer; this module only joins the two.
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

// Loaded untyped: the package's type declarations pull in adaptivecards' TypeScript sources, which do
// not compile under this project's settings. This is the whole surface we use.
interface CardTemplate {
  expand(context: { $root: unknown }): unknown;
}
type Templating = { Template: new (payload: object) => CardTemplate };
// Loaded at first use, or by `prepareCards()`: the engine and its expression parser take a fifth of a second to
// load, which need not delay start-up.
let templating: Templating | undefined;
const engine = (): Templating => (templating ??= createRequire(import.meta.url)('adaptivecards-templating') as Templating);

/** Loads the templating engine now, if no card has yet (the app calls it once it is listening). */
export function prepareCards(): void {
  engine();
}

const TEMPLATE_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

export type CardJson = Record<string, unknown> & { type: 'AdaptiveCard'; version: string };

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';

const templates = new Map<string, CardTemplate>();

function template(name: string): CardTemplate {
  let t = templates.get(name);
  if (!t) {
    t = new (engine().Template)(JSON.parse(readFileSync(`${TEMPLATE_DIR}${name}.json`, 'utf8')) as object);
    templates.set(name, t);
  }
  return t;
}

export function templateNames(): string[] {
  return readdirSync(TEMPLATE_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5));
}

// The templating engine treats "${" inside data as an expression; text from users or content must not.
function neutralise(value: unknown): unknown {
  if (typeof value === 'string') return value.replace(/\$\{/g, '$\u200b{');
  if (Array.isArray(value)) return value.map(neutralise);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, neutralise(v)]));
  return value;
}

export function renderCard(name: string, data: Record<string, unknown>): CardJson {
  return template(name).expand({ $root: neutralise(data) }) as CardJson;
}

export interface CardAttachment {
  contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE;
  content: CardJson;
}

export function asAttachment(card: CardJson): CardAttachment {
  return { contentType: ADAPTIVE_CARD_CONTENT_TYPE, content: card };
}
