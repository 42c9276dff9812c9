// Minisearch answers a query term by term: each term's exact, prefix and fuzzy matches, scored by BM25, then
// the terms' results added up. Finding a term's fuzzy matches and scoring its documents is most of the cost of
// understanding a message, and a term's results depend only on the term and the index, which does not change
// once built. So they are kept: staff use the same words over and over ("password", "account", "ESR"), and a long
// message is searched whole and then sentence by sentence, with the same words each time. The terms' results are
// added up here as minisearch adds them (same order, same arithmetic), so the results are identical to its own
// search; a test checks it on every line of the development files.
import type MiniSearch from 'minisearch';
import type { SearchResult } from 'minisearch';

/** Minisearch's results for one term: by document, its score, the query terms it matched and how. */
type TermResults = Map<number, { score: number; terms: string[]; match: Record<string, string[]> }>;
interface QuerySpec {
  term: string;
  fuzzy: number | boolean;
  prefix: boolean;
  termBoost: number;
}
interface Internals {
  executeQuerySpec?: (query: QuerySpec, options: object) => TermResults;
  _documentIds: Map<number, unknown>;
  _storedFields: Map<number, Record<string, unknown> | undefined>;
}

/** The search options that decide a term's matches; they must be the index's own. */
export interface TermOptions {
  tokenize: (text: string) => string[];
  prefix: (term: string) => boolean;
  fuzzy: (term: string) => number | false;
}

/** How many terms' results are kept before starting again (each holds a few documents to a few hundred). */
export const KEPT_TERMS = 2_000;

export class TermSearch<T> {
  readonly #search: MiniSearch<T>;
  readonly #internals: Internals;
  readonly #options: TermOptions;
  readonly #kept = new Map<string, TermResults>();

  /** Over a built index: documents added or removed afterwards would not be seen. */
  constructor(search: MiniSearch<T>, options: TermOptions) {
    this.#search = search;
    this.#internals = search as unknown as Internals;
    this.#options = options;
  }

  /** How many terms' results are kept now. */
  get kept(): number {
    return this.#kept.size;
  }

  /** The same results as minisearch's `search(text)` with the index's own options. */
  search(text: string): SearchResult[] {
    // Relies on minisearch's internal executeQuerySpec (7.x); a version without it is searched the plain way.
    if (typeof this.#internals.executeQuerySpec !== 'function') return this.#search.search(text);
    const combined: TermResults = new Map();
    for (const term of this.#options.tokenize(text)) {
      if (!term) continue;
      // As minisearch's OR: a document's score is added up term by term, its query terms and matches gathered.
      for (const [id, r] of this.#termResults(term)) {
        const existing = combined.get(id);
        if (!existing) combined.set(id, { score: r.score, terms: [...r.terms], match: { ...r.match } });
        else {
          existing.score = existing.score + r.score;
          Object.assign(existing.match, r.match);
          for (const t of r.terms) if (!existing.terms.includes(t)) existing.terms.push(t);
        }
      }
    }
    const results: SearchResult[] = [];
    for (const [id, { score, terms, match }] of combined) {
      results.push(Object.assign({ id: this.#internals._documentIds.get(id), score: score * (terms.length || 1), terms: Object.keys(match), queryTerms: terms, match }, this.#internals._storedFields.get(id)));
    }
    return results.sort((a, b) => b.score - a.score);
  }

  #termResults(term: string): TermResults {
    const known = this.#kept.get(term);
    if (known) return known;
    if (this.#kept.size >= KEPT_TERMS) this.#kept.clear();
    const spec: QuerySpec = { term, fuzzy: this.#options.fuzzy(term), prefix: this.#options.prefix(term), termBoost: 1 };
    const results = this.#internals.executeQuerySpec!.call(this.#search, spec, {});
    this.#kept.set(term, results);
    return results;
  }
}
