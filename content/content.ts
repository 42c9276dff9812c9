// Every word a user reads comes from here: a JSON file per language (en-GB.json ships; a Welsh cy-GB.json
// is a file away). A Trust can override any text without touching code by putting a file of the same
// name in CONTENT_DIR; overrides are merged over the shipped text and checked at start-up.
import { AsyncLocalStorage } from 'node:async_hooks';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type en from './en-GB.json';

export type Messages = typeof en;

type Join<K extends string, P extends string> = P extends '' ? K : `${K}.${P}`;
type PathsTo<T, Leaf> = {
  [K in keyof T & string]: T[K] extends Leaf ? K : T[K] extends readonly unknown[] ? never : T[K] extends object ? Join<K, PathsTo<T[K], Leaf>> : never;
}[keyof T & string];

/** A dotted path to a piece of text, checked by the compiler: `t('menu.title')`. */
export type TextKey = PathsTo<Messages, string>;
/** A dotted path to a list of texts, such as the password rules. */
export type ListKey = PathsTo<Messages, readonly string[]>;

export type Params = Record<string, string | number>;

export const SHIPPED_DIR = fileURLToPath(new URL('.', import.meta.url));

export class ContentError extends Error {
  constructor(file: string, problems: string[]) {
    super(`Content file ${file} has problems:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ContentError';
  }
}

// The organisation-wide values ({trustName}, {workforceEmail}...) of the person being served, for the rest of
// a chat turn, an email or a page: set once where the person is known, so no dialog has to pass them along.
// The values may differ by language (office hours are described in the text's language): then they are a
// function of the Content's locale.
export type ScopedValues = Params | ((locale: string) => Params);
const scopedGlobals = new AsyncLocalStorage<ScopedValues>();

/** Runs `fn` with these organisation values filling placeholders in every Content, over each one's own. */
export function withOrganisationValues<T>(values: ScopedValues, fn: () => T): T {
  return scopedGlobals.run(values, fn);
}

/** The organisation values in force here (set by withOrganisationValues), if any, for texts in `locale`. */
export function currentOrganisationValues(locale = 'en-GB'): Params | undefined {
  const scoped = scopedGlobals.getStore();
  return typeof scoped === 'function' ? scoped(locale) : scoped;
}

export class Content {
  readonly locale: string;
  readonly #messages: unknown;
  readonly #globals: Params;
  /** Values chosen for one organisation by withGlobals: they win over the scope's. */
  readonly #chosen: Params;

  constructor(locale: string, messages: unknown, globals: Params = {}, chosen: Params = {}) {
    this.locale = locale;
    this.#messages = messages;
    this.#globals = globals;
    this.#chosen = chosen;
  }

  t(key: TextKey, params: Params = {}): string {
    const value = this.#lookup(key);
    if (typeof value !== 'string') throw new Error(`No text at "${key}"`);
    return this.fill(value, params);
  }

  list(key: ListKey, params: Params = {}): string[] {
    const value = this.#lookup(key);
    if (!Array.isArray(value)) throw new Error(`No list at "${key}"`);
    return value.map((v) => this.fill(String(v), params));
  }

  /** The same text with other organisation-wide values (another organisation's contacts, hours and name). */
  withGlobals(globals: Params): Content {
    return new Content(this.locale, this.#messages, this.#globals, { ...this.#chosen, ...globals });
  }

  /** A whole group of the content file as it stands (the intent phrases, the common questions). */
  section(key: string): unknown {
    return structuredClone(this.#lookup(key));
  }

  /** Fills `{name}` placeholders from params, then from the Trust-wide values (trust name, contacts). */
  fill(text: string, params: Params = {}): string {
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
      const v = params[name] ?? this.#chosen[name] ?? currentOrganisationValues(this.locale)?.[name] ?? this.#globals[name];
      return v === undefined ? whole : String(v);
    });
  }

  #lookup(key: string): unknown {
    let node: unknown = this.#messages;
    for (const part of key.split('.')) {
      if (node === null || typeof node !== 'object') return undefined;
      node = (node as Record<string, unknown>)[part];
    }
    return node;
  }
}

/**
 * Loads the shipped text for `locale` (falling back to en-GB key by key), then any override file from
 * `overrideDir`, and checks both against the shape of en-GB.json: no unknown keys, the same kind of value,
 * and no placeholders that the code does not fill.
 */
export async function loadContent(options: { locale: string; overrideDir?: string; globals?: Params; shippedDir?: string }): Promise<Content> {
  const shippedDir = options.shippedDir ?? SHIPPED_DIR;
  const reference = await readJson(join(shippedDir, 'en-GB.json'), true);
  let messages = reference;
  if (options.locale !== 'en-GB') {
    // A shipped translation must have every text the English file has: a gap would show English mid-Welsh.
    const file = join(shippedDir, `${options.locale}.json`);
    const translated = await readJson(file, true);
    checkAgainst(reference, translated, file, true);
    messages = deepMerge(reference, translated);
  }
  if (options.overrideDir) {
    const file = join(options.overrideDir, `${options.locale}.json`);
    const override = await readJson(file, false);
    if (override !== undefined) {
      checkAgainst(reference, override, file, false);
      messages = deepMerge(messages, override);
      // What the override leaves out comes from the shipped file; together they must still be complete.
      checkAgainst(reference, messages, file, true);
    }
  }
  return new Content(options.locale, messages, options.globals);
}

export async function readJson(file: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (!required && (error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ContentError(file, [`it could not be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ContentError(file, [`it is not valid JSON: ${(error as Error).message}`]);
  }
}

/** Reports every key that is unknown, of the wrong kind, or uses a placeholder the reference does not. */
export function checkAgainst(reference: unknown, candidate: unknown, file: string, requireAll: boolean): void {
  const problems = contentProblems(reference, candidate, requireAll);
  if (problems.length > 0) throw new ContentError(file, problems);
}

/** Every problem at once (for `npm run content:check`): missing and unknown keys, wrong kinds, bad placeholders. */
export function contentProblems(reference: unknown, candidate: unknown, requireAll: boolean): string[] {
  const problems: string[] = [];
  walk(reference, candidate, '', problems, requireAll);
  return problems;
}

function walk(ref: unknown, cand: unknown, path: string, problems: string[], requireAll: boolean): void {
  const at = path || '(top level)';
  if (typeof ref === 'string') {
    if (typeof cand !== 'string') return void problems.push(`${at} should be text`);
    if (cand.trim() === '' && ref.trim() !== '') return void problems.push(`${at} is empty`);
    const allowed = new Set(placeholders(ref));
    const unknown = placeholders(cand).filter((p) => !allowed.has(p));
    if (unknown.length > 0) problems.push(`${at} uses {${unknown.join('}, {')}}, which is not filled in here (available: ${[...allowed].map((p) => `{${p}}`).join(', ') || 'none'}, or a Trust-wide value)`);
    return;
  }
  if (Array.isArray(ref)) {
    if (!Array.isArray(cand) || cand.some((c) => typeof c !== 'string' || c.trim() === '')) problems.push(`${at} should be a list of texts`);
    return;
  }
  if (ref !== null && typeof ref === 'object') {
    if (cand === null || typeof cand !== 'object' || Array.isArray(cand)) return void problems.push(`${at} should be a group of texts`);
    const refObj = ref as Record<string, unknown>;
    const candObj = cand as Record<string, unknown>;
    for (const key of Object.keys(candObj)) {
      if (!(key in refObj)) problems.push(`${path ? `${path}.` : ''}${key} is not a known text (check the spelling against en-GB.json)`);
      else walk(refObj[key], candObj[key], path ? `${path}.${key}` : key, problems, requireAll);
    }
    if (requireAll) for (const key of Object.keys(refObj)) if (!(key in candObj) && !key.startsWith('_')) problems.push(`${path ? `${path}.` : ''}${key} is missing (en-GB.json has it: add its translation)`);
  }
}

// Trust-wide values ({trustName}, {workforceEmail}...) may appear anywhere; the check allows them.
export const GLOBAL_PLACEHOLDERS = [
  'trustName',
  'orgName',
  'orgCode',
  'workforceEmail',
  'workforcePhone',
  'workforceLocation',
  'leadEmployerEmail',
  'officeHours',
  'esrLoginUrl',
  'botName',
];

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).filter((p) => !GLOBAL_PLACEHOLDERS.includes(p));
}

function deepMerge(base: unknown, over: unknown): unknown {
  if (over === undefined) return base;
  if (base === null || typeof base !== 'object' || Array.isArray(base) || over === null || typeof over !== 'object' || Array.isArray(over)) return over;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over as Record<string, unknown>)) out[k] = deepMerge(out[k], v);
  return out;
}
