// The term search keeps each term's results and adds them up itself: it must find exactly what minisearch's own
// search finds, in the same order with the same scores, or every figure measured on the understander would move.
import { expect } from 'chai';
import MiniSearch from 'minisearch';
import { loadContent } from '../../content/content.js';
import { loadFaq } from '../../content/faq.js';
import { readDevelopmentLines } from '../../scripts/developmentFiles.js';
import { understandingSource } from '../../understanding/source.js';
import { KEPT_TERMS, TermSearch, type TermOptions } from '../../understanding/termResults.js';
import { expandPhrase, stemFor, TermPipeline, wordsFor } from '../../understanding/text.js';

interface Doc {
  id: number;
  text: string;
  kind: 'phrase' | 'answer';
}

async function index(locale: string) {
  const source = understandingSource(await loadContent({ locale }), await loadFaq(locale));
  const pipeline = new TermPipeline(source.rules, stemFor(locale), wordsFor(locale));
  const docs: Doc[] = [];
  for (const phrases of Object.values(source.intents)) for (const p of phrases) for (const text of expandPhrase(p)) docs.push({ id: docs.length, text, kind: 'phrase' });
  for (const e of source.faq.entries) docs.push({ id: docs.length, text: e.answer, kind: 'answer' });
  const options: TermOptions = { tokenize: (t) => pipeline.terms(t), prefix: (t) => t.length >= 5, fuzzy: (t) => (t.length >= 7 ? 2 : t.length >= 5 ? 1 : false) };
  const search = new MiniSearch<Doc>({
    fields: ['text'],
    storeFields: ['kind'],
    tokenize: (t) => pipeline.terms(t),
    processTerm: (t) => t,
    searchOptions: { ...options, processTerm: (t) => t, weights: { fuzzy: 0.6, prefix: 0.4 }, boostDocument: (_id, _t, stored) => (stored?.kind === 'answer' ? 0.35 : 1) },
  });
  search.addAll(docs);
  return { search, terms: new TermSearch(search, options) };
}

describe('searching term by term with each term kept', () => {
  for (const locale of ['en-GB', 'cy-GB']) {
    it(`finds exactly what minisearch finds, in the same order with the same scores, for every development line (${locale})`, async () => {
      const { search, terms } = await index(locale);
      const lines = await readDevelopmentLines(locale);
      expect(lines.length).to.be.greaterThan(2000);
      // Twice over, so that the second time every term's results are the kept ones; and a repeated word.
      for (const text of [...lines.map((l) => l.text), ...lines.map((l) => l.text), 'password password reset', '']) {
        const [ours, theirs] = [terms.search(text), search.search(text)];
        // JSON first, since it is quick (and stricter: key order too); deep.equal shows what differs.
        if (JSON.stringify(ours) !== JSON.stringify(theirs)) expect(ours, text).to.deep.equal(theirs);
      }
    });
  }

  it('keeps a term once searched, and searches it again only when it was not', async () => {
    const { terms } = await index('en-GB');
    expect(terms.kept).to.equal(0);
    terms.search('forgot my password');
    const after = terms.kept;
    expect(after).to.be.greaterThan(0);
    terms.search('password forgot');
    expect(terms.kept).to.equal(after);
    terms.search('payslip');
    expect(terms.kept).to.equal(after + 1);
  });

  it(`keeps at most ${KEPT_TERMS} terms, starting again when full, so what staff type cannot grow it without end`, async () => {
    const { search, terms } = await index('en-GB');
    for (let i = 0; i < KEPT_TERMS; i++) terms.search(`zq${i.toString(36)}x`);
    expect(terms.kept).to.equal(KEPT_TERMS);
    terms.search('password');
    expect(terms.kept).to.equal(1);
    expect(terms.search('password reset')).to.deep.equal(search.search('password reset'));
  });
});
